//! The deferred module: what the page needs from Sekisho once it is parsed, never before its
//! next script. `sekisho.js` starts fetching and compiling it (off the main thread) as it
//! starts, and runs it at `DOMContentLoaded`; it talks to the checkpoint only through the public
//! `window.sekisho` API. It reports config diagnostics and draws the banner and the preference
//! center (`ui`: what to show, in which language, pure; `web::ui`: the DOM); consent records
//! with their sync are its next part.

// As in the checkpoint: no panics on input in the Wasm (tests may).
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

pub mod diagnostics;

pub mod ui;

/// `window.sekisho` as the UI (and the records module) use it.
#[cfg(target_arch = "wasm32")]
pub mod api;
/// The UI's shell and the module's exports (off when another module takes this crate's pure
/// parts: `sekisho-records`).
#[cfg(all(target_arch = "wasm32", feature = "shell"))]
mod web;

// A free-list allocator: this module allocates little and briefly.
#[cfg(all(target_arch = "wasm32", feature = "shell"))]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: the Wasm build has no threads (wasm32-unknown-unknown without atomics).
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
