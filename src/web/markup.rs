//! The markup checkpoint. Elements written as `<script type="text/plain" data-consent=…>`,
//! `<iframe|img data-consent data-src>` or `<link data-consent data-href>` make no request; they
//! are released when (and only when) their category or service is granted: scripts run in place
//! in document order (a released blocking `src` script is awaited before the next one), iframes
//! and images given their `src`, links their `href`.
//!
//! Element states, in `data-sekisho`: absent (not seen yet) → `held` → `queued` → `released`
//! ([`State`]).

use super::dom;
use super::{record, with_sdk, Entry};
use crate::core::audit::Action;
use crate::core::elements;
use crate::core::requirement::Requirement;
use crate::core::{Category, Kind};
use js_sys::Array;
use std::cell::RefCell;
use std::collections::VecDeque;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlScriptElement};

const STATE: &str = "data-sekisho";
const SELECTOR: &str = "[data-consent]";

/// Where a marked element is, in `data-sekisho`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Waiting for its requirement.
    Held,
    /// Allowed, waiting for its turn in document order.
    Queued,
    Released,
    /// A `<script data-consent>` that was not made inert (`type="text/plain"`): it ran.
    Unmarked,
}

impl State {
    fn id(self) -> &'static str {
        match self {
            State::Held => "held",
            State::Queued => "queued",
            State::Released => "released",
            State::Unmarked => "unmarked",
        }
    }

    fn of(el: &Element) -> Option<State> {
        match el.get_attribute(STATE)?.as_str() {
            "held" => Some(State::Held),
            "queued" => Some(State::Queued),
            "released" => Some(State::Released),
            "unmarked" => Some(State::Unmarked),
            _ => None,
        }
    }

    fn set(self, el: &Element) {
        let _ = el.set_attribute(STATE, self.id());
    }
}

#[derive(Default)]
struct Queue {
    pending: VecDeque<Element>,
    /// A released blocking script is loading: later ones wait for it.
    waiting: bool,
    pumping: bool,
}

thread_local! {
    static QUEUE: RefCell<Queue> = RefCell::new(Queue::default());
    /// The documents the observer watches: the page's and its same-origin frames'.
    static WATCHED: RefCell<Vec<Document>> = const { RefCell::new(Vec::new()) };
}

#[cfg(test)]
pub fn reset() {
    QUEUE.with(|q| *q.borrow_mut() = Queue::default());
    WATCHED.with(|w| w.borrow_mut().clear());
}

/// `node` as an element, also when it was created in another realm (an iframe's `document`):
/// `dyn_into` checks `instanceof` against this realm's `Element` and would miss it.
fn as_element(node: web_sys::Node) -> Option<Element> {
    (node.node_type() == web_sys::Node::ELEMENT_NODE).then(|| node.unchecked_into())
}

const SVG: &str = "http://www.w3.org/2000/svg";

/// What a markable element loads (the element table), `None` for tags the checkpoint does not
/// handle. Elements of another realm are read by name, never `instanceof`.
fn kind_of(el: &Element) -> Option<Kind> {
    let name = el.local_name();
    let rule = if el.namespace_uri().as_deref() == Some(SVG) {
        elements::svg(&name)
    } else {
        elements::html(&name)
    };
    rule.map(|r| r.kind)
}

/// The API a held element came through (set by the guards), or `markup` for one the site marked.
fn via_of(el: &Element) -> String {
    el.get_attribute("data-sekisho-via")
        .unwrap_or_else(|| "markup".into())
}

/// The URL an element will load, for the audit (empty for inline scripts; `about:srcdoc` for a
/// held `srcdoc` document).
fn url_of(el: &Element) -> String {
    if el.has_attribute("data-srcdoc") {
        return "about:srcdoc".into();
    }
    // An inline module script held for an import (js/guards/modules.js).
    if let Some(import) = el.get_attribute("data-sekisho-import") {
        return import;
    }
    // `src` and `href` first: the held attributes are listed in release order, those last.
    let held = elements::held_attributes().iter().rev();
    held.map(|(held, _)| *held)
        .chain(["src"])
        .find_map(|a| el.get_attribute(a))
        .unwrap_or_default()
}

/// The guards' MutationObserver (one per watched document, in `js/guards/parser.js`) hands over the
/// elements the parser or page code added: marked ones are held or queued, then released in order.
#[wasm_bindgen]
pub fn added(nodes: Array) {
    for node in nodes.iter() {
        if let Some(el) = as_element(node.unchecked_into()) {
            if el.has_attribute("data-consent") {
                consider(&el);
            }
            if el.first_element_child().is_some() {
                scan(&el);
            }
        }
    }
    pump();
}

/// Adds a document (the page's, or a same-origin child frame's) to those scanned after each
/// decision. Returns whether it is new.
pub fn watch(doc: &Document) -> bool {
    WATCHED.with(|w| {
        let mut w = w.borrow_mut();
        let fresh = !w.iter().any(|d| d == doc);
        if fresh {
            w.push(doc.clone());
        }
        fresh
    })
}

