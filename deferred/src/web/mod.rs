//! The deferred module's entry points, called by `sekisho.js`: `run` once the document is
//! parsed, `show_preferences` when the page asks for the preference center
//! (`window.sekisho.showPreferences()` or a `[data-sekisho-action="reopen"]` control).

mod disclosure;
mod dom;
mod placeholder;
mod tcf_bridge;
mod ui;

use wasm_bindgen::prelude::*;
use web_sys::console;

/// Runs what waits for the parsed page: config diagnostics, the TCF bridge, then the first
/// layer if the visitor has not chosen. `config` is the checkpoint's config text (`None` without one).
#[wasm_bindgen]
pub fn run(config: Option<String>) {
    // The config as the checkpoint applies it, and what is wrong with it.
    let (site, problems) = crate::diagnostics::read(config.as_deref());
    for line in problems {
        error(&line);
    }
    // A registered CMP on the page asks the visitor; Sekisho follows it (config
    // `signals.tcfBridge`) and shows no first layer of its own.
    let bridged = tcf_bridge::start(&site).unwrap_or_else(|e| {
        error(&["signals.tcfBridge: ", &describe(&e)].concat());
        false
    });
    if let Err(e) = ui::start(site, bridged) {
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

fn error(line: &str) {
    console::error_1(&["[sekisho] ", line].concat().into());
}

fn describe(e: &JsValue) -> String {
    use wasm_bindgen::JsCast;
    match e.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => e.as_string().unwrap_or_else(|| "unknown error".into()),
    }
}
