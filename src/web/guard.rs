//! The runtime checkpoint's decisions. `js/guards.js` intercepts every way a page starts a
//! request (element creation and insertion, attribute and property setters, HTML strings,
//! `fetch`, XHR, beacons, sockets, `document.cookie`) and asks these exports what to do; the
//! policy stays here, the interception there.

use super::{dom, record, with_sdk, Sdk};
use crate::core::config::UnknownThirdParty;
use crate::core::html;
use crate::core::matcher::{is_data_document, resolve_relative, Destination};
use crate::core::revoke;
use crate::core::Category;
use std::cell::Cell;
use wasm_bindgen::prelude::*;

/// How the page may load one URL.
struct Verdicts {
    /// The `data-consent` requirement to hold it under; `None` lets it through.
    hold: Option<String>,
    service: Option<String>,
    /// The category the decision depends on; `None` when no choice can change it (first party,
    /// neutral CDN, no request, an unknown third party the site allows).
    category: Option<Category>,
}

fn judge(sdk: &Sdk, url: &str) -> Verdicts {
    match sdk.matcher.classify(url) {
        Destination::Service(m) => {
            let granted = sdk.allows(&m);
            Verdicts {
                hold: (!granted).then(|| ["service:", m.service].concat()),
                service: Some(m.service.into()),
                category: Some(m.category),
            }
        }
        // Unknown third parties the site chose to block wait for `ads`: the category whose
        // consent covers arbitrary third-party processing (README, "Runtime checkpoint").
        Destination::Unknown if sdk.config.unknown_third_party == UnknownThirdParty::Block => {
            Verdicts {
                hold: (!sdk.state.granted(Category::Ads)).then(|| "ads".into()),
                service: None,
                category: Some(Category::Ads),
            }
        }
        _ => Verdicts {
            hold: None,
            service: None,
            category: None,
        },
    }
}

/// A frame document whose script would run in an opaque origin the guards cannot reach: a
/// `data:` document, or content the page made (`srcdoc`, `blob:`) in a sandbox without
/// `allow-same-origin`. It is held until `ads`, the category whose consent covers arbitrary
/// third-party processing (README, "Runtime checkpoint").
fn judge_opaque(sdk: &Sdk) -> Verdicts {
    Verdicts {
        hold: (!sdk.state.granted(Category::Ads)).then(|| "ads".into()),
        service: None,
        category: Some(Category::Ads),
    }
}

/// `url` as a frame's (`frame`: a `data:` document is then opaque) or any other element's URL.
fn judge_url(sdk: &Sdk, url: &str, frame: bool) -> Verdicts {
    if frame && is_data_document(url) {
        judge_opaque(sdk)
    } else {
        judge(sdk, url)
    }
}

fn audit_kind(kind: &str) -> &'static str {
    match kind {
        "script" => "script",
        "iframe" | "opaque" => "iframe",
        "img" => "img",
        "link" => "link",
        "media" => "media",
        "form" => "form",
        "xhr" => "xhr",
        "beacon" => "beacon",
        "websocket" => "websocket",
        "eventsource" => "eventsource",
        _ => "fetch",
    }
}

/// The requirement to hold `url` under (`"service:ga4"`), or, to let it through, `""` when no
/// choice can change that (the guards may remember it for the page's life) and `"+"` when it
/// is allowed by the choice in effect. `kind` is the audit kind; `via` names the API for an
/// audit line, or is empty for none (elements are audited by the markup checkpoint once they
/// are in the document). Before the SDK has started, everything is held ("unavailable" is a
/// requirement nothing grants). Kind `opaque`: the guards found a sandboxed frame of page-made
/// content (see [`judge_opaque`]).
#[wasm_bindgen]
pub fn hold(url: &str, kind: &str, via: &str) -> String {
    let Some(v) = with_sdk(|sdk| {
        if kind == "opaque" {
            judge_opaque(sdk)
        } else {
            judge_url(sdk, url, kind == "iframe")
        }
    }) else {
        return "unavailable".into();
    };
    if !via.is_empty() && (v.hold.is_some() || v.service.is_some()) {
        let action = if v.hold.is_some() {
            "blocked"
        } else {
            "allowed"
        };
        record(
            audit_kind(kind),
            via.into(),
            url.into(),
            v.service,
            v.category,
            action,
        );
    }
    match v.hold {
        Some(requirement) => requirement,
        None if v.category.is_none() => String::new(),
        None => "+".into(),
    }
}