/// `sekisho` guards call this for each same-origin child frame's document (`srcdoc`,
/// `about:blank`): marked and held elements there are audited and released too.
#[wasm_bindgen]
pub fn observe_document(doc: JsValue) {
    // Not `dyn_into`: the frame's document belongs to the frame's realm.
    if !doc.is_object() {
        return;
    }
    let doc: &Document = doc.unchecked_ref();
    if let Some(root) = doc.document_element().filter(|_| watch(doc)) {
        scan(&root);
        pump();
    }
}

/// Considers every marked element under `root`, in document order.
fn scan(root: &Element) {
    if let Ok(list) = root.query_selector_all(SELECTOR) {
        for i in 0..list.length() {
            if let Some(el) = list.get(i).and_then(as_element) {
                consider(&el);
            }
        }
    }
}

/// Considers every watched document and releases what is now allowed (at start and on change).
pub fn scan_document() {
    // Frames that were removed or navigated away leave documents without a window: drop them.
    let roots: Vec<Element> = WATCHED.with(|w| {
        let mut w = w.borrow_mut();
        w.retain(|d| d.default_view().is_some());
        w.iter().filter_map(|d| d.document_element()).collect()
    });
    for root in &roots {
        scan(root);
    }
    pump();
}

/// What a marked element's `data-consent` asks for, as the audit names it, and whether it is
/// allowed now.
struct Marked {
    /// `None` for an unreadable value (held for good).
    requirement: Option<Requirement>,
    service: Option<String>,
    category: Option<Category>,
    allowed: bool,
}

fn marked(el: &Element) -> Option<Marked> {
    let raw = el.get_attribute("data-consent").unwrap_or_default();
    let requirement = Requirement::parse(&raw);
    let url = url_of(el);
    with_sdk(|sdk| {
        let (service, category) = requirement
            .as_ref()
            .map_or((None, None), |r| sdk.checkpoint.describe(r));
        // A category mark names no service: the audit names the one its URL belongs to.
        let service = service.or_else(|| sdk.checkpoint.service_of(&url));
        let allowed = requirement
            .as_ref()
            .is_some_and(|r| sdk.checkpoint.allows_marked(r, &url));
        Marked {
            service: service.map(String::from),
            category,
            allowed,
            requirement,
        }
    })
}

/// Writes the audit line of a marked element.
fn audit(kind: Kind, via: &str, url: &str, m: &Marked, action: Action) {
    record(Entry {
        kind,
        via,
        url,
        service: m.service.as_deref(),
        category: m.category,
        action,
    });
}

/// A released frame whose consent was withdrawn goes back to being held: it is sent to
/// `about:blank` (stopping the embed) and keeps its URL for a later release. (A reload in the same
/// tab may still restore an unmarked parsed frame's last URL from session history: README.)
fn rehold_frame(el: &Element) {
    if el.local_name() != "iframe" {
        return;
    }
    let Some(m) = marked(el).filter(|m| !m.allowed) else {
        return;
    };
    let url = el.get_attribute("src").unwrap_or_default();
    let _ = el.set_attribute("data-src", &url);
    State::Held.set(el);
    let _ = el.set_attribute("src", "about:blank");
    audit(Kind::Iframe, "revoke", &url, &m, Action::Blocked);
}

/// Holds or queues one marked element.
fn consider(el: &Element) {
    let state = State::of(el);
    match state {
        Some(State::Released) => return rehold_frame(el),
        Some(State::Queued | State::Unmarked) => return,
        Some(State::Held) | None => {}
    }
    let Some(kind) = kind_of(el) else { return };
    if held_by_type(el) && !is_inert_script(el) {
        State::Unmarked.set(el);
        dom::warn(&[
            "a <script data-consent> without type=\"text/plain\" runs without consent: ",
            &url_of(el),
        ]);
        return;
    }
    let Some(m) = marked(el) else { return };
    if m.allowed {
        State::Queued.set(el);
        QUEUE.with(|q| q.borrow_mut().pending.push_back(el.clone()));
    } else if state.is_none() {
        State::Held.set(el);
        if m.requirement.is_none() {
            dom::error(&[
                "data-consent=\"",
                &el.get_attribute("data-consent").unwrap_or_default(),
                "\" is not a category or service:<id>; the element stays held",
            ]);
        }
        audit(kind, &via_of(el), &url_of(el), &m, Action::Blocked);
    }
}

/// A `<script>` held by its type (`text/plain`, its own kept in `data-type`): an HTML one, and
/// an inline SVG one (a module the guards held for its imports, one the page marked). (An SVG
/// one with an `href` is held by it alone, and released by getting it back.)
fn held_by_type(el: &Element) -> bool {
    el.local_name() == "script"
        && (el.namespace_uri().as_deref() != Some(SVG)
            || el.has_attribute("data-type")
            || !["href", "xlink:href", "data-href"]
                .iter()
                .any(|a| el.has_attribute(a)))
}

