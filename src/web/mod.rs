//! The web shell: runs the policy core in the page. Thin by design: every decision is made by
//! [`crate::core::Checkpoint`]; this module only reads and writes the browser (storage, DOM,
//! events) and crosses the boundary with `js/`.
//!
//! Invariant: no JavaScript is called (listeners, DOM insertion that may run a script) while
//! [`SDK`] is borrowed, so re-entrant calls from page code (a listener calling `get()`, a
//! released inline script calling `acceptAll()`) always find it free.

mod api;
mod dom;
mod guard;
mod markup;
mod store;
mod sweep;

#[cfg(test)]
mod tests;

use crate::core::audit::{self, Action, Line};
use crate::core::{Category, Checkpoint, Kind};
use js_sys::Function;
use std::cell::RefCell;

pub(crate) struct Sdk {
    /// The policy for this page: config, matcher, consent in effect.
    pub checkpoint: Checkpoint,
    pub audit: audit::Log,
    /// The bootstrap's function that turns a `blocked` or `released` line (JSON) into events.
    pub on_audit: Function,
    /// There was no `sekisho` cookie at start: the localStorage copy is read at DOM ready.
    pub cookie_missing: bool,
    /// How many config problems the quiet parse met (the deferred module describes them).
    pub config_problems: usize,
    /// The payload of the last `Hold` answer, handed over on request (`guard::held_requirement`,
    /// `guard::rewritten`): the guards need it only in that rare case.
    pub handoff: String,
    /// What the page load decided, to be recorded once (`Checkpoint::start_notes`).
    pub start_notes: Vec<(&'static str, String)>,
    /// The third-party hosts met that nothing covers (`sekisho.uncovered()`).
    pub uncovered: crate::core::uncovered::Uncovered,
}

thread_local! {
    static SDK: RefCell<Option<Sdk>> = const { RefCell::new(None) };
}

/// Runs `f` on the started SDK. `None` before `start()` (or, by the invariant above, never
/// while borrowed: a nested call is refused instead of panicking).
pub(crate) fn with_sdk<R>(f: impl FnOnce(&mut Sdk) -> R) -> Option<R> {
    SDK.with(|cell| cell.try_borrow_mut().ok()?.as_mut().map(f))
}

/// What an audit line says, without its time.
pub(crate) struct Entry<'a> {
    pub kind: Kind,
    pub via: &'a str,
    pub url: &'a str,
    pub service: Option<&'a str>,
    pub category: Option<Category>,
    pub action: Action,
}

/// Adds an audit line; `blocked` and `released` are also announced (the bootstrap emits them as
/// events), after the line is in the log.
pub(crate) fn record(entry: Entry<'_>) {
    let line = Line {
        at: dom::now_ms(),
        kind: entry.kind,
        via: entry.via.into(),
        url: entry.url.into(),
        service: entry.service.map(String::from),
        category: entry.category,
        action: entry.action,
    };
    let event = (line.action != Action::Allowed).then(|| line.to_json());
    with_sdk(|sdk| sdk.audit.push(line));
    if let Some(event) = event {
        api::announce(event);
    }
}
