//! The markup checkpoint. Elements written as `<script type="text/plain" data-consent=…>`,
//! `<iframe|img data-consent data-src>` or `<link data-consent data-href>` make no request; they
//! are released when (and only when) their category or service is granted: scripts re-created
//! in document order (a released blocking `src` script is awaited before the next one), iframes
//! and images given their `src`, links their `href`.
//!
//! Element states, in `data-sekisho`: absent (not seen yet) → `held` → `queued` → `released`.

use super::dom::{self, document};
use super::with_sdk;
use crate::core::markup::Requirement;
use js_sys::Array;
use std::cell::RefCell;
use std::collections::VecDeque;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlScriptElement, MutationObserver, MutationObserverInit};

const STATE: &str = "data-sekisho";
const SELECTOR: &str = "[data-consent]";

#[derive(Default)]
struct Queue {
    pending: VecDeque<Element>,
    /// A released blocking script is loading: later ones wait for it.
    waiting: bool,
    pumping: bool,
}

thread_local! {
    static QUEUE: RefCell<Queue> = RefCell::new(Queue::default());
    static OBSERVING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
pub fn reset() {
    QUEUE.with(|q| *q.borrow_mut() = Queue::default());
}

/// The audit kind of a markable element, `None` for tags the checkpoint does not handle.
fn kind_of(el: &Element) -> Option<&'static str> {
    match el.tag_name().as_str() {
        "SCRIPT" => Some("script"),
        "IFRAME" => Some("iframe"),
        "IMG" => Some("img"),
        "LINK" => Some("link"),
        _ => None,
    }
}

/// The URL an element will load, for the audit (empty for inline scripts).
fn url_of(el: &Element) -> String {
    ["data-src", "src", "data-href"]
        .iter()
        .find_map(|a| el.get_attribute(a))
        .unwrap_or_default()
}

/// Watches the document for marked elements the parser or page code adds later.
pub fn install_observer() {
    let Some(doc) = document() else { return };
    if OBSERVING.with(|o| o.replace(true)) {
        return;
    }
    let callback = Closure::<dyn FnMut(Array)>::new(|records: Array| {
        for record in records.iter() {
            let record: web_sys::MutationRecord = record.unchecked_into();
            let added = record.added_nodes();
            for i in 0..added.length() {
                if let Some(el) = added.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    if el.has_attribute("data-consent") {
                        consider(&el);
                    }
                    if el.first_element_child().is_some() {
                        scan(&el);
                    }
                }
            }
        }
        pump();
    });
    let Ok(observer) = MutationObserver::new(callback.as_ref().unchecked_ref()) else {
        dom::error(&["cannot observe the document; marked tags added later stay held"]);
        return;
    };
    callback.forget(); // lives as long as the page
    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    if let Some(root) = doc.document_element() {
        let _ = observer.observe_with_options(&root, &init);
    }
}

/// Considers every marked element under `root`, in document order.
fn scan(root: &Element) {
    if let Ok(list) = root.query_selector_all(SELECTOR) {
        for i in 0..list.length() {
            if let Some(el) = list.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                consider(&el);
            }
        }
    }
}

/// Considers the whole document and releases what is now allowed (at start and on change).
pub fn scan_document() {
    if let Some(root) = document().and_then(|d| d.document_element()) {
        scan(&root);
    }
    pump();
}

/// Holds or queues one marked element.
fn consider(el: &Element) {
    let state = el.get_attribute(STATE);
    if matches!(state.as_deref(), Some("queued" | "released")) {
        return;
    }
    let Some(kind) = kind_of(el) else { return };
    if kind == "script" && !is_inert_script(el) {
        if state.is_none() {
            el.set_attribute(STATE, "unmarked").ok();
            dom::warn(&[
                "a <script data-consent> without type=\"text/plain\" runs without consent: ",
                &url_of(el),
            ]);
        }
        return;
    }
    let raw = el.get_attribute("data-consent").unwrap_or_default();
    let requirement = Requirement::parse(&raw);
    let verdict = with_sdk(|sdk| {
        let (service, category) = match &requirement {
            Some(Requirement::Category(c)) => (None, Some(*c)),
            Some(Requirement::Service(id)) => (Some(id.clone()), sdk.category_of(id)),
            None => (None, None),
        };
        let allowed = requirement
            .as_ref()
            .is_some_and(|r| sdk.state.allows(r, |id| sdk.category_of(id)));
        (allowed, service, category)
    });
    let Some((allowed, service, category)) = verdict else {
        return;
    };
    if allowed {
        let _ = el.set_attribute(STATE, "queued");
        QUEUE.with(|q| q.borrow_mut().pending.push_back(el.clone()));
    } else if state.is_none() {
        let _ = el.set_attribute(STATE, "held");
        if requirement.is_none() {
            dom::error(&[
                "data-consent=\"",
                &raw,
                "\" is not a category or service:<id>; the element stays held",
            ]);
        }
        super::record(kind, url_of(el), service, category, "blocked");
    }
}

