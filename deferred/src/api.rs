//! The checkpoint as the UI (and the records module) see it: `window.sekisho`, its public API,
//! and nothing else; and the language the page asks for.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use sekisho::core::config::Config;
use web_sys::Document;

use crate::ui::{Lang, CATEGORIES};

/// The UI's language: the page's `lang`, then the browser's languages, among the site's.
pub fn language(doc: &Document, site: &Config) -> Lang {
    let page = doc
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .unwrap_or_default();
    let browser: Vec<String> = web_sys::window()
        .map(|w| w.navigator().languages())
        .map(|list| list.iter().filter_map(|l| l.as_string()).collect())
        .unwrap_or_default();
    let candidates = std::iter::once(page.as_str()).chain(browser.iter().map(String::as_str));
    Lang::choose(candidates, &site.languages, &site.default_language)
}

/// What the UI needs of `window.sekisho.get()`.
pub struct State {
    pub decided: bool,
    pub regime: String,
    pub gpc: bool,
    /// In the order of [`CATEGORIES`].
    pub granted: [bool; 5],
    /// The visitor's per-service choices: `(id, allowed)`.
    pub services: Vec<(String, bool)>,
}

impl State {
    /// Whether service `id` is allowed now: its own choice, else its category's.
    pub fn service_granted(&self, id: &str, category: &str) -> bool {
        match self.services.iter().find(|(s, _)| s == id) {
            Some((_, granted)) => *granted,
            None => CATEGORIES
                .iter()
                .zip(self.granted)
                .any(|(c, granted)| *c == category && granted),
        }
    }
}

pub fn sekisho() -> Result<JsValue, JsValue> {
    let api = Reflect::get(&js_sys::global(), &"sekisho".into())?;
    if api.is_object() {
        Ok(api)
    } else {
        Err("window.sekisho is missing".into())
    }
}

/// `window.sekisho[method](arg)` (no argument with `None`).
pub fn call(method: &str, arg: Option<&JsValue>) -> Result<JsValue, JsValue> {
    let api = sekisho()?;
    let f: Function = Reflect::get(&api, &method.into())?.dyn_into()?;
    match arg {
        None => f.call0(&api),
        Some(a) => f.call1(&api, a),
    }
}

fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The visitor's current state.
pub fn state() -> Result<State, JsValue> {
    let s = call("get", None)?;
    let categories = field(&s, "categories");
    let mut granted = [false; 5];
    for (g, id) in granted.iter_mut().zip(CATEGORIES) {
        *g = field(&categories, id).as_bool() == Some(true);
    }
    let services = field(&s, "services");
    let services = Object::keys(services.unchecked_ref::<Object>())
        .iter()
        .filter_map(|id| {
            let granted = Reflect::get(&services, &id).ok()?.as_bool()?;
            Some((id.as_string()?, granted))
        })
        .collect();
    Ok(State {
        decided: field(&s, "decided").as_bool() == Some(true),
        regime: field(&s, "regime").as_string().unwrap_or_default(),
        gpc: field(&s, "gpc").as_bool() == Some(true),
        granted,
        services,
    })
}

/// `window.sekisho[op](first, {method})`: a decision, saying how it was made (the consent
/// record's `method`: `banner`, `preferences`, `placeholder`).
pub fn call_with_method(
    op: &str,
    first: Option<&JsValue>,
    method: &str,
) -> Result<JsValue, JsValue> {
    let api = sekisho()?;
    let f: Function = Reflect::get(&api, &op.into())?.dyn_into()?;
    let options = Object::new();
    Reflect::set(&options, &"method".into(), &method.into())?;
    match first {
        None => f.call1(&api, &options),
        Some(a) => f.call2(&api, a, &options),
    }
}

/// `window.sekisho.set({category: allowed, …, services: {id: allowed, …}}, {method})`.
pub fn set_choices(
    categories: &[(&str, bool)],
    services: &[(&str, bool)],
    method: &str,
) -> Result<(), JsValue> {
    let choices = Object::new();
    for (id, on) in categories {
        Reflect::set(&choices, &(*id).into(), &(*on).into())?;
    }
    if !services.is_empty() {
        let by_id = Object::new();
        for (id, on) in services {
            Reflect::set(&by_id, &(*id).into(), &(*on).into())?;
        }
        Reflect::set(&choices, &"services".into(), &by_id)?;
    }
    call_with_method("set", Some(&choices), method).map(drop)
}

/// The URLs the checkpoint's audit names a service for, `(url, service)`, latest first: read
/// once for all the frames a sync draws (the audit can hold thousands of lines).
pub fn audited_services() -> Result<Vec<(String, String)>, JsValue> {
    let lines: js_sys::Array = call("audit", None)?.dyn_into()?;
    Ok(lines
        .iter()
        .rev()
        .filter_map(|line| {
            let service = field(&line, "service").as_string()?;
            Some((field(&line, "url").as_string()?, service))
        })
        .collect())
}

/// The services the checkpoint met on this page (held, released or allowed), from its audit
/// log, first met first.
pub fn services_met() -> Result<Vec<String>, JsValue> {
    let lines: js_sys::Array = call("audit", None)?.dyn_into()?;
    let mut ids: Vec<String> = Vec::new();
    for line in lines.iter() {
        if let Some(id) = field(&line, "service").as_string() {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}
