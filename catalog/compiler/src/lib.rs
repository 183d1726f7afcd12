//! The catalog compiler: the curated layer (`catalog/vendors.json`) and the base layer
//! (`catalog/base.json`, generated from third-party-web) → the Rust tables
//! `src/core/catalog.rs` includes. `build.rs` only calls [`compile`]; nothing of JSON reaches
//! the Wasm.
//!
//! Steps: load each layer, checked, with errors that name the file and the field
//! ([`curated::read`], [`base::read`]); merge (the curated layer wins: [`base`] says how);
//! lay out the curated host table ([`curated::host_table`]); emit Rust ([`curated::emit`],
//! [`base::emit`]). Whether every curated entry's disclosure is complete is checked by the host
//! tests in `src/core/catalog.rs`, so an unfinished entry still builds and the tests say what is
//! missing.
//!
//! Ids and the host hash come from the policy core itself (`src/core/ids.rs`,
//! `src/core/category.rs` are compiled in here too), so the tables and the code that reads them
//! cannot disagree.

pub mod base;
pub mod curated;
pub mod json;

#[path = "../../../src/core/category.rs"]
#[allow(dead_code)]
pub mod category;
#[path = "../../../src/core/ids.rs"]
pub mod ids;

use serde_json::Value;

/// The catalog's Rust tables from the two layers' JSON (`vendors`, `base`). Stops with a message
/// naming the file and the field when either is malformed.
pub fn compile(vendors: &Value, base: &Value) -> String {
    json::set_file("catalog/vendors.json");
    let catalog = curated::read(vendors);
    let mut code = curated::emit(&catalog, &curated::host_table(&catalog));
    json::set_file("catalog/base.json");
    let base = base::read(base, &catalog.hosts(), &catalog.ids());
    base::emit(&mut code, &base);
    code
}

#[cfg(test)]
mod tests;
