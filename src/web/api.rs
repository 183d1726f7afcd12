//! The JavaScript API. `js/bootstrap.js` exposes these exports as `window.sekisho`
//! (`get`, `acceptAll`, `rejectAll`, `set`, `on`, `off`, `audit`, `require`, `version`).

use super::dom::{self, set};
use super::{markup, store, sweep, with_sdk, Sdk, Waiter, SDK};
use crate::core::audit::Line;
use crate::core::config::parse_config_quietly;
use crate::core::consent::uuid_v4;
use crate::core::json;
use crate::core::requirement::Requirement;
use crate::core::{
    Category, Checkpoint, Choice, Config, Decision, LoadOutcome, PageContext, StoredChoice, Value,
};
use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit};

/// Starts the checkpoint: reads config and the stored choice, releases what is allowed, and
/// watches for marked elements. `config` is the text of `#sekisho-config` (or the baked-in
/// config), `None` without one. Never throws: problems are logged and the strictest defaults
/// apply.
#[wasm_bindgen]
pub fn start(config: Option<String>) {
    if with_sdk(|_| ()).is_some() {
        dom::warn(&["already started; ignoring a second start()"]);
        return;
    }
    // Problems in the config are reported by the deferred module once the page is parsed; here
    // each bad field (or unreadable JSON: all of them) just falls back to its strictest value.
    let (config, config_problems) = match config.as_deref().map(json::parse) {
        None => parse_config_quietly(&Value::Null),
        Some(Ok(value)) => parse_config_quietly(&value),
        Some(Err(_)) => (Config::default(), 1),
    };
    let cookie = store::read_cookie();
    let origin = dom::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let page = PageContext {
        origin: &origin,
        stored: cookie.as_deref(),
        gpc: dom::gpc(),
        now_secs: dom::now_secs(),
    };
    // The time zone is read only when the regime depends on it (it can be slow to read).
    let (checkpoint, loaded) = Checkpoint::start(config, page, dom::time_zone);
    report_unusable(&loaded);
    SDK.with(|cell| {
        *cell.borrow_mut() = Some(Sdk {
            checkpoint,
            audit: Default::default(),
            listeners: Vec::new(),
            waiters: Vec::new(),
            ready: false,
            cookie_missing: cookie.is_none(),
            config_problems,
            handoff: String::new(),
        })
    });
    if let Some(doc) = dom::document() {
        markup::watch(&doc);
    }
    markup::scan_document();
}

/// Whether the page needs the deferred module: to explain config problems, or (with the banner,
/// soon) to ask a visitor who has not decided. A returning visitor's pages do without it.
#[wasm_bindgen]
pub fn deferred_needed() -> bool {
    with_sdk(|sdk| sdk.config_problems > 0 || !sdk.checkpoint.state.decided()).unwrap_or(false)
}

/// Called once by the bootstrap when the document is parsed (`DOMContentLoaded`, or at once when
/// that has passed): the localStorage copy is consulted if there was no cookie, then `ready`.
#[wasm_bindgen]
pub fn dom_ready() {
    let Some(cookie_missing) = with_sdk(|sdk| (!sdk.ready).then_some(sdk.cookie_missing)).flatten()
    else {
        return;
    };
    if cookie_missing {
        restore_from_local_storage();
    }
    with_sdk(|sdk| sdk.ready = true);
    emit("ready", &get());
}

/// Warns about a stored value that cannot be used, and clears it if corrupt.
fn report_unusable(loaded: &LoadOutcome) {
    if let Some(reason) = loaded.reask_reason() {
        dom::warn(&["stored choice not used (", reason, "); asking again"]);
        if matches!(loaded, LoadOutcome::Corrupt(_)) {
            store::clear();
        }
    }
}

/// Without a cookie, the localStorage copy may still hold the choice (browsers cap or drop
/// script-set cookies). Read after the document is parsed: the first localStorage access in a
/// page can take milliseconds, too long for the first script in `<head>`.
fn restore_from_local_storage() {
    let Some((revision, max_age)) = with_sdk(|sdk| {
        let c = &sdk.checkpoint.config;
        (c.revision, c.consent_max_age_days)
    }) else {
        return;
    };
    let now = dom::now_secs();
    let raw = store::read_local();
    let loaded = LoadOutcome::read(raw.as_deref(), revision, max_age, now);
    report_unusable(&loaded);
    if let Some(choice) = with_sdk(|sdk| sdk.checkpoint.adopt_stored_copy(loaded)).flatten() {
        apply(choice, now);
    }
}

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

