//! What tags of services not allowed left on the site: their cookies (deleted on every domain
//! and path a tag may have used) and their `localStorage`/`sessionStorage` keys. Swept when
//! consent is withdrawn (at once and again after 1, 4 and 10 s: tags still running re-create
//! them) and, once a page has loaded, when something may have been left since
//! (`Checkpoint::sweep_due`): storage is opened only then, its first access costs milliseconds.

use super::{dom, with_sdk};
use crate::core::revoke;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Deletes every cookie of a catalog service that is not allowed now.
pub fn sweep_cookies() {
    let Some(doc) = dom::document() else { return };
    let Ok(html_doc) = doc.dyn_into::<web_sys::HtmlDocument>() else {
        return;
    };
    let header = html_doc.cookie().unwrap_or_default();
    let Some(location) = dom::window().map(|w| w.location()) else {
        return;
    };
    let host = location.hostname().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    let doomed: Vec<String> = with_sdk(|sdk| {
        sdk.checkpoint
            .doomed_cookies(&header)
            .map(String::from)
            .collect()
    })
    .unwrap_or_default();
    for name in doomed {
        for write in revoke::deletion_writes(&name, &host, &path) {
            let _ = html_doc.set_cookie(&write);
        }
    }
}

/// Removes every `localStorage` / `sessionStorage` key of a catalog service that is not allowed
/// now. (Storage the browser refuses to open has nothing of ours to clear.)
pub fn sweep_storage() {
    let Some(window) = dom::window() else { return };
    for storage in [window.local_storage(), window.session_storage()] {
        let Ok(Some(storage)) = storage else { continue };
        let keys: Vec<String> = (0..storage.length().unwrap_or(0))
            .filter_map(|i| storage.key(i).ok().flatten())
            .collect();
        let doomed: Vec<String> = with_sdk(|sdk| {
            keys.into_iter()
                .filter(|key| sdk.checkpoint.doomed_storage_key(key))
                .collect()
        })
        .unwrap_or_default();
        for key in doomed {
            let _ = storage.remove_item(&key);
        }
    }
}

/// Sweeps both.
pub fn sweep_stored() {
    sweep_cookies();
    sweep_storage();
}

/// Called by the bootstrap once the page has loaded and is idle: sweeps if it is due.
#[wasm_bindgen]
pub fn sweep_after_load() {
    if with_sdk(|sdk| std::mem::take(&mut sdk.checkpoint.sweep_due)) == Some(true) {
        sweep_stored();
    }
}

/// Sweeps now and again later: tags that still run re-create their cookies and keys.
pub fn sweep_stored_repeatedly() {
    sweep_stored();
    let Some(window) = dom::window() else { return };
    for delay in [1_000, 4_000, 10_000] {
        let again = Closure::once_into_js(sweep_stored);
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(again.unchecked_ref(), delay);
    }
}
