//! Sekisho (関所): an in-browser consent checkpoint.
//!
//! [`core`] is the pure policy (config, categories, consent state, the `sekisho` cookie format,
//! regime and region). It has no `web-sys` and is unit-tested on the host. `web` is the thin
//! shell that runs it in the browser (storage, the markup checkpoint, `window.sekisho`); it only
//! exists on `wasm32`.

pub mod core;

#[cfg(target_arch = "wasm32")]
mod web;

// A free-list allocator: the SDK allocates little and briefly, and dlmalloc cost ~8 KB.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: the Wasm build has no threads (wasm32-unknown-unknown without atomics).
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
