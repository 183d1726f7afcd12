//! The web shell: runs the policy core in the page. Thin by design: every decision is made by
//! `crate::core`; this module only reads and writes the browser (storage, DOM, events).
//!
//! Invariant: no JavaScript is called (listeners, DOM insertion that may run a script) while
//! [`SDK`] is borrowed, so re-entrant calls from page code (a listener calling `get()`, a
//! released inline script calling `acceptAll()`) always find it free.

mod api;
mod dom;
mod guard;
mod markup;
mod store;

#[cfg(test)]
mod tests;

use crate::core::matcher::{Match, Matcher};
use crate::core::{Category, Config, ConsentState};
use js_sys::Function;
use std::cell::RefCell;

/// One line of `sekisho.audit()`.
pub(crate) struct AuditEntry {
    pub at: f64,
    pub kind: &'static str,
    /// The API it came through (`appendChild`, `innerHTML`, `parser`, `fetch`, …; `markup` for
    /// what the site marked itself).
    pub via: String,
    pub url: String,
    pub service: Option<String>,
    pub category: Option<Category>,
    pub action: &'static str,
}

/// A pending `require()`: its purpose and the promise's resolve function.
pub(crate) struct Waiter {
    pub purpose: crate::core::markup::Requirement,
    pub resolve: Function,
}

pub(crate) struct Sdk {
    pub config: Config,
    /// The catalog merged with the config's services, for this page's origin.
    pub matcher: Matcher,
    pub state: ConsentState,
    pub audit: Vec<AuditEntry>,
    pub listeners: Vec<(String, Function)>,
    pub waiters: Vec<Waiter>,
    /// `ready` has been emitted (late `on('ready')` listeners are called at once).
    pub ready: bool,
    /// There was no `sekisho` cookie at start: the localStorage copy is read at DOM ready.
    pub cookie_missing: bool,
}

impl Sdk {
    /// The category a service belongs to (the site's services, then the catalog).
    pub fn category_of(&self, service: &str) -> Option<Category> {
        self.matcher.category_of(service)
    }

    /// Whether a matched service may load (and keep its cookies and storage keys) now.
    pub fn allows(&self, m: &Match<'_>) -> bool {
        self.state.service_granted(m.service, Some(m.category))
    }
}

thread_local! {
    static SDK: RefCell<Option<Sdk>> = const { RefCell::new(None) };
}

/// Runs `f` on the started SDK. `None` before `start()` (or, by the invariant above, never
/// while borrowed: a nested call is refused instead of panicking).
pub(crate) fn with_sdk<R>(f: impl FnOnce(&mut Sdk) -> R) -> Option<R> {
    SDK.with(|cell| cell.try_borrow_mut().ok()?.as_mut().map(f))
}

/// The most audit lines kept: a tracker retrying every second must not grow memory forever.
const AUDIT_LIMIT: usize = 2000;

/// Adds an audit line; `blocked` and `released` are also emitted as events.
pub(crate) fn record(
    kind: &'static str,
    via: String,
    url: String,
    service: Option<String>,
    category: Option<Category>,
    action: &'static str,
) {
    let entry = AuditEntry {
        at: dom::now_ms(),
        kind,
        via,
        url,
        service,
        category,
        action,
    };
    let detail = (action != "allowed").then(|| api::audit_entry_object(&entry));
    with_sdk(|sdk| {
        if sdk.audit.len() >= AUDIT_LIMIT {
            // Room for a tenth more, oldest first, "allowed" lines before the others: the
            // steady hits of an allowed tag must not push out what was held and released.
            let mut room = AUDIT_LIMIT / 10;
            sdk.audit.retain(|e| {
                let evict = room > 0 && e.action == "allowed";
                room -= usize::from(evict);
                !evict
            });
            sdk.audit.drain(..room.min(sdk.audit.len()));
        }
        sdk.audit.push(entry)
    });
    if let Some(detail) = detail {
        api::emit(action, &detail);
    }
}