/// `value`, or `null` for `None` (the API's fields are `null` when unknown, never `undefined`).
fn or_null(value: Option<impl Into<JsValue>>) -> JsValue {
    value.map_or(JsValue::NULL, Into::into)
}

fn state_object(sdk: &Sdk) -> Object {
    let s = &sdk.checkpoint.state;
    let o = Object::new();
    set(&o, "decided", s.decided());
    let categories = Object::new();
    for c in Category::ALL {
        set(&categories, c.id(), s.granted(c));
    }
    set(&o, "categories", categories);
    let services = Object::new();
    if let Some(choice) = &s.choice {
        for (id, _) in &choice.services {
            let category = sdk.checkpoint.matcher.category_of(id);
            set(&services, id, s.service_granted(id, category));
        }
    }
    set(&o, "services", services);
    set(&o, "revision", sdk.checkpoint.config.revision);
    set(&o, "consentId", or_null(s.consent_id.clone()));
    let updated = s.choice.as_ref().map(|c| c.decided_at as f64 * 1000.0);
    set(&o, "updatedAt", or_null(updated));
    set(&o, "gpc", s.gpc);
    set(&o, "regime", s.regime.id());
    set(&o, "region", or_null(s.region.clone()));
    o
}

/// `sekisho.get()`: the consent in effect.
#[wasm_bindgen]
pub fn get() -> JsValue {
    with_sdk(|sdk| state_object(sdk).into()).unwrap_or(JsValue::UNDEFINED)
}

fn decide(decision: Decision) -> JsValue {
    let now = dom::now_secs();
    let choice = with_sdk(|sdk| {
        let revision = sdk.checkpoint.config.revision;
        sdk.checkpoint
            .state
            .decide(&decision, revision, now, || uuid_v4(dom::random_bytes()))
    });
    match choice {
        Some(choice) => apply(choice, now),
        None => {
            dom::error(&["not started; the choice was not saved"]);
            JsValue::UNDEFINED
        }
    }
}

/// Stores a choice and puts it in effect: `change`, release what is now allowed, resolve
/// `require()` promises. Storage is written outside the borrow (the cookie setter is guarded).
fn apply(choice: StoredChoice, now: u64) -> JsValue {
    let Some(max_age) = with_sdk(|sdk| sdk.checkpoint.config.consent_max_age_days) else {
        return JsValue::UNDEFINED;
    };
    store::save(&choice, max_age, now);
    let (revoked, reload) = with_sdk(|sdk| {
        let mut next = sdk.checkpoint.state.clone();
        next.consent_id = Some(choice.consent_id.clone());
        next.choice = Some(choice);
        let revoked = sdk.checkpoint.revokes(&next);
        sdk.checkpoint.state = next;
        (revoked, sdk.checkpoint.config.reload_on_revoke)
    })
    .unwrap_or_default();
    let state = get();
    emit("change", &state);
    if revoked {
        // The guards close at once (they read the new state); cookies go, and the page reloads
        // if the site asked for it, to stop code that is already running.
        sweep::sweep_stored_repeatedly();
        if reload {
            if let Some(w) = dom::window() {
                let _ = w.location().reload();
            }
            return state;
        }
    }
    markup::scan_document();
    resolve_waiters();
    state
}

/// `sekisho.acceptAll()`.
#[wasm_bindgen(js_name = acceptAll)]
pub fn accept_all() -> JsValue {
    decide(Decision::AcceptAll)
}

/// `sekisho.rejectAll()`.
#[wasm_bindgen(js_name = rejectAll)]
pub fn reject_all() -> JsValue {
    decide(Decision::RejectAll)
}

