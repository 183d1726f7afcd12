//! The TCF bridge module (`sekisho-tcf.js`): `sekisho.js` loads it only when the config asks for
//! the bridge (`signals.tcfBridge`), so no other page pays for the TC string decoder. When a
//! registered CMP's `__tcfapi` is on the page, it listens to it and puts what the CMP's strings
//! say into effect through `window.sekisho.set(…, {method: "signal"})`: the checkpoint, the
//! signals and the consent records follow the CMP. Sekisho exposes no `__tcfapi` of its own and
//! makes no TC string (it has no CMP id; `research/standards.md` §4.9–4.10).
//!
//! `string` (pure, host-tested): the TC string, bit for bit, and what it means as Sekisho's
//! choice. `bridge` (wasm32): the listener.

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

pub mod string;

#[cfg(target_arch = "wasm32")]
mod bridge;

// A free-list allocator: this module allocates little and briefly.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: the Wasm build has no threads (wasm32-unknown-unknown without atomics).
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
