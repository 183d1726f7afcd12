//! The web shell: runs the policy core in the page. Thin by design: every decision is made by
//! `crate::core`; this module only reads and writes the browser (storage, DOM, events).
//!
//! Invariant: no JavaScript is called (listeners, DOM insertion that may run a script) while
//! [`SDK`] is borrowed, so re-entrant calls from page code (a listener calling `get()`, a
//! released inline script calling `acceptAll()`) always find it free.

mod api;
mod dom;
mod markup;
mod store;

#[cfg(test)]
mod tests;

use crate::core::{Category, Config, ConsentState};
use js_sys::Function;
use std::cell::RefCell;

/// One line of `sekisho.audit()`.
pub(crate) struct AuditEntry {
    pub at: f64,
    pub kind: &'static str,
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
    pub state: ConsentState,
    pub audit: Vec<AuditEntry>,
    pub listeners: Vec<(String, Function)>,
    pub waiters: Vec<Waiter>,
    /// `ready` has been emitted (late `on('ready')` listeners are called at once).
    pub ready: bool,
}

impl Sdk {
    /// The category a service belongs to (config services; the catalog joins in a later issue).
    pub fn category_of(&self, service: &str) -> Option<Category> {
        self.config.service(service).map(|s| s.category)
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