/// `sekisho.set({analytics: true, services: {youtube: false}})`; the bootstrap passes the
/// argument as JSON text.
#[wasm_bindgen]
pub fn set_choices(choices: &str) -> Result<JsValue, JsError> {
    let parsed = json::parse(choices).map_err(|_| "set(): expected an object".to_string());
    match parsed.and_then(|v| Choice::from_value(&v)) {
        Ok(choice) => Ok(decide(Decision::Set(choice))),
        Err(why) => {
            dom::error(&[&why]);
            Err(JsError::new(&why))
        }
    }
}

/// `sekisho.on(event, callback)`. A `ready` listener added after `ready` is called at once.
#[wasm_bindgen]
pub fn on(event: String, callback: Function) {
    let late_ready = with_sdk(|sdk| {
        let late = event == "ready" && sdk.ready;
        sdk.listeners.push((event, callback.clone()));
        late
    });
    if late_ready == Some(true) {
        let _ = callback.call1(&JsValue::UNDEFINED, &get());
    }
}

/// `sekisho.off(event, callback)`.
#[wasm_bindgen]
pub fn off(event: String, callback: Function) {
    with_sdk(|sdk| {
        sdk.listeners
            .retain(|(e, f)| !(*e == event && JsValue::from(f) == JsValue::from(&callback)))
    });
}

/// Calls the `on(event)` listeners, then dispatches `sekisho:<event>` on `document`. A throwing
/// listener is reported and does not stop the others.
pub(crate) fn emit(event: &str, detail: &JsValue) {
    let listeners: Vec<Function> = with_sdk(|sdk| {
        sdk.listeners
            .iter()
            .filter(|(e, _)| e == event)
            .map(|(_, f)| f.clone())
            .collect()
    })
    .unwrap_or_default();
    for f in listeners {
        if f.call1(&JsValue::UNDEFINED, detail).is_err() {
            dom::error(&["a '", event, "' listener threw"]);
        }
    }
    let Some(doc) = dom::document() else { return };
    let init = CustomEventInit::new();
    init.set_detail(detail);
    let name = ["sekisho:", event].concat();
    if let Ok(e) = CustomEvent::new_with_event_init_dict(&name, &init) {
        let _ = doc.dispatch_event(&e);
    }
}

pub(crate) fn audit_line_object(line: &Line) -> JsValue {
    let o = Object::new();
    set(&o, "at", line.at);
    set(&o, "kind", line.kind.id());
    set(&o, "via", line.via.as_str());
    set(&o, "url", line.url.as_str());
    set(&o, "service", or_null(line.service.as_deref()));
    set(&o, "category", or_null(line.category.map(|c| c.id())));
    set(&o, "action", line.action.id());
    o.into()
}

/// `sekisho.audit()`: every held and released element, oldest first.
#[wasm_bindgen]
pub fn audit() -> Array {
    with_sdk(|sdk| sdk.audit.lines().iter().map(audit_line_object).collect()).unwrap_or_default()
}

/// `sekisho.require("sns" | "service:facebook" | "facebook")`: resolves with the state once
/// the purpose is granted.
#[wasm_bindgen]
pub fn require(purpose: String) -> Result<Promise, JsError> {
    let Some(requirement) = Requirement::parse_purpose(&purpose) else {
        return Err(JsError::new("[sekisho] require(): unknown purpose"));
    };
    if allowed(&requirement) == Some(true) {
        return Ok(Promise::resolve(&get()));
    }
    let mut requirement = Some(requirement);
    Ok(Promise::new(&mut |resolve, _reject| {
        if let Some(purpose) = requirement.take() {
            with_sdk(|sdk| sdk.waiters.push(Waiter { purpose, resolve }));
        }
    }))
}

fn allowed(r: &Requirement) -> Option<bool> {
    with_sdk(|sdk| sdk.checkpoint.allows(r))
}

fn resolve_waiters() {
    let ready: Vec<Function> = with_sdk(|sdk| {
        let (granted, waiting): (Vec<Waiter>, Vec<Waiter>) = std::mem::take(&mut sdk.waiters)
            .into_iter()
            .partition(|w| sdk.checkpoint.allows(&w.purpose));
        sdk.waiters = waiting;
        granted.into_iter().map(|w| w.resolve).collect()
    })
    .unwrap_or_default();
    if ready.is_empty() {
        return;
    }
    let state = get();
    for resolve in ready {
        let _ = resolve.call1(&JsValue::UNDEFINED, &state);
    }
}
