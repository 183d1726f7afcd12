//! The deferred module's entry point, called by `sekisho.js` once the document is parsed.

use wasm_bindgen::prelude::*;
use web_sys::console;

/// Runs what waits for the parsed page. `config` is the checkpoint's config text (`None`
/// without one).
#[wasm_bindgen]
pub fn run(config: Option<String>) {
    for line in crate::diagnostics::report(config.as_deref()) {
        console::error_1(&["[sekisho] ", &line].concat().into());
    }
}
