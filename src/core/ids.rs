//! Identifiers and host keys, defined once for the policy core and for the catalog compiler
//! (`catalog/compiler` compiles this same file): what a valid id is, how the catalog's host table
//! hashes a host, and which host a Google country domain is read as.

/// A service, category or language id: `[a-z0-9_-]`, 1–40 bytes.
pub fn is_valid_id(id: &str) -> bool {
    (1..=40).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// FNV-1a, taken over a host's bytes from the last to the first, ASCII-lowercased: so every
/// label suffix of a host is hashed in one right-to-left pass.
pub const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// One step of the hash: `h` with `byte` (lowercased) taken in.
#[inline(always)]
pub fn fnv_step(h: u32, byte: u8) -> u32 {
    let lower = if byte.is_ascii_uppercase() {
        byte | 0x20
    } else {
        byte
    };
    (h ^ u32::from(lower)).wrapping_mul(FNV_PRIME)
}

/// The hash of a whole host (what the table is keyed by).
#[allow(dead_code)] // used by build.rs and the tests
pub fn suffix_hash(host: &str) -> u32 {
    host.bytes().rev().fold(FNV_OFFSET, fnv_step)
}

/// A host of Google's country domains (`www.google.de`, `google.co.uk`,
/// `adservice.google.com.au`; lower case) as the same host on `google.com`: Google serves its ad
/// paths and its ad service on each of them, and the catalog lists them once.
#[allow(dead_code)] // (the compiler's copy of this file uses only some of it)
pub fn google_country_as_com(host: &str) -> Option<String> {
    let (head, tld) = host.rsplit_once('.')?;
    if tld.len() != 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let head = head
        .strip_suffix(".co")
        .or_else(|| head.strip_suffix(".com"))
        .unwrap_or(head);
    let prefix = head.strip_suffix("google")?;
    ["", "www.", "adservice."]
        .contains(&prefix)
        .then(|| [prefix, "google.com"].concat())
}
