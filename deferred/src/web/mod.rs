//! The deferred module's entry points, called by `sekisho.js`: `run` once the document is
//! parsed, `show_preferences` when the page asks for the preference center
//! (`window.sekisho.showPreferences()` or a `[data-sekisho-action="reopen"]` control).

mod disclosure;
mod dom;
mod placeholder;
mod ui;

use wasm_bindgen::prelude::*;
use web_sys::console;

/// Runs what waits for the parsed page: config diagnostics, then the first layer if the visitor
/// has not chosen and no CMP asks them. `config` is the checkpoint's config text (`None` without
/// one).
#[wasm_bindgen]
pub fn run(config: Option<String>) {
    // The config as the checkpoint applies it, and what is wrong with it.
    let (site, problems) = crate::diagnostics::read(config.as_deref());
    for line in problems {
        error(&line);
    }
    // A registered CMP on the page asks the visitor; Sekisho follows it (config
    // `signals.tcfBridge`: the TCF module, `sekisho-tcf.js`, listens) and shows no first layer
    // of its own.
    let bridged = site.signals.tcf_bridge && cmp_on_page();
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

/// Whether a CMP's `__tcfapi` is on the page and says the GDPR applies to this visitor (its
/// `ping`, which a CMP answers at once): only then does it ask them, and the bridge follow it.
/// Anywhere else — no CMP, a CMP that shows nothing outside the GDPR's reach, one that does not
/// answer at once — Sekisho asks the visitor itself.
fn cmp_on_page() -> bool {
    use wasm_bindgen::JsCast;
    let Ok(tcfapi) = js_sys::Reflect::get(&js_sys::global(), &"__tcfapi".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    else {
        return false;
    };
    let applies = std::rc::Rc::new(std::cell::Cell::new(false));
    let answer = applies.clone();
    let on_ping = Closure::<dyn FnMut(JsValue)>::new(move |ping: JsValue| {
        let gdpr = js_sys::Reflect::get(&ping, &"gdprApplies".into()).ok();
        answer.set(gdpr.and_then(|g| g.as_bool()) == Some(true));
    });
    let asked = tcfapi.call3(&JsValue::NULL, &"ping".into(), &2.into(), on_ping.as_ref());
    on_ping.forget(); // (a CMP that answers late calls it still)
    asked.is_ok() && applies.get()
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
