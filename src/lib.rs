//! Sekisho (関所): an in-browser consent checkpoint.
//!
//! [`core`] is the pure policy (config, categories, consent state, the checkpoint's judgement,
//! the `sekisho` cookie format, regime and region). It has no `web-sys` and is unit-tested on the
//! host. `web` is the thin shell that runs it in the browser (storage, the markup checkpoint,
//! `window.sekisho`): the synchronous Wasm module of `sekisho.js`. It exists on `wasm32` with the
//! `checkpoint` feature (the default); `sekisho-deferred` uses the core without it.

// The Wasm never panics on input: a panic there aborts the page's checkpoint (it fails closed,
// but stops releasing what the visitor allows). Indexing, `unwrap`, `expect` and `panic!` are
// errors in every module that is compiled to Wasm; tests may use them.
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

pub mod core;

#[cfg(all(target_arch = "wasm32", feature = "checkpoint"))]
mod web;

// A free-list allocator: the SDK allocates little and briefly, and dlmalloc cost ~8 KB.
#[cfg(all(target_arch = "wasm32", feature = "checkpoint"))]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: the Wasm build has no threads (wasm32-unknown-unknown without atomics).
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
