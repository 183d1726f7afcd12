//! Compiles the data the SDK is built with into Rust tables in `$OUT_DIR` (no JSON is parsed
//! at run time; nothing of serde_json reaches the Wasm):
//! - `catalog/vendors.json` (curated) and `catalog/base.json` (the base layer, generated from
//!   third-party-web) → `catalog.rs` (`build/catalog.rs`, `build/base.rs`), included by
//!   `src/core/catalog.rs`;
//! - `src/protocol.json` → `elements.rs` (`build/protocol.rs`), included by
//!   `src/core/elements.rs`.
//!
//! Ids and the host hash come from the policy core itself (`src/core/ids.rs`,
//! `src/core/category.rs` are compiled in here too), so the tables and the code that reads them
//! cannot disagree.

#[path = "build/base.rs"]
mod base;
#[path = "build/catalog.rs"]
mod catalog;
#[path = "src/core/category.rs"]
#[allow(dead_code)]
mod category;
#[path = "src/core/ids.rs"]
mod ids;
#[path = "build/json.rs"]
mod json;
#[path = "build/protocol.rs"]
mod protocol;

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-changed=src/core/ids.rs");
    println!("cargo:rerun-if-changed=src/core/category.rs");
    compile("catalog/vendors.json", "catalog.rs", |root| {
        let catalog = catalog::read(root);
        let mut code = catalog::emit(&catalog, &catalog::host_table(&catalog));
        let base_root = read_json("catalog/base.json");
        let base = base::read(&base_root, &catalog.hosts(), &catalog.ids());
        base::emit(&mut code, &base);
        json::set_file("catalog/vendors.json");
        code
    });
    compile("src/protocol.json", "elements.rs", protocol::generate);
}

/// Reads `source` (JSON), generates Rust with `generate`, writes it to `$OUT_DIR/out`.
fn compile(source: &'static str, out: &str, generate: impl Fn(&serde_json::Value) -> String) {
    let root = read_json(source);
    let code = generate(&root);
    let path = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join(out);
    std::fs::write(&path, code)
        .unwrap_or_else(|e| json::fail(&format!("cannot write {path:?}: {e}")));
}

/// Reads `source` as JSON (errors name it); the build reruns when it changes.
fn read_json(source: &'static str) -> serde_json::Value {
    println!("cargo:rerun-if-changed={source}");
    json::set_file(source);
    let text = std::fs::read_to_string(source)
        .unwrap_or_else(|e| json::fail(&format!("cannot read: {e}")));
    serde_json::from_str(&text).unwrap_or_else(|e| json::fail(&format!("not JSON: {e}")))
}
