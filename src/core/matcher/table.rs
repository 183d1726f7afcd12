//! The catalog's host table: every listed suffix of a host found with one right-to-left hash
//! pass (FNV-1a over ASCII-lowercased bytes, last byte first; `build.rs` must hash the same way).

#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::string_slice
)]

use super::host::path_matches;
use super::url::eq_lower;
use crate::core::catalog::{self, SLOTS};
use crate::core::ids::{fnv_step, FNV_OFFSET};

/// The index of exactly `suffix` (whose hash, see build.rs, is `h`) in a host table: its
/// open-addressing `slots` (index + 1) and `host(index)`.
fn probe_in(
    slots: &[u16],
    host: impl Fn(usize) -> Option<&'static str>,
    h: u32,
    suffix: &[u8],
) -> Option<usize> {
    let mask = slots.len().wrapping_sub(1);
    let mut i = h as usize & mask;
    for _ in 0..slots.len() {
        let slot = *slots.get(i)?;
        if slot == 0 {
            return None;
        }
        let x = usize::from(slot) - 1;
        if host(x).is_some_and(|h| eq_lower(suffix, h.as_bytes())) {
            return Some(x);
        }
        i = (i + 1) & mask;
    }
    None
}

/// The curated host table index for exactly `suffix`.
fn probe(h: u32, suffix: &[u8]) -> Option<usize> {
    probe_in(&SLOTS, catalog::host, h, suffix)
}

/// The base-layer service of the longest listed suffix of `host` (`catalog::base`).
pub(super) fn base_service(host: &str) -> Option<usize> {
    let bytes = host.as_bytes();
    let probe = |h, suffix| probe_in(catalog::base::slots(), catalog::base::host, h, suffix);
    let mut found = None;
    let mut h = FNV_OFFSET;
    for (i, &b) in bytes.iter().enumerate().rev() {
        if b == b'.' {
            if let Some(x) = bytes.get(i + 1..).and_then(|suffix| probe(h, suffix)) {
                found = Some(x); // longer than any found before
            }
        }
        h = fnv_step(h, b);
    }
    found = probe(h, bytes).or(found);
    catalog::base::host_service(found?)
}

/// Host table indices of every listed suffix of `host`, longest first (at most 8).
fn listed_suffixes(host: &str) -> ([u16; 8], usize) {
    let bytes = host.as_bytes();
    let mut found = [0u16; 8];
    let mut n = 0usize;
    let mut record = |x: usize| {
        if let Some(slot) = found.get_mut(n % 8) {
            *slot = x as u16;
        }
        n += 1;
    };
    let mut h = FNV_OFFSET;
    for (i, &b) in bytes.iter().enumerate().rev() {
        if b == b'.' {
            if let Some(x) = bytes.get(i + 1..).and_then(|suffix| probe(h, suffix)) {
                record(x);
            }
        }
        h = fnv_step(h, b);
    }
    if let Some(x) = probe(h, bytes) {
        record(x);
    }
    // `found` holds the last (longest) ones; reverse them into longest-first order.
    let count = n.min(8);
    let mut out = [0u16; 8];
    for (k, slot) in out.iter_mut().take(count).enumerate() {
        let from = (n - 1 - k) % 8;
        *slot = found.get(from).copied().unwrap_or(0);
    }
    (out, count)
}

/// The catalog host table index of exactly `host` (for the catalog tests).
#[cfg(test)]
pub(crate) fn lookup_host(host: &str) -> Option<usize> {
    let (found, n) = listed_suffixes(host);
    found
        .get(..n)?
        .iter()
        .map(|&x| usize::from(x))
        .find(|&x| catalog::host(x).is_some_and(|h| h.len() == host.len()))
}

/// The first catalog rule (entry index, or [`NEUTRAL`]) for `host` + `path` that `accept`s,
/// longest host suffix first.
pub(super) fn lookup(host: &str, path: &str, accept: impl Fn(u8) -> bool) -> Option<u8> {
    let (found, n) = listed_suffixes(host);
    for &x in found.get(..n)? {
        for (rule_path, entry) in catalog::host_rules(usize::from(x)) {
            if accept(entry) && path_matches(rule_path, path) {
                return Some(entry);
            }
        }
    }
    None
}
