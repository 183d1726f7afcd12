//! Compiles the data the SDK is built with into Rust tables in `$OUT_DIR` (no JSON is parsed
//! at run time; nothing of serde_json reaches the Wasm):
//! - `catalog/vendors.json` (curated) and `catalog/base.json` (the base layer, generated from
//!   third-party-web) → `catalog.rs`, by the catalog compiler (`catalog/compiler`, crate
//!   `sekisho-catalog`), included by `src/core/catalog.rs`;
//! - `src/protocol.json` → `elements.rs` (`build/protocol.rs`), included by
//!   `src/core/elements.rs`.

#[path = "build/protocol.rs"]
mod protocol;

use sekisho_catalog::json;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    let vendors = read_json("catalog/vendors.json");
    let base = read_json("catalog/base.json");
    write("catalog.rs", &sekisho_catalog::compile(&vendors, &base));
    let protocol_json = read_json("src/protocol.json");
    write("elements.rs", &protocol::generate(&protocol_json));
}

/// Reads `source` as JSON (errors name it); the build reruns when it changes.
fn read_json(source: &'static str) -> serde_json::Value {
    println!("cargo:rerun-if-changed={source}");
    json::set_file(source);
    let text = std::fs::read_to_string(source)
        .unwrap_or_else(|e| json::fail(&format!("cannot read: {e}")));
    serde_json::from_str(&text).unwrap_or_else(|e| json::fail(&format!("not JSON: {e}")))
}

/// Writes generated Rust to `$OUT_DIR/out`.
fn write(out: &str, code: &str) {
    let path = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join(out);
    std::fs::write(&path, code)
        .unwrap_or_else(|e| json::fail(&format!("cannot write {path:?}: {e}")));
}
