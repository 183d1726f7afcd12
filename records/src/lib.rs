//! The records module (`sekisho-records.js`): what makes a visitor's decisions into consent
//! records and gets them to `sekisho-server` (docs/contracts.md §6). `sekisho.js` loads it only
//! on a page that syncs (config `sync.endpoint`) and has something to record — a decision, a
//! record left queued by an earlier page, a lapsed choice or a GPC opt-out to note, a member to
//! identify — so the UI module does without its weight. It talks to the checkpoint only through
//! `window.sekisho`.
//!
//! `record` (pure, host-tested): a decision made into a record. `web` (wasm32): the entry points,
//! the queue in localStorage and its sending (`web::sync`), `identify`.

// As in the other modules: no panics on input in the Wasm (tests may).
#![cfg_attr(
    all(target_arch = "wasm32", not(test)),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::string_slice
    )
)]

pub mod record;

#[cfg(target_arch = "wasm32")]
mod web;

// A free-list allocator: this module allocates little and briefly.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: the Wasm build has no threads (wasm32-unknown-unknown without atomics).
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
