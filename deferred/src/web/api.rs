//! The checkpoint as the UI sees it: `window.sekisho`, its public API, and nothing else.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::ui::CATEGORIES;

/// What the UI needs of `window.sekisho.get()`.
pub struct State {
    pub decided: bool,
    pub regime: String,
    pub gpc: bool,
    /// In the order of [`CATEGORIES`].
    pub granted: [bool; 5],
}

fn sekisho() -> Result<JsValue, JsValue> {
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
    Ok(State {
        decided: field(&s, "decided").as_bool() == Some(true),
        regime: field(&s, "regime").as_string().unwrap_or_default(),
        gpc: field(&s, "gpc").as_bool() == Some(true),
        granted,
    })
}

/// `window.sekisho.set({category: allowed, …})` for every category but `necessary`.
pub fn set_categories(allowed: &[(&str, bool)]) -> Result<(), JsValue> {
    let choices = Object::new();
    for (id, on) in allowed {
        Reflect::set(&choices, &(*id).into(), &(*on).into())?;
    }
    call("set", Some(&choices)).map(drop)
}
