//! `JsValue` → [`Value`] without serde. serde-wasm-bindgen worked, but its error paths pull in
//! float formatting and `core::fmt`; converting by hand cut the optimised Wasm by about a third
//! (see BENCHMARKS.md). Host code and tests still deserialize `Value` with serde.

use crate::core::Value;
use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};

/// Deeper nesting than any config needs is cut off (and guards against cyclic objects).
const MAX_DEPTH: u8 = 16;

pub fn from_js(v: &JsValue) -> Value {
    convert(v, 0)
}

fn convert(v: &JsValue, depth: u8) -> Value {
    if depth > MAX_DEPTH || v.is_null() || v.is_undefined() {
        return Value::Null;
    }
    if let Some(b) = v.as_bool() {
        return Value::Bool(b);
    }
    if let Some(n) = v.as_f64() {
        return Value::Number(n);
    }
    if let Some(s) = v.as_string() {
        return Value::String(s);
    }
    if Array::is_array(v) {
        let items = v.unchecked_ref::<Array>().iter();
        return Value::Array(items.map(|item| convert(&item, depth + 1)).collect());
    }
    if v.is_object() && !v.is_function() {
        let entries = Object::entries(v.unchecked_ref());
        return Value::Object(
            entries
                .iter()
                .filter_map(|pair| {
                    let pair: Array = pair.unchecked_into();
                    Some((pair.get(0).as_string()?, convert(&pair.get(1), depth + 1)))
                })
                .collect(),
        );
    }
    Value::Null // functions, symbols, bigints
}
