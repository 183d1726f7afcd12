//! Small browser helpers shared by the shell.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{console, Document, Window};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]);
}

pub fn window() -> Option<Window> {
    web_sys::window()
}

pub fn document() -> Option<Document> {
    window()?.document()
}

fn prefixed(parts: &[&str]) -> JsValue {
    let mut s = String::from("[sekisho] ");
    for p in parts {
        s.push_str(p);
    }
    JsValue::from_str(&s)
}

/// `console.error("[sekisho] " + parts…)`.
pub fn error(parts: &[&str]) {
    console::error_1(&prefixed(parts));
}

pub fn warn(parts: &[&str]) {
    console::warn_1(&prefixed(parts));
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub fn now_secs() -> u64 {
    (now_ms() / 1000.0) as u64
}

pub fn random_bytes() -> [u8; 16] {
    let mut buf = [0u8; 16];
    get_random_values(&mut buf);
    buf
}

/// `obj[key]` as a JS value (undefined when missing or on a throwing getter).
pub fn prop(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `navigator.globalPrivacyControl === true`.
pub fn gpc() -> bool {
    window().is_some_and(|w| prop(&w.navigator(), "globalPrivacyControl") == JsValue::TRUE)
}

/// The IANA time zone the browser reports (`Asia/Tokyo`), if any. `Temporal.Now.timeZoneId()`
/// takes well under a millisecond; the `Intl.DateTimeFormat` fallback can take 20–90 ms at
/// first use (locale data), so callers ask only when the regime depends on the region.
pub fn time_zone() -> Option<String> {
    let now = prop(&prop(&js_sys::global(), "Temporal"), "Now");
    if let Ok(f) = prop(&now, "timeZoneId").dyn_into::<js_sys::Function>() {
        if let Some(tz) = f.call0(&now).ok().and_then(|v| v.as_string()) {
            return Some(tz);
        }
    }
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &Object::new());
    prop(&format.resolved_options(), "timeZone").as_string()
}
