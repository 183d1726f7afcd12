//! The records module's entry points, called by `sekisho.js`: `start(config)` once loaded (what
//! earlier pages left queued is sent), `record(decision)` for each decision, `identify(token)`
//! for a logged-in member.

mod sync;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::console;

use sekisho::core::config::Config;
use sekisho_deferred::api;
use sekisho_deferred::ui::CATEGORIES;

/// Reads the site's config (the checkpoint's config text) and sends what is queued.
#[wasm_bindgen]
pub fn start(config: Option<String>) {
    // (Quietly: the UI module reports the config's problems.)
    let site = sekisho::core::config::from_text_quietly(config.as_deref());
    let endpoint = site.sync_endpoint.clone();
    SITE.with(|s| s.replace(site));
    match endpoint {
        Some(endpoint) => {
            if let Err(e) = sync::start(endpoint) {
                error(&["consent records cannot be sent: ", &describe(&e)].concat());
            }
        }
        None => error("the records module runs only with a sync endpoint in the config"),
    }
}

/// A visitor's decision (from the bootstrap, JSON): its consent record is made, queued and sent.
#[wasm_bindgen]
pub fn record(decision: &str) {
    if let Err(e) = make_record(decision) {
        error(&["a consent record could not be made: ", &describe(&e)].concat());
    }
}

thread_local! {
    /// The site's config, as `start` read it.
    static SITE: std::cell::RefCell<Config> = std::cell::RefCell::new(Config::default());
    /// A subject token the server refused: records do not carry it (it would get them refused).
    static REFUSED_SUBJECT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

fn forget_subject(token: &str) {
    REFUSED_SUBJECT.with(|r| r.replace(Some(token.to_owned())));
}

/// A logged-in member (`sekisho.identify(token)`).
#[wasm_bindgen]
pub fn identify(token: String) {
    if let Err(e) = sync::identify(token) {
        error(&["identify() failed: ", &describe(&e)].concat());
    }
}

/// The member's latest record (`None`: they have none) against this browser's choice: adopted
/// when it comes from another browser and is newer (or this one has none), else this browser's
/// choice is linked to the member, unless it already is their latest.
fn link_or_adopt(remote: Option<JsValue>, token: &str) {
    let result = (|| -> Result<(), JsValue> {
        let local = api::call("get", None)?;
        let field =
            |o: &JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let decided = field(&local, "decided").as_bool() == Some(true);
        let updated = field(&local, "updatedAt").as_f64().unwrap_or(0.0);
        if let Some(remote) = remote {
            if field(&remote, "consentId") == field(&local, "consentId") {
                return Ok(()); // this browser's choice is the member's latest already
            }
            let remote_time = field(&remote, "clientTime").as_f64().unwrap_or(0.0);
            if !decided || remote_time > updated {
                let choices = js_sys::Object::new();
                let categories = field(&field(&remote, "choices"), "categories");
                for id in CATEGORIES.iter().filter(|c| **c != "necessary") {
                    js_sys::Reflect::set(&choices, &(*id).into(), &field(&categories, id))?;
                }
                let services = field(&field(&remote, "choices"), "services");
                if services.is_object() {
                    js_sys::Reflect::set(&choices, &"services".into(), &services)?;
                }
                let options = js_sys::Object::new();
                js_sys::Reflect::set(&options, &"method".into(), &"signal".into())?;
                js_sys::Reflect::set(&options, &"adopt".into(), &true.into())?;
                let set: js_sys::Function =
                    js_sys::Reflect::get(&api::sekisho()?, &"set".into())?.dyn_into()?;
                set.call2(&api::sekisho()?, &choices, &options)?;
                return Ok(());
            }
        }
        if !decided {
            return Ok(()); // nothing to link yet: the next choice carries the token
        }
        let state = js_sys::JSON::stringify(&local)?;
        let decision = [
            r#"{"op":"link","method":"signal","before":null,"after":"#,
            &String::from(state),
            r#","at":"#,
            &(js_sys::Date::now() as u64).to_string(),
            r#","subject":"#,
            &String::from(js_sys::JSON::stringify(&token.into())?),
            "}",
        ]
        .concat();
        make_record(&decision)
    })();
    if let Err(e) = result {
        error(&["identify(): ", &describe(&e)].concat());
    }
}

fn make_record(decision: &str) -> Result<(), JsValue> {
    use crate::record::{self as records, Decision};
    let mut decision = Decision::parse(decision).ok_or("not a decision")?;
    let refused = REFUSED_SUBJECT.with(|r| r.borrow().clone());
    if refused.is_some() && decision.subject == refused {
        decision.subject = None;
    }
    let window = web_sys::window().ok_or("no window")?;
    let origin = window.location().origin()?;
    let version = js_sys::Reflect::get(&api::sekisho()?, &"version".into())?
        .as_string()
        .unwrap_or_default();
    let met = api::services_met()?;
    let record_id = records::uuid(random_bytes()?);
    let doc = window.document().ok_or("no document")?;
    let json = SITE
        .with(|config| {
            let config = &*config.borrow();
            let lang = api::language(&doc, config);
            records::record(
                &decision,
                &record_id,
                &records::Context {
                    config,
                    met: &met,
                    site: &origin,
                    lang,
                    sdk_version: &version,
                },
            )
        })
        .ok_or("the decision has no consent id")?;
    sync::queue(&record_id, decision.at.max(0.0) as u64, &json)?;
    // A note of the page load is recorded once: the next pages skip it.
    if let Some(marker) = &decision.note {
        if let Some(storage) = window.local_storage()? {
            storage.set_item(marker, "1")?;
        }
    }
    Ok(())
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