/// A marked script is inert when its type is one the browser will not run.
fn is_inert_script(el: &Element) -> bool {
    el.get_attribute("type")
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/plain"))
}

/// Releases queued elements in order, pausing after a blocking script until it has loaded.
pub fn pump() {
    let reentered = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        std::mem::replace(&mut q.pumping, true)
    });
    if reentered {
        return; // the outer pump (an inline script released below called back) carries on
    }
    loop {
        let next = QUEUE.with(|q| {
            let mut q = q.borrow_mut();
            if q.waiting {
                None
            } else {
                q.pending.pop_front()
            }
        });
        let Some(el) = next else { break };
        release(&el);
    }
    QUEUE.with(|q| q.borrow_mut().pumping = false);
}

fn release(el: &Element) {
    let Some(kind) = kind_of(el) else { return };
    let url = url_of(el);
    let raw = el.get_attribute("data-consent").unwrap_or_default();
    let (service, category) = match Requirement::parse(&raw) {
        Some(Requirement::Category(c)) => (None, Some(c)),
        Some(Requirement::Service(id)) => {
            let category = with_sdk(|sdk| sdk.category_of(&id)).flatten();
            (Some(id), category)
        }
        None => (None, None),
    };
    // The audit line comes first: an inline script released below may already read it.
    super::record(kind, url, service, category, "released");
    if kind == "script" {
        release_script(el);
    } else {
        let (from, to) = if kind == "link" {
            ("data-href", "href")
        } else {
            ("data-src", "src")
        };
        if kind == "img" {
            move_attribute(el, "data-srcset", "srcset");
            move_attribute(el, "data-sizes", "sizes");
        }
        let _ = el.set_attribute(STATE, "released");
        move_attribute(el, from, to);
    }
}

fn move_attribute(el: &Element, from: &str, to: &str) {
    if let Some(v) = el.get_attribute(from) {
        let _ = el.set_attribute(to, &v);
        let _ = el.remove_attribute(from);
    }
}

/// Replaces an inert script with a live copy: same attributes (async/defer, nonce, crossorigin,
/// integrity, data-*), its real type from `data-type`, its `src` from `src` or `data-src`.
fn release_script(old: &Element) {
    let Some(doc) = document() else { return };
    let Some(script) = doc
        .create_element("script")
        .ok()
        .and_then(|e| e.dyn_into::<HtmlScriptElement>().ok())
    else {
        return;
    };
    let names = old.get_attribute_names();
    for name in names.iter().filter_map(|n| n.as_string()) {
        if matches!(name.as_str(), "type" | "data-type" | "data-src" | STATE) {
            continue;
        }
        if let Some(v) = old.get_attribute(&name) {
            let _ = script.set_attribute(&name, &v);
        }
    }
    if let Some(t) = old.get_attribute("data-type") {
        let _ = script.set_attribute("type", &t);
    }
    // The nonce attribute reads as "" once parsed; the property keeps it.
    if let Some(nonce) = old.dyn_ref::<HtmlElement>().map(|h| h.nonce()) {
        if !nonce.is_empty() {
            script.set_nonce(&nonce);
        }
    }
    let _ = script.set_attribute(STATE, "released");
    let src = old
        .get_attribute("data-src")
        .or_else(|| old.get_attribute("src"));
    let blocking = src.is_some() && !old.has_attribute("async");
    match &src {
        Some(src) => {
            script.set_src(src);
            // Created scripts default to async; keep the author's ordering instead.
            script.set_async(old.has_attribute("async"));
        }
        None => {
            let _ = script.set_text(&old.text_content().unwrap_or_default());
        }
    }
    if blocking {
        QUEUE.with(|q| q.borrow_mut().waiting = true);
        let resume = Closure::<dyn FnMut()>::new(|| {
            let was_waiting = QUEUE.with(|q| std::mem::replace(&mut q.borrow_mut().waiting, false));
            if was_waiting {
                pump();
            }
        })
        .into_js_value();
        let resume: &js_sys::Function = resume.unchecked_ref();
        let _ = script.add_event_listener_with_callback("load", resume);
        let _ = script.add_event_listener_with_callback("error", resume);
    }
    if old.replace_with_with_node_1(&script).is_err() {
        // Detached meanwhile: nothing to wait for.
        QUEUE.with(|q| q.borrow_mut().waiting = false);
    }
}