/// A marked script is inert when its type is one the browser will not run.
fn is_inert_script(el: &Element) -> bool {
    !elements::is_runnable_script_type(el.get_attribute("type").as_deref())
}

/// `sekisho.loadOnce(element)`: one held element (an embed's "load this once") is released for
/// this page view although its requirement is not met; no choice is recorded, so the next scan
/// after a choice that does not allow it holds it again ([`rehold_frame`]). The bootstrap exempts
/// the element from the guards first. Whether it was held.
#[wasm_bindgen]
pub fn release_once(el: Element) -> bool {
    if State::of(&el) != Some(State::Held) || kind_of(&el).is_none() {
        return false;
    }
    State::Queued.set(&el);
    let _ = el.set_attribute("data-sekisho-via", "loadOnce");
    QUEUE.with(|q| q.borrow_mut().pending.push_back(el));
    pump();
    true
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
    let Some(m) = marked(el) else { return };
    // The audit line comes first: an inline script released below may already read it.
    audit(kind, &via_of(el), &url, &m, Action::Released);
    if held_by_type(el) {
        release_script(el);
        return;
    }
    State::Released.set(el);
    if el.local_name() == "iframe" && in_parsing_task(el) {
        // Chromium ignores a `src` given to a frame the parser inserted before that task ends
        // (the observer's microtask): the frame stays on about:blank. It gets it in the next task.
        let later = el.clone();
        let give_back = Closure::once_into_js(move || give_back_urls(&later));
        if let Some(window) = dom::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                give_back.unchecked_ref(),
                0,
            );
        }
        return;
    }
    give_back_urls(el);
    // A <video>/<audio> does not look at a <source> that gets its URL later: ask it to.
    if el.local_name() == "source" {
        if let Some(media) = el
            .parent_element()
            .filter(|p| matches!(p.local_name().as_str(), "video" | "audio"))
        {
            if let Ok(load) = dom::prop(&media, "load").dyn_into::<js_sys::Function>() {
                let _ = load.call0(&media);
            }
        }
    }
}

/// Whether `el` may have been inserted by the parser in the task running now: its document is
/// still being parsed.
fn in_parsing_task(el: &Element) -> bool {
    el.owner_document()
        .is_some_and(|d| d.ready_state() == "loading")
}

/// A released element's URL attributes back from `data-*`, `src` last: an <img> picks its source
/// when `src` is set, with `srcset`/`sizes` in place.
fn give_back_urls(el: &Element) {
    for (held, attribute) in elements::held_attributes() {
        move_attribute(el, held, attribute);
    }
}

fn move_attribute(el: &Element, from: &str, to: &str) {
    if let Some(v) = el.get_attribute(from) {
        let _ = el.set_attribute(to, &v);
        let _ = el.remove_attribute(from);
    }
}

/// Runs an inert script in place: its real type back (from `data-type`), then `src` set (from
/// `data-src` or `src`) or its text re-set, which makes the browser prepare it again. The same
/// element runs, so what page code attached to it stays: an `onload` handler (the UET snippet
/// relies on it), listeners, references, the nonce.
fn release_script(el: &Element) {
    // Not `dyn_ref`: an element created in another realm fails this realm's `instanceof`.
    let script: &HtmlScriptElement = el.unchecked_ref();
    match el.get_attribute("data-type") {
        Some(t) => {
            let _ = el.set_attribute("type", &t);
            let _ = el.remove_attribute("data-type");
        }
        None => {
            let _ = el.remove_attribute("type");
        }
    }
    State::Released.set(el);
    let src = el
        .get_attribute("data-src")
        .or_else(|| el.get_attribute("src"));
    let Some(src) = src else {
        // Re-setting the text is a children change: the browser prepares (runs) it now.
        script.set_text_content(script.text_content().as_deref());
        return;
    };
    let _ = el.remove_attribute("data-src");
    // The browser prepares a script when `src` is *added*: remove a markup `src` first.
    let _ = el.remove_attribute("src");
    // Inserted scripts default to async; keep the author's ordering instead.
    let is_async = el.has_attribute("async");
    script.set_async(is_async);
    if !is_async {
        QUEUE.with(|q| q.borrow_mut().waiting = true);
        let resume = Closure::<dyn FnMut()>::new(|| {
            let was_waiting = QUEUE.with(|q| std::mem::replace(&mut q.borrow_mut().waiting, false));
            if was_waiting {
                pump();
            }
        })
        .into_js_value();
        let resume: &js_sys::Function = resume.unchecked_ref();
        let _ = el.add_event_listener_with_callback("load", resume);
        let _ = el.add_event_listener_with_callback("error", resume);
    }
    if el.set_attribute("src", &src).is_err() || !el.is_connected() {
        // Nothing will load: do not wait for it.
        QUEUE.with(|q| q.borrow_mut().waiting = false);
    }
}
