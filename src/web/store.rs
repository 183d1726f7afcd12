//! Where the choice lives in the browser: the `sekisho` cookie (readable by the site's server)
//! and a localStorage copy (survives cookie clearing by the browser). The cookie wins when
//! present; a corrupt value is cleared from both so the visitor is asked again.

use super::dom::{document, window};
use crate::core::cookie::{self, COOKIE_NAME};
use crate::core::StoredChoice;
use wasm_bindgen::JsCast;
use web_sys::{HtmlDocument, Storage};

fn html_document() -> Option<HtmlDocument> {
    document()?.dyn_into().ok()
}

fn local_storage() -> Option<Storage> {
    // Throws in sandboxed frames and with storage disabled: then the cookie alone is used.
    window()?.local_storage().ok().flatten()
}

/// The `sekisho` cookie's value, if set.
pub fn read_cookie() -> Option<String> {
    let cookies = html_document()?.cookie().unwrap_or_default();
    cookies.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE_NAME).then(|| value.to_string())
    })
}

/// The localStorage copy, if any. Its first access in a page can cost milliseconds: callers
/// read it only when the cookie is missing, and not during start.
pub fn read_local() -> Option<String> {
    local_storage()?.get_item(COOKIE_NAME).ok().flatten()
}

fn secure() -> bool {
    window().is_some_and(|w| w.location().protocol().is_ok_and(|p| p == "https:"))
}

fn write_cookie(value: &str, max_age_secs: u64) {
    let Some(doc) = html_document() else { return };
    let mut c = String::with_capacity(128);
    c.push_str(COOKIE_NAME);
    c.push('=');
    c.push_str(value);
    c.push_str("; Path=/; SameSite=Lax; Max-Age=");
    cookie::push_decimal(&mut c, max_age_secs);
    if secure() {
        c.push_str("; Secure");
    }
    let _ = doc.set_cookie(&c);
}

/// Writes both copies; the cookie expires when the choice does (`decided_at` + max age).
pub fn save(choice: &StoredChoice, max_age_days: u32, now_secs: u64) {
    let value = cookie::encode(choice);
    let expires = choice.decided_at + u64::from(max_age_days) * 86_400;
    write_cookie(&value, expires.saturating_sub(now_secs));
    if let Some(ls) = local_storage() {
        let _ = ls.set_item(COOKIE_NAME, &value);
    }
}

pub fn clear() {
    write_cookie("", 0);
    if let Some(ls) = local_storage() {
        let _ = ls.remove_item(COOKIE_NAME);
    }
}
