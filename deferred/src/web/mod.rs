//! The deferred module's entry points, called by `sekisho.js`: `run` once the document is
//! parsed, `show_preferences` when the page asks for the preference center
//! (`window.sekisho.showPreferences()` or a `[data-sekisho-action="reopen"]` control).

mod api;
mod disclosure;
mod dom;
mod placeholder;
mod sync;
mod ui;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::console;

/// Runs what waits for the parsed page: config diagnostics, then the first layer if the visitor
/// has not chosen. `config` is the checkpoint's config text (`None` without one).
#[wasm_bindgen]
pub fn run(config: Option<String>) {
    // The config as the checkpoint applies it, and what is wrong with it.
    let (site, problems) = crate::diagnostics::read(config.as_deref());
    for line in problems {
        error(&line);
    }
    if let Some(endpoint) = site.sync_endpoint.clone() {
        if let Err(e) = sync::start(endpoint) {
            error(&["consent records cannot be sent: ", &describe(&e)].concat());
        }
    }
    if let Err(e) = ui::start(site) {
        error(&["the banner could not be shown: ", &describe(&e)].concat());
    }
}

/// Opens the preference center.
#[wasm_bindgen]
pub fn show_preferences() {
    if let Err(e) = ui::show_preferences() {
        error(&["the preferences could not be shown: ", &describe(&e)].concat());
    }
}

/// A visitor's decision (from the bootstrap, JSON): its consent record is made, queued and sent.
#[wasm_bindgen]
pub fn record(decision: &str) {
    if let Err(e) = make_record(decision) {
        error(&["a consent record could not be made: ", &describe(&e)].concat());
    }
}

fn make_record(decision: &str) -> Result<(), JsValue> {
    use crate::records::{self, Decision};
    let decision = Decision::parse(decision).ok_or("not a decision")?;
    let window = web_sys::window().ok_or("no window")?;
    let site = window.location().origin()?;
    let version = js_sys::Reflect::get(&api::sekisho()?, &"version".into())?
        .as_string()
        .unwrap_or_default();
    let met = api::services_met()?;
    let record_id = records::uuid(random_bytes()?);
    let json = ui::with_site(|config, lang| {
        records::record(
            &decision,
            &record_id,
            &records::Context {
                config,
                met: &met,
                site: &site,
                lang,
                sdk_version: &version,
            },
        )
    })
    .ok_or("the decision has no consent id")?;
    sync::queue(&record_id, decision.at.max(0.0) as u64, &json)
}

fn random_bytes() -> Result<[u8; 16], JsValue> {
    let bytes = js_sys::Uint8Array::new_with_length(16);
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())?;
    let get: js_sys::Function =
        js_sys::Reflect::get(&crypto, &"getRandomValues".into())?.dyn_into()?;
    get.call1(&crypto, &bytes)?;
    let mut out = [0u8; 16];
    bytes.copy_to(&mut out);
    Ok(out)
}

fn error(line: &str) {
    console::error_1(&["[sekisho] ", line].concat().into());
}

fn describe(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => e.as_string().unwrap_or_else(|| "unknown error".into()),
    }
}
