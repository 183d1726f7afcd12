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

/// The GPC marker cookie: GPC was sent on an earlier page of a visitor who has not chosen, in the
/// regime where ads are allowed until refused (docs/contracts.md §4).
const GPC_MARKER: &str = "sekisho_gpc";

/// The `sekisho` cookie's value, if set, and whether the GPC marker is (one read of
/// `document.cookie`).
pub fn read_cookie() -> (Option<String>, bool) {
    let cookies = html_document()
        .and_then(|d| d.cookie().ok())
        .unwrap_or_default();
    let mut value = None;
    let mut marker = false;
    for pair in cookies.split(';') {
        match pair.trim().split_once('=') {
            Some((name, v)) if name == COOKIE_NAME => value = Some(v.to_string()),
            Some((name, _)) if name == GPC_MARKER => marker = true,
            _ => {}
        }
    }
    GPC_MARKER_SET.with(|set| set.set(marker));
    (value, marker)
}

/// Remembers GPC's opt-out of a visitor who has not chosen (for as long as a choice would last),
/// or forgets it (`max_age_secs` 0: once they choose).
pub fn write_gpc_marker(max_age_secs: u64) {
    write(GPC_MARKER, "1", max_age_secs);
    GPC_MARKER_SET.with(|set| set.set(max_age_secs > 0));
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
    write(COOKIE_NAME, value, max_age_secs);
}

fn write(name: &str, value: &str, max_age_secs: u64) {
    let Some(doc) = html_document() else { return };
    let mut c = String::with_capacity(128);
    c.push_str(name);
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
    // A choice speaks for the visitor from now on: a remembered GPC is not needed any more.
    if GPC_MARKER_SET.with(|set| set.get()) {
        write_gpc_marker(0);
    }
}

thread_local! {
    /// Whether this page read or wrote the GPC marker (so that `save` deletes it only then).
    static GPC_MARKER_SET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub fn clear() {
    write_cookie("", 0);
    if let Some(ls) = local_storage() {
        let _ = ls.remove_item(COOKIE_NAME);
    }
}