/// `html` with the tags to hold turned into inert markup; if nothing changes, `"+"` when a URL
/// in it is decided by the choice in effect, else `undefined` (no choice can change that: the
/// guards may remember the string). (The held tags are audited by the markup checkpoint once
/// they are in a watched document, with `via`, the API the HTML came through.) `base` is the
/// document's base URL when a `<base href>` moved it from the page's URL (relative URLs load
/// against it), else empty.
#[wasm_bindgen]
pub fn rewrite_html(html: &str, via: &str, base: &str) -> Option<String> {
    if !html.contains('<') {
        return None;
    }
    let decided = Cell::new(false);
    with_sdk(|sdk| {
        let rewritten = html::rewrite(html, via, |kind, url| {
            if url.is_empty() {
                return None; // an inline script: nothing to match it by
            }
            // (A `data:` URL is absolute: resolving it against `base` leaves it as it is.)
            let resolved = (!base.is_empty())
                .then(|| resolve_relative(base, url))
                .flatten();
            let v = judge_url(
                sdk,
                resolved.as_deref().unwrap_or(url),
                kind == html::TagKind::Iframe,
            );
            decided.set(decided.get() || v.category.is_some());
            v.hold
        });
        rewritten.or_else(|| decided.get().then(|| "+".into()))
    })
    .flatten()
}

/// Whether a `document.cookie = …` write may go through: not for a catalog cookie of a
/// service that is not allowed. Deletions always pass.
#[wasm_bindgen]
pub fn cookie_allowed(write: &str, via: &str) -> bool {
    if revoke::is_deletion(write) {
        return true;
    }
    let name = revoke::written_name(write);
    let refused = with_sdk(|sdk| {
        let m = sdk.matcher.match_cookie(name)?;
        let granted = sdk.allows(&m);
        (!granted).then(|| (m.service.to_string(), m.category))
    })
    .flatten();
    match refused {
        Some((service, category)) => {
            record(
                "cookie",
                via.into(),
                name.into(),
                Some(service),
                Some(category),
                "blocked",
            );
            false
        }
        None => true,
    }
}

/// Deletes every cookie of a catalog service that is not allowed now, on every domain and
/// path a tag may have used.
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
        revoke::names(&header)
            .filter(|name| {
                sdk.matcher
                    .match_cookie(name)
                    .is_some_and(|m| !sdk.allows(&m))
            })
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
#[wasm_bindgen]
pub fn sweep_storage() {
    let Some(window) = dom::window() else { return };
    for storage in [window.local_storage(), window.session_storage()] {
        let Ok(Some(storage)) = storage else { continue };
        let keys: Vec<String> = (0..storage.length().unwrap_or(0))
            .filter_map(|i| storage.key(i).ok().flatten())
            .collect();
        let doomed: Vec<String> = with_sdk(|sdk| {
            keys.into_iter()
                .filter(|key| {
                    sdk.matcher
                        .match_storage_key(key)
                        .is_some_and(|m| !sdk.allows(&m))
                })
                .collect()
        })
        .unwrap_or_default();
        for key in doomed {
            let _ = storage.remove_item(&key);
        }
    }
}

/// What tags of services not allowed left on the site: their cookies and storage keys.
pub fn sweep_stored() {
    sweep_cookies();
    sweep_storage();
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
