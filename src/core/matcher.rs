//! The matcher: which service, if any, a URL belongs to (DESIGN §4, §5).
//!
//! [`Matcher::classify`] turns a URL string into a [`Verdict`]: a known service with its category
//! (the site's own `services` first, then the catalog), a neutral CDN, first party, no request
//! at all, or an unknown third party (which `unknownThirdParty` decides). It parses URLs by hand,
//! following the WHATWG URL parser where it decides the host: scheme-relative and relative URLs,
//! userinfo, ports, IPv6 literals, upper case, trailing dots, backslashes, tabs and newlines,
//! percent-encoded and full-width host names, dot segments in paths. Well-formed URLs (what
//! `element.src` and `new URL(…).href` return) take an allocation-free path; odd ones are
//! normalised into a `String` first. Nothing here panics on any input.
//!
//! Host rules are suffix rules on whole labels: `google-analytics.com` covers
//! `region1.google-analytics.com` but not `evilgoogle-analytics.com` nor
//! `google-analytics.com.evil.net`. The longest listed suffix wins; a host with path rules
//! (`facebook.com/tr` vs `facebook.com/plugins`) tries them in order, and a path none of them
//! covers falls through to shorter suffixes (and so usually to "unknown").
//!
//! Limits, on purpose: of IDNA's mapping of non-ASCII host names only the part that can turn
//! them into ASCII ones is done (full-width ASCII, ideographic full stops, a few letters and
//! ignorable code points); other non-ASCII labels never equal a listed host, so such a host is
//! "unknown", never a false match. IPv4 in odd notations (`0x7f.1`) is not normalised;
//! "same site" uses a short built-in list of multi-label public suffixes ([`registrable_domain`])
//! instead of the full Public Suffix List. The shell should pass browser-resolved URLs
//! (`element.src`, `new URL(input, document.baseURI).href`) where it has them: relative URLs are
//! resolved against the page's origin here, which ignores `<base href>`.

#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::string_slice
)]

use super::catalog::{self, Entry, NEUTRAL, SLOTS};
use super::category::Category;
use super::config::Config;
use std::borrow::Cow;

// ---------------------------------------------------------------------------------------------
// URL parsing

/// Where a URL points, as far as the checkpoint cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed<'a> {
    /// Relative to the page (a path, query or fragment): same origin. `path` is the path when
    /// the reference starts with `/`, else empty (it depends on the document's own path).
    Relative { path: Cow<'a, str> },
    /// An `http`, `https`, `ws` or `wss` URL with a host: lower-case unless the fast path kept
    /// the input's case (compare with `eq_ignore_ascii_case`), without trailing dots; IPv6 in
    /// brackets. `path` is `/…` without query and fragment.
    Network {
        host: Cow<'a, str>,
        path: Cow<'a, str>,
    },
    /// No network request: `data:`, `blob:`, `javascript:`, `about:`, other schemes, or input
    /// that browsers reject (no host, a forbidden character in the host).
    Other,
}

// The hot loops below are written for the Wasm build's `opt-level = "z"`, which inlines
// little: byte classes come from one table, case folding is inline arithmetic.

/// ASCII lower case of one byte.
#[inline(always)]
fn lower(c: u8) -> u8 {
    if c.wrapping_sub(b'A') < 26 {
        c | 0x20
    } else {
        c
    }
}

/// ASCII case-insensitive equality; a plain loop, which beats the standard library's chunked
/// version on the short strings compared here.
#[inline(always)]
fn eq_ci(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    for (&x, &y) in a.iter().zip(b) {
        if lower(x) != lower(y) {
            return false;
        }
    }
    true
}

/// [`eq_ci`] where `lowered` is known to be lower case already (catalog and config hosts).
#[inline(always)]
fn eq_lower(a: &[u8], lowered: &[u8]) -> bool {
    if a.len() != lowered.len() {
        return false;
    }
    for (&x, &y) in a.iter().zip(lowered) {
        if lower(x) != y {
            return false;
        }
    }
    true
}

/// Byte classes for the parser.
const C_END_AUTHORITY: u8 = 1; // `/ ? #`
const C_AT: u8 = 2;
const C_COLON: u8 = 4;
/// Tab and newlines (browsers delete them), backslash (a slash in http(s) URLs), `%` (host
/// decoding) and non-ASCII (host mapping): these send a URL to the normalising slow path.
const C_ODD: u8 = 8;
const C_QUERY: u8 = 16; // `? #`
const C_DOT: u8 = 32;
const C_SLASH: u8 = 64;

#[allow(clippy::indexing_slicing)] // const evaluation: out-of-range indices fail the build
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0x80;
    while i < 256 {
        t[i] = C_ODD;
        i += 1;
    }
    t[b'\t' as usize] = C_ODD;
    t[b'\n' as usize] = C_ODD;
    t[b'\r' as usize] = C_ODD;
    t[b'\\' as usize] = C_ODD;
    t[b'%' as usize] = C_ODD;
    t[b'/' as usize] = C_END_AUTHORITY | C_SLASH;
    t[b'?' as usize] = C_END_AUTHORITY | C_QUERY;
    t[b'#' as usize] = C_END_AUTHORITY | C_QUERY;
    t[b'@' as usize] = C_AT;
    t[b':' as usize] = C_COLON;
    t[b'.' as usize] = C_DOT;
    t
};

#[inline(always)]
#[allow(clippy::indexing_slicing)] // a u8 always indexes a 256-entry table
fn class(c: u8) -> u8 {
    CLASS[usize::from(c)]
}

fn is_net_scheme(scheme: &str) -> bool {
    let s = scheme.as_bytes();
    eq_lower(s, b"https") || eq_lower(s, b"http") || eq_lower(s, b"wss") || eq_lower(s, b"ws")
}

/// `s` without leading `c` bytes.
#[inline(always)]
fn trim_start_byte(s: &str, c: u8) -> &str {
    let start = s.bytes().position(|b| b != c).unwrap_or(s.len());
    s.get(start..).unwrap_or("")
}

/// The first position of any of `set` in `s`.
#[inline(always)]
fn find_any(s: &str, set: &[u8]) -> Option<usize> {
    s.bytes().position(|b| set.contains(&b))
}

/// `s` without trailing `c` bytes.
#[inline(always)]
fn trim_end_byte(s: &str, c: u8) -> &str {
    let mut end = s.len();
    while end > 0 && s.as_bytes().get(end - 1) == Some(&c) {
        end -= 1;
    }
    s.get(..end).unwrap_or(s)
}

/// `scheme:rest` when `s` starts with a URL scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`).
fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    if !bytes.first()?.is_ascii_alphabetic() {
        return None;
    }
    for (i, &b) in bytes.iter().enumerate().skip(1) {
        if b == b':' {
            return Some((s.get(..i)?, s.get(i + 1..)?));
        }
        if !(b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.') {
            return None;
        }
    }
    None
}

#[inline(always)]
fn is_odd(b: u8) -> bool {
    class(b) & C_ODD != 0
}

/// The end of the path that starts at `from` (the first `?`, `#` or the end), or, when
/// `strict`, `None` if the path needs the slow path (an odd byte or a dot segment).
fn path_end(b: &[u8], from: usize, strict: bool) -> Option<usize> {
    let mut prev = 0u8;
    let mut i = from;
    for &c in b.get(from..).unwrap_or(&[]) {
        let k = class(c);
        if k != 0 {
            if k & C_QUERY != 0 {
                return Some(i);
            }
            if strict && (k & C_ODD != 0 || (k & C_DOT != 0 && prev & C_SLASH != 0)) {
                return None;
            }
        }
        prev = k;
        i += 1;
    }
    Some(i)
}

/// The single-pass parser. With `strict` (the fast path), `None` when the input needs the slow
/// path; without (for the slow path's cleaned input: no tab, newline or backslash left), it
/// accepts `%`, non-ASCII and dot segments, which the caller normalises.
fn parse_fast<'a>(s: &'a str, page_scheme: Option<&str>, strict: bool) -> Option<Parsed<'a>> {
    let b = s.as_bytes();
    // Scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    let mut scheme_end = None;
    if b.first().is_some_and(|c| c.is_ascii_alphabetic()) {
        let mut i = 1;
        while let Some(&c) = b.get(i) {
            if c == b':' {
                scheme_end = Some(i);
                break;
            }
            if strict && is_odd(c) {
                return None;
            }
            if !(c.is_ascii_alphanumeric() || c == b'+' || c == b'-' || c == b'.') {
                break;
            }
            i += 1;
        }
    }
    let relative = |from: usize| -> Option<Parsed<'a>> {
        let end = path_end(b, from, strict)?;
        let path = s.get(from..end)?;
        Some(Parsed::Relative {
            path: Cow::Borrowed(if path.starts_with('/') { path } else { "" }),
        })
    };
    let mut p = match scheme_end {
        Some(n) => {
            let scheme = s.get(..n)?;
            if !is_net_scheme(scheme) {
                return Some(Parsed::Other);
            }
            let same = page_scheme.is_some_and(|ps| eq_ci(ps.as_bytes(), scheme.as_bytes()));
            let rest = b.get(n + 1..)?;
            if same && !rest.starts_with(b"//") {
                return relative(n + 1);
            }
            n + 1
        }
        None if b.starts_with(b"//") => 0,
        None => return relative(0),
    };
    while let Some(&c) = b.get(p) {
        match c {
            b'/' => p += 1,
            b'\\' | b'\t' | b'\n' | b'\r' if strict => return None,
            _ => break,
        }
    }
    // Authority: up to `/`, `?`, `#`; userinfo ends at the last `@`.
    // The host ends at the first `:` after the last `@` (outside IPv6 brackets).
    let mut host_start = p;
    let mut colon = None;
    let mut end = p;
    for &c in b.get(p..).unwrap_or(&[]) {
        let k = class(c);
        if k != 0 {
            if k & C_END_AUTHORITY != 0 {
                break;
            }
            if k & C_AT != 0 {
                host_start = end + 1;
                colon = None;
            } else if k & C_COLON != 0 {
                if colon.is_none() {
                    colon = Some(end);
                }
            } else if strict && k & C_ODD != 0 {
                return None;
            }
        }
        end += 1;
    }
    let host = if b.get(host_start) == Some(&b'[') {
        let host_port = s.get(host_start..end)?;
        match host_port.bytes().position(|c| c == b']') {
            Some(i) => host_port.get(..=i)?,
            None => return Some(Parsed::Other),
        }
    } else {
        trim_end_byte(s.get(host_start..colon.unwrap_or(end))?, b'.')
    };
    if host.is_empty() {
        return Some(Parsed::Other);
    }
    let path_stop = path_end(b, end, strict)?;
    let path = s.get(end..path_stop)?;
    Some(Parsed::Network {
        host: Cow::Borrowed(host),
        path: Cow::Borrowed(if path.is_empty() { "/" } else { path }),
    })
}

/// Cuts `s` at the first `?` or `#`.
fn before_query(s: &str) -> &str {
    match find_any(s, b"?#") {
        Some(i) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes `s` into bytes.
fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

/// `s` with percent-encoded unreserved characters (`ALPHA / DIGIT / - . _ ~`) decoded.
fn decode_unreserved(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pieces = s.split('%');
    out.push_str(pieces.next().unwrap_or(""));
    for piece in pieces {
        let b = piece.as_bytes();
        let c = match (
            b.first().copied().and_then(hex),
            b.get(1).copied().and_then(hex),
        ) {
            (Some(h), Some(l)) => h * 16 + l,
            _ => 0,
        };
        if c.is_ascii_alphanumeric() || b"-._~".contains(&c) {
            out.push(char::from(c));
            out.push_str(piece.get(2..).unwrap_or(""));
        } else {
            out.push('%');
            out.push_str(piece);
        }
    }
    out
}

/// The host as browsers see it: percent-decoded, ASCII lower case, no trailing dot, with the
/// few non-ASCII code points that IDNA (UTS 46) maps to ASCII or to nothing mapped: full-width
/// ASCII, the ideographic full stops, the Kelvin sign, long s, soft hyphen and other ignorables.
/// Any other non-ASCII byte becomes `_`, which no catalog host contains, so label boundaries
/// stay where they are and such a label can never equal a listed one (the Unicode tables a full
/// mapping needs would cost kilobytes of Wasm). `None` where browsers reject the host.
fn normalize_host(raw: &str) -> Option<String> {
    if raw.starts_with('[') {
        return Some(raw.to_ascii_lowercase());
    }
    let bytes = percent_decode(raw);
    let mut host = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(rest) = bytes.get(i..).filter(|r| !r.is_empty()) {
        let (mapped, len) = match *rest {
            [b, ..] if b < 0x80 => (Some(b), 1),
            [0xEF, 0xBC, x @ 0x81..=0xBF, ..] => (Some(x - 0x60), 3), // U+FF01–FF3F
            [0xEF, 0xBD, x @ 0x80..=0x9E, ..] => (Some(x - 0x20), 3), // U+FF40–FF5E
            [0xEF, 0xBD, 0xA1, ..] | [0xE3, 0x80, 0x82, ..] => (Some(b'.'), 3), // U+FF61, U+3002
            [0xE2, 0x84, 0xAA, ..] => (Some(b'k'), 3),                 // U+212A
            [0xC5, 0xBF, ..] => (Some(b's'), 2),                       // U+017F
            [0xC2, 0xAD, ..] | [0xCD, 0x8F, ..] => (None, 2),          // U+00AD, U+034F
            [0xE1, 0xA0, 0x8B..=0x8D, ..]                              // U+180B–180D
            | [0xE2, 0x80, 0x8B, ..]                                   // U+200B
            | [0xE2, 0x81, 0xA0, ..]                                   // U+2060
            | [0xEF, 0xB8, 0x80..=0x8F, ..]                            // U+FE00–FE0F
            | [0xEF, 0xBB, 0xBF, ..] => (None, 3),                     // U+FEFF
            _ => (Some(b'_'), 1),
        };
        i += len;
        let Some(b) = mapped else { continue };
        // WHATWG forbidden domain code points: such a host is a parse error, no request.
        if b <= b' ' || b"#%/:<>?@[\\]^|\x7f".contains(&b) {
            return None;
        }
        host.push(char::from(b.to_ascii_lowercase()));
    }
    let trimmed = trim_end_byte(&host, b'.').len();
    host.truncate(trimmed);
    (!host.is_empty()).then_some(host)
}

/// The path as the server sees it: unreserved characters decoded, `.` and `..` segments removed.
fn normalize_path(raw: &str) -> String {
    let decoded = decode_unreserved(raw);
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = decoded.split('/').skip(1).collect();
    let last = parts.len().saturating_sub(1);
    for (i, seg) in parts.iter().enumerate() {
        match *seg {
            "." | ".." => {
                if *seg == ".." {
                    segments.pop();
                }
                if i == last {
                    segments.push("");
                }
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(decoded.len() + 1);
    for s in &segments {
        out.push('/');
        out.push_str(s);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

fn parse_slow(s: &str, page_scheme: Option<&str>) -> Parsed<'static> {
    // One pass: drop tab/newline; before the query, `\\` is `/` (in http(s)/ws(s) URLs, and
    // relative ones on such pages; other schemes are `Other` anyway).
    let mut fixed = String::with_capacity(s.len());
    let mut in_query = false;
    for c in s.chars() {
        match c {
            '\t' | '\n' | '\r' => {}
            '\\' if !in_query => fixed.push('/'),
            '?' | '#' => {
                in_query = true;
                fixed.push(c);
            }
            c => fixed.push(c),
        }
    }
    let needs_work = |t: &str| t.bytes().any(|b| b == b'%' || b >= 0x80);
    match parse_fast(&fixed, page_scheme, false).unwrap_or(Parsed::Other) {
        Parsed::Network { host, path } => {
            let host = if needs_work(&host) {
                match normalize_host(&host) {
                    Some(h) => h,
                    None => return Parsed::Other,
                }
            } else {
                host.to_ascii_lowercase()
            };
            let path = if needs_work(&path) || path.as_bytes().windows(2).any(|w| w == b"/.") {
                normalize_path(&path)
            } else {
                path.into_owned()
            };
            Parsed::Network {
                host: Cow::Owned(host),
                path: Cow::Owned(path),
            }
        }
        Parsed::Relative { path } if path.is_empty() => Parsed::Relative {
            path: Cow::Borrowed(""),
        },
        Parsed::Relative { path } => Parsed::Relative {
            path: Cow::Owned(normalize_path(&path)),
        },
        Parsed::Other => Parsed::Other,
    }
}

/// Parses `url` as a browser would on a page whose scheme is `page_scheme` (`"https"`), as far
/// as the host and path go. Never panics; allocates only for unusual input.
/// `url` resolved against `base` (an absolute `scheme://host/path` URL) when `url` is relative
/// (no scheme, not `//host`); `None` when it is not relative or `base` is not absolute. Enough
/// for classification (host and path prefix): `.`/`..` segments are not collapsed.
pub fn resolve_relative(base: &str, url: &str) -> Option<String> {
    if url.starts_with("//") || split_scheme(url).is_some() {
        return None;
    }
    let (_, after_scheme) = split_scheme(base)?;
    let authority = after_scheme.strip_prefix("//")?;
    let origin_len =
        base.len() - authority.len() + find_any(authority, b"/?#").unwrap_or(authority.len());
    let origin = base.get(..origin_len)?;
    let path_and_more = base.get(origin_len..)?;
    let path = path_and_more
        .get(..find_any(path_and_more, b"?#").unwrap_or(path_and_more.len()))
        .unwrap_or("");
    let path = if path.is_empty() { "/" } else { path };
    Some(match url.as_bytes().first() {
        Some(b'/') => [origin, url].concat(),
        Some(b'?') => [origin, path, url].concat(),
        Some(b'#') | None => [origin, path].concat(),
        Some(_) => {
            let dir = path
                .get(..path.rfind('/').map_or(0, |i| i + 1))
                .unwrap_or("/");
            [origin, dir, url].concat()
        }
    })
}

pub fn parse_url<'a>(url: &'a str, page_scheme: Option<&str>) -> Parsed<'a> {
    // Browsers strip leading and trailing C0 controls and spaces (ASCII bytes: the cuts fall
    // on character boundaries).
    let b = url.as_bytes();
    let start = b.iter().position(|&c| c > b' ').unwrap_or(b.len());
    let end = b.iter().rposition(|&c| c > b' ').map_or(start, |i| i + 1);
    let s = url.get(start..end).unwrap_or("");
    match parse_fast(s, page_scheme, true) {
        Some(parsed) => parsed,
        None => parse_slow(s, page_scheme),
    }
}

// ---------------------------------------------------------------------------------------------
// Hosts and paths

/// Whether `host` is `listed` or a subdomain of it (ASCII case-insensitive, whole labels).
pub fn host_matches(host: &str, listed: &str) -> bool {
    let (h, l) = (host.as_bytes(), listed.as_bytes());
    if l.is_empty() || h.len() < l.len() {
        return false;
    }
    let Some((head, tail)) = h.split_at_checked(h.len() - l.len()) else {
        return false;
    };
    (head.is_empty() || head.last() == Some(&b'.')) && eq_ci(tail, l)
}

/// Whether `path` falls under `pattern`: `""` matches every path; otherwise a prefix compared
/// ASCII case-insensitively, where `*` stands for one path segment (`/v*/dialog` covers
/// `/v19.0/dialog/oauth`), ending at a segment boundary (`/tr` covers `/tr` and `/tr/x`, not
/// `/track`) unless the pattern ends with `/` or `*`.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), path.as_bytes());
    if p.is_empty() {
        return true;
    }
    let (mut i, mut j) = (0, 0);
    while let Some(&pc) = p.get(i) {
        if pc == b'*' {
            while s.get(j).is_some_and(|&c| c != b'/') {
                j += 1;
            }
        } else if s.get(j).is_some_and(|&c| lower(c) == lower(pc)) {
            j += 1;
        } else {
            return false;
        }
        i += 1;
    }
    matches!(p.last(), Some(b'/' | b'*')) || matches!(s.get(j), None | Some(b'/'))
}

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// The catalog host table index for exactly `suffix` (whose hash, see build.rs, is `h`).
fn probe(h: u32, suffix: &[u8]) -> Option<usize> {
    let mask = SLOTS.len().wrapping_sub(1);
    let mut i = h as usize & mask;
    for _ in 0..SLOTS.len() {
        let slot = *SLOTS.get(i)?;
        if slot == 0 {
            return None;
        }
        let x = usize::from(slot) - 1;
        if catalog::host(x).is_some_and(|h| eq_lower(suffix, h.as_bytes())) {
            return Some(x);
        }
        i = (i + 1) & mask;
    }
    None
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
        h = (h ^ u32::from(lower(b))).wrapping_mul(FNV_PRIME);
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
fn lookup(host: &str, path: &str, accept: impl Fn(u8) -> bool) -> Option<u8> {
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

/// Multi-label public suffixes under which sites register (`example.co.jp`), and hosting
/// platforms whose subdomains are separate sites. A short list, not the Public Suffix List:
/// hosts under other multi-label suffixes (Japanese prefecture and city domains like
/// `example.tokyo.jp`) are grouped one level too high.
const MULTI_LABEL_SUFFIXES: &str = concat!(
    "co.jp ne.jp or.jp ac.jp go.jp ad.jp ed.jp gr.jp lg.jp co.uk org.uk ac.uk gov.uk ",
    "me.uk ltd.uk plc.uk com.au net.au org.au edu.au gov.au co.nz org.nz com.br ",
    "com.cn com.tw com.hk com.sg com.my com.ph com.vn co.kr co.in co.id co.th com.mx ",
    "com.tr co.za github.io gitlab.io netlify.app vercel.app pages.dev workers.dev ",
    "web.app firebaseapp.com herokuapp.com appspot.com blogspot.com ",
    "azurewebsites.net cloudfront.net amazonaws.com",
);

/// The registrable part of `host` ("eTLD+1"): `www.example.co.jp` → `example.co.jp`,
/// `a.b.example.com` → `example.com`; IP literals and single labels are returned whole.
pub fn registrable_domain(host: &str) -> &str {
    let host = trim_end_byte(host, b'.');
    let is_ipv4 = host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if host.starts_with('[') || is_ipv4 {
        return host;
    }
    // Start of the label after the last dot before byte `end` (0 if there is none).
    let bytes = host.as_bytes();
    let label_start = |end: usize| -> Option<usize> {
        bytes
            .get(..end)?
            .iter()
            .rposition(|&c| c == b'.')
            .map(|i| i + 1)
    };
    let Some(last) = label_start(bytes.len()) else {
        return host;
    };
    let Some(two) = label_start(last.saturating_sub(1)) else {
        return host;
    };
    let last_two = host.get(two..).unwrap_or(host);
    if !MULTI_LABEL_SUFFIXES
        .split(' ')
        .any(|s| eq_lower(last_two.as_bytes(), s.as_bytes()))
    {
        return last_two;
    }
    match label_start(two.saturating_sub(1)) {
        Some(three) => host.get(three..).unwrap_or(host),
        None => host,
    }
}

/// Whether two hosts belong to the same site (same [`registrable_domain`]).
pub fn same_site(a: &str, b: &str) -> bool {
    eq_ci(
        registrable_domain(a).as_bytes(),
        registrable_domain(b).as_bytes(),
    )
}

/// `page_host` without port and trailing dot (it may be given as `host:port`).
fn bare_host(page_host: &str) -> &str {
    let cut = if page_host.starts_with('[') {
        find_any(page_host, b"]").map(|i| i + 1)
    } else {
        find_any(page_host, b":")
    };
    let host = cut.and_then(|i| page_host.get(..i)).unwrap_or(page_host);
    trim_end_byte(host, b'.')
}

/// Whether loading `url` on a page at `page_host` (an https page) makes no request to another
/// site: relative and same-site URLs, and URLs that make no request at all (`data:`, `blob:`).
pub fn is_first_party(url: &str, page_host: &str) -> bool {
    match parse_url(url, Some("https")) {
        Parsed::Relative { .. } | Parsed::Other => true,
        Parsed::Network { host, .. } => same_site(&host, bare_host(page_host)),
    }
}

/// Whether `url` is on a neutral CDN (public library hosting without tracking:
/// `cdn.jsdelivr.net`, `unpkg.com`, `cdnjs.cloudflare.com`, `code.jquery.com`,
/// `ajax.googleapis.com`, `esm.sh`). These always load. Google Fonts is *not* one: it is the
/// catalog entry `google-fonts` (functional), since a font request sends the visitor's IP
/// address and the page URL to Google; a site that wants it always can set its category to
/// `necessary` in `services`, or host the fonts itself.
pub fn is_neutral_cdn(url: &str) -> bool {
    match parse_url(url, Some("https")) {
        Parsed::Network { host, path } => lookup(&host, &path, |e| e == NEUTRAL).is_some(),
        _ => false,
    }
}

/// Whether a frame would run `url` as a document with script in an opaque origin: a `data:` URL
/// of HTML, XHTML, SVG or XML. No guard reaches code in such a document, whatever it requests.
pub fn is_data_document(url: &str) -> bool {
    // Browsers strip leading spaces and C0 controls from URLs.
    let start = url.bytes().position(|b| b > b' ').unwrap_or(url.len());
    let Some((scheme, rest)) = url.get(start..).and_then(split_scheme) else {
        return false;
    };
    if !eq_lower(scheme.as_bytes(), b"data") {
        return false;
    }
    let end = find_any(rest, b";,").unwrap_or(rest.len());
    let media = rest.get(..end).unwrap_or("").trim().as_bytes();
    [
        &b"text/html"[..],
        b"application/xhtml+xml",
        b"image/svg+xml",
        b"text/xml",
        b"application/xml",
    ]
    .iter()
    .any(|t| eq_lower(media, t))
}

// ---------------------------------------------------------------------------------------------
// The matcher: catalog + the site's services

/// A URL, cookie or id that belongs to a known service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match<'a> {
    /// The service id: the catalog's (`meta-pixel`) or the site's own.
    pub service: &'a str,
    /// Its category in effect (the site's override, else the catalog's).
    pub category: Category,
}

/// What loading a URL means for the checkpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict<'a> {
    /// A known service: allowed only when its category (or a service override) is granted.
    Service(Match<'a>),
    /// The page's own site (relative, same origin, or a subdomain of the same registrable
    /// domain): always allowed.
    FirstParty,
    /// A neutral CDN: always allowed.
    Neutral,
    /// No network request (`data:`, `blob:`, `javascript:`, or a URL browsers reject).
    NoRequest,
    /// Another site that neither the catalog nor the config knows: `unknownThirdParty` decides.
    Unknown,
}

impl<'a> Verdict<'a> {
    pub fn service(self) -> Option<Match<'a>> {
        match self {
            Verdict::Service(m) => Some(m),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct SiteService {
    id: String,
    category: Category,
}

/// One `hosts` item of a site service: `host` or `host/path`.
#[derive(Debug)]
struct SiteRule {
    host: String,
    path: String,
    service: usize,
}

/// The catalog merged with the site's config, for one page. Build it once per page with
/// [`Matcher::new`]; [`Matcher::classify`] does not allocate for well-formed URLs.
#[derive(Debug)]
pub struct Matcher {
    catalog: bool,
    /// Category in effect per catalog entry.
    categories: Vec<Category>,
    /// Catalog entries whose hosts the site replaced: their catalog host rules are skipped.
    replaced: Vec<bool>,
    services: Vec<SiteService>,
    rules: Vec<SiteRule>,
    page_scheme: String,
    page_host: String,
    /// [`registrable_domain`] of `page_host`.
    page_site: String,
}

/// A config host item (`example.com`, `*.example.com`, `https://example.com/path`) as
/// `(host, path)`, or `None` if it names no host.
fn site_rule(spec: &str) -> Option<(String, String)> {
    let spec = spec.trim();
    let scheme_end = spec.as_bytes().windows(3).position(|w| w == b"://");
    let mut spec = scheme_end.and_then(|i| spec.get(i + 3..)).unwrap_or(spec);
    while let Some(rest) = spec.strip_prefix("*.") {
        spec = rest;
    }
    let spec = trim_start_byte(spec, b'.');
    let (host, path) = match find_any(spec, b"/") {
        Some(i) => (spec.get(..i)?, spec.get(i..)?),
        None => (spec, ""),
    };
    let host = bare_host(host).to_ascii_lowercase();
    let path = if path == "/" { "" } else { before_query(path) };
    (!host.is_empty()).then(|| (host, path.to_string()))
}

impl Matcher {
    /// The matcher for a page at `page_origin` (`location.origin`, e.g.
    /// `https://www.example.co.jp`), merging the catalog with `config`:
    /// - a config service whose id is a catalog entry's overrides its category, and, if it
    ///   lists `hosts`, replaces the entry's hosts;
    /// - other config services add services (their hosts match even on the site's own domain,
    ///   so a first-party tag endpoint can be declared);
    /// - `catalog: false` turns the built-in services off (neutral CDNs stay neutral).
    pub fn new(config: &Config, page_origin: &str) -> Matcher {
        let mut categories: Vec<Category> = catalog::entries().map(Entry::category).collect();
        let mut replaced = vec![false; categories.len()];
        let mut services = Vec::new();
        let mut rules = Vec::new();
        for def in &config.services {
            let rule_specs: Vec<(String, String)> =
                def.hosts.iter().filter_map(|h| site_rule(h)).collect();
            let in_catalog = if config.catalog {
                catalog::entry(&def.id)
            } else {
                None
            };
            if let Some(e) = in_catalog {
                if let Some(c) = categories.get_mut(e.index()) {
                    *c = def.category;
                }
                if rule_specs.is_empty() {
                    continue;
                }
                if let Some(r) = replaced.get_mut(e.index()) {
                    *r = true;
                }
            }
            let service = services.len();
            services.push(SiteService {
                id: def.id.clone(),
                category: def.category,
            });
            rules.extend(rule_specs.into_iter().map(|(host, path)| SiteRule {
                host,
                path,
                service,
            }));
        }
        let (page_scheme, page_host) =
            match (split_scheme(page_origin), parse_url(page_origin, None)) {
                (Some((scheme, _)), Parsed::Network { host, .. }) => {
                    (scheme.to_ascii_lowercase(), host.to_ascii_lowercase())
                }
                _ => (String::new(), String::new()),
            };
        let page_site = registrable_domain(&page_host).to_string();
        Matcher {
            catalog: config.catalog,
            categories,
            replaced,
            services,
            rules,
            page_scheme,
            page_host,
            page_site,
        }
    }

    /// The page's host, lower case.
    pub fn page_host(&self) -> &str {
        &self.page_host
    }

    fn site_match(&self, host: &str, path: &str) -> Option<Match<'_>> {
        let mut best: Option<&SiteRule> = None;
        for rule in &self.rules {
            if host_matches(host, &rule.host) && path_matches(&rule.path, path) {
                let better = best.is_none_or(|b| {
                    (rule.host.len(), rule.path.len()) > (b.host.len(), b.path.len())
                });
                if better {
                    best = Some(rule);
                }
            }
        }
        let service = self.services.get(best?.service)?;
        Some(Match {
            service: &service.id,
            category: service.category,
        })
    }

    fn accept(&self, entry: u8) -> bool {
        entry == NEUTRAL
            || (self.catalog
                && !self
                    .replaced
                    .get(usize::from(entry))
                    .copied()
                    .unwrap_or(true))
    }

    fn catalog_match(&self, entry: u8) -> Option<Match<'static>> {
        let e = Entry::from_index(usize::from(entry))?;
        Some(Match {
            service: e.id(),
            category: self.categories.get(e.index()).copied()?,
        })
    }

    /// What loading `url` on this page means. No allocation for well-formed URLs.
    pub fn classify(&self, url: &str) -> Verdict<'_> {
        let scheme = (!self.page_scheme.is_empty()).then_some(self.page_scheme.as_str());
        match parse_url(url, scheme) {
            Parsed::Other => Verdict::NoRequest,
            Parsed::Relative { path } => {
                if !self.rules.is_empty() {
                    let path = if path.is_empty() { "/" } else { &path };
                    if let Some(m) = self.site_match(&self.page_host, path) {
                        return Verdict::Service(m);
                    }
                }
                Verdict::FirstParty
            }
            Parsed::Network { host, path } => {
                if let Some(m) = self.site_match(&host, &path) {
                    return Verdict::Service(m);
                }
                // Same origin (host) is first party without a catalog lookup.
                if eq_lower(host.as_bytes(), self.page_host.as_bytes()) {
                    return Verdict::FirstParty;
                }
                match lookup(&host, &path, |e| self.accept(e)) {
                    Some(NEUTRAL) => return Verdict::Neutral,
                    Some(entry) => {
                        if let Some(m) = self.catalog_match(entry) {
                            return Verdict::Service(m);
                        }
                    }
                    None => {}
                }
                // A subdomain of the page's registrable domain is the same site.
                if !self.page_site.is_empty() && host_matches(&host, &self.page_site) {
                    Verdict::FirstParty
                } else {
                    Verdict::Unknown
                }
            }
        }
    }

    /// The service `url` belongs to, if any (see [`Matcher::classify`]).
    pub fn match_url(&self, url: &str) -> Option<Match<'_>> {
        self.classify(url).service()
    }

    /// The catalog service that sets cookie `name` (`_ga`, `_fbp`), with its category in effect.
    pub fn match_cookie(&self, name: &str) -> Option<Match<'_>> {
        if !self.catalog {
            return None;
        }
        let e = catalog::cookie_owner(name)?;
        self.catalog_match(u8::try_from(e.index()).ok()?)
    }

    /// The catalog service that writes `localStorage`/`sessionStorage` key `key`, with its
    /// category in effect.
    pub fn match_storage_key(&self, key: &str) -> Option<Match<'_>> {
        if !self.catalog {
            return None;
        }
        let e = catalog::storage_owner(key)?;
        self.catalog_match(u8::try_from(e.index()).ok()?)
    }

    /// The category in effect for service `id` (the site's services, then the catalog).
    pub fn category_of(&self, id: &str) -> Option<Category> {
        if let Some(s) = self.services.iter().find(|s| s.id == id) {
            return Some(s.category);
        }
        if !self.catalog {
            return None;
        }
        self.categories.get(catalog::entry(id)?.index()).copied()
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::panic,
    clippy::string_slice
)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_resolve_against_a_base() {
        let base = "https://www.facebook.com/dir/page.html?q=1#f";
        for (url, want) in [
            ("tr/?id=1", Some("https://www.facebook.com/dir/tr/?id=1")),
            ("/tr?id=1", Some("https://www.facebook.com/tr?id=1")),
            ("?x=1", Some("https://www.facebook.com/dir/page.html?x=1")),
            ("#top", Some("https://www.facebook.com/dir/page.html")),
            ("https://cdn.example/x.js", None),
            ("//cdn.example/x.js", None),
            ("data:image/gif;base64,R0", None),
        ] {
            assert_eq!(resolve_relative(base, url).as_deref(), want, "{url}");
        }
        assert_eq!(
            resolve_relative("https://cdn.example", "a.png").as_deref(),
            Some("https://cdn.example/a.png")
        );
        assert_eq!(resolve_relative("about:srcdoc", "a.png"), None);
    }
    use crate::core::config::{parse_config, ServiceDef};

    const PAGE: &str = "https://www.example.co.jp";

    fn matcher() -> Matcher {
        Matcher::new(&Config::default(), PAGE)
    }

    fn id(url: &str) -> Option<&'static str> {
        matcher()
            .match_url(url)
            .map(|m| catalog::entry(m.service).unwrap().id())
    }

    fn verdict(m: &Matcher, url: &str) -> String {
        format!("{:?}", m.classify(url))
    }

    #[test]
    fn hosts_match_by_whole_label_suffix() {
        assert_eq!(
            id("https://www.google-analytics.com/analytics.js"),
            Some("google-analytics")
        );
        assert_eq!(
            id("https://region1.google-analytics.com/g/collect?v=2"),
            Some("google-analytics")
        );
        assert_eq!(
            id("https://google-analytics.com/"),
            Some("google-analytics")
        );
        assert_eq!(
            id("https://region1.analytics.google.com/g/collect"),
            Some("google-analytics")
        );
        assert_eq!(id("https://evilgoogle-analytics.com/x.js"), None);
        assert_eq!(id("https://google-analytics.com.evil.net/x.js"), None);
        assert_eq!(id("https://google-analytics.co/x.js"), None);
        assert_eq!(id("https://com/"), None);
        assert_eq!(
            id("https://x.clarity.ms/collect"),
            Some("microsoft-clarity")
        );
        assert_eq!(
            id("https://www.clarity.ms/tag/abc"),
            Some("microsoft-clarity")
        );
        assert_eq!(id("https://bat.bing.com/bat.js"), Some("microsoft-uet"));
        assert_eq!(id("https://www.bing.com/search?q=x"), None);
        assert_eq!(
            id("https://static.hotjar.com/c/hotjar-1.js?sv=6"),
            Some("hotjar")
        );
        assert_eq!(id("wss://ws.hotjar.com/api/v2/client/ws"), Some("hotjar"));
        assert_eq!(
            id("https://analytics.tiktok.com/i18n/pixel/events.js"),
            Some("tiktok-pixel")
        );
        assert_eq!(id("https://static.criteo.net/js/ld/ld.js"), Some("criteo"));
        assert_eq!(
            id("https://c.amazon-adsystem.com/aat/amzn.js"),
            Some("amazon-ads")
        );
        assert_eq!(
            id("https://snap.licdn.com/li.lms-analytics/insight.min.js"),
            Some("linkedin-insight")
        );
        assert_eq!(
            id("https://px.ads.linkedin.com/collect"),
            Some("linkedin-insight")
        );
        assert_eq!(id("https://www.linkedin.com/in/someone"), None);
        assert_eq!(id("https://static.ads-twitter.com/uwt.js"), Some("x-pixel"));
        assert_eq!(id("https://t.co/i/adsct?p_id=1"), Some("x-pixel"));
        assert_eq!(
            id("https://platform.twitter.com/widgets.js"),
            Some("x-widgets")
        );
        assert_eq!(
            id("https://www.googletagmanager.com/gtm.js?id=GTM-X"),
            Some("google-tag-manager")
        );
        assert_eq!(
            id("https://www.googletagmanager.com/gtag/js?id=G-X"),
            Some("google-tag-manager")
        );
        assert_eq!(
            id("https://googleads.g.doubleclick.net/pagead/viewthroughconversion/1/"),
            Some("google-marketing-platform")
        );
        assert_eq!(
            id("https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"),
            Some("google-adsense")
        );
        assert_eq!(
            id("https://ep1.adtrafficquality.google/getconfig/sodar"),
            Some("google-adsense")
        );
        assert_eq!(
            id("https://www.googleadservices.com/pagead/conversion.js"),
            Some("google-ads")
        );
        assert_eq!(
            id("https://fonts.googleapis.com/css2?family=Noto+Sans+JP"),
            Some("google-fonts")
        );
        assert_eq!(
            id("https://www.instagram.com/embed.js"),
            Some("instagram-embed")
        );
        assert_eq!(id("https://tr.line.me/tag.gif?c_t=lap"), Some("line-tag"));
        assert_eq!(
            id("https://access.line.me/oauth2/v2.1/authorize"),
            Some("line-login")
        );
        assert_eq!(
            id("https://social-plugins.line.me/widget/loader"),
            Some("line-share")
        );
        assert_eq!(
            id("https://b92.yahoo.co.jp/js/s_retargeting.js"),
            Some("yahoo-japan-ads")
        );
        assert_eq!(
            id("https://yjtag.yahoo.co.jp/tag?site=X"),
            Some("yahoo-japan-ads")
        );
        assert_eq!(
            id("https://s.yjtag.jp/tag.js#site=X"),
            Some("yahoo-tag-manager")
        );
        assert_eq!(
            id("https://b.yjtag.jp/iframe?c=X"),
            Some("yahoo-tag-manager")
        );
        assert_eq!(id("https://news.yahoo.co.jp/"), None);
        assert_eq!(
            id("https://ct.pinterest.com/v3/?tid=1"),
            Some("pinterest-tag")
        );
        assert_eq!(
            id("https://assets.pinterest.com/js/pinit.js"),
            Some("pinterest-widgets")
        );
    }

    #[test]
    fn shared_hosts_are_told_apart_by_path() {
        // www.facebook.com: pixel (ads) vs plugins and login (sns).
        assert_eq!(
            id("https://www.facebook.com/tr?id=1&ev=PageView&noscript=1"),
            Some("meta-pixel")
        );
        assert_eq!(id("https://www.facebook.com/tr/?id=1"), Some("meta-pixel"));
        assert_eq!(
            id("https://www.facebook.com/track"),
            None,
            "segment boundary"
        );
        assert_eq!(
            id("https://www.facebook.com/plugins/like.php?href=x"),
            Some("facebook-plugins")
        );
        assert_eq!(
            id("https://www.facebook.com/v19.0/plugins/page.php"),
            Some("facebook-plugins")
        );
        assert_eq!(
            id("https://www.facebook.com/v19.0/dialog/oauth?client_id=1"),
            Some("facebook-login")
        );
        assert_eq!(
            id("https://www.facebook.com/dialog/oauth"),
            Some("facebook-login")
        );
        assert_eq!(
            id("https://m.facebook.com/x/oauth/status?client_id=1"),
            Some("facebook-login")
        );
        assert_eq!(id("https://www.facebook.com/somepage"), None);
        // connect.facebook.net: pixel script vs the SDK (catch-all).
        assert_eq!(
            id("https://connect.facebook.net/en_US/fbevents.js"),
            Some("meta-pixel")
        );
        assert_eq!(
            id("https://connect.facebook.net/signals/config/123?v=2"),
            Some("meta-pixel")
        );
        assert_eq!(
            id("https://connect.facebook.net/ja_JP/sdk.js#xfbml=1"),
            Some("facebook-login")
        );
        assert_eq!(id("https://connect.facebook.net/"), Some("facebook-login"));
        // www.google.com: reCAPTCHA is necessary, /pagead and /ads are ads, the rest is unknown.
        let m = matcher();
        let rc = m
            .match_url("https://www.google.com/recaptcha/api.js?render=x")
            .unwrap();
        assert_eq!(
            (rc.service, rc.category),
            ("google-recaptcha", Category::Necessary)
        );
        assert_eq!(
            id("https://www.gstatic.com/recaptcha/releases/x/recaptcha__ja.js"),
            Some("google-recaptcha")
        );
        assert_eq!(
            id("https://www.google.com/pagead/1p-conversion/123/"),
            Some("google-ads")
        );
        assert_eq!(
            id("https://www.google.co.jp/pagead/1p-user-list/123/"),
            Some("google-ads")
        );
        assert_eq!(
            id("https://www.google.com/ads/ga-audiences?v=1"),
            Some("google-ads")
        );
        assert_eq!(
            id("https://www.google.com/ccm/collect?en=page_view"),
            Some("google-ads")
        );
        assert_eq!(id("https://www.google.com/search?q=ads"), None);
        assert_eq!(id("https://accounts.google.com/gsi/client"), None);
        assert_eq!(
            id("https://www.google.com/maps/embed?pb=x"),
            Some("google-maps")
        );
        // YouTube: embeds and the iframe API are sns.
        assert_eq!(
            id("https://www.youtube.com/embed/dQw4w9WgXcQ"),
            Some("youtube")
        );
        assert_eq!(id("https://www.youtube.com/iframe_api"), Some("youtube"));
        assert_eq!(
            id("https://www.youtube.com/s/player/abc/www-widgetapi.vflset/www-widgetapi.js"),
            Some("youtube")
        );
        assert_eq!(
            id("https://www.youtube-nocookie.com/embed/x"),
            Some("youtube")
        );
        assert_eq!(id("https://www.youtube.com/watch?v=x"), None);
        // Yahoo! JAPAN: only the ad tools under s.yimg.jp.
        assert_eq!(
            id("https://s.yimg.jp/images/listing/tool/cv/ytag.js"),
            Some("yahoo-japan-ads")
        );
        assert_eq!(
            id("https://s.yimg.jp/images/listing/tool/cv/conversion.js"),
            Some("yahoo-japan-ads")
        );
        assert_eq!(id("https://s.yimg.jp/images/top/sp2/logo.png"), None);
        // LINE's CDN: the tag vs the share button.
        assert_eq!(
            id("https://d.line-scdn.net/n/line_tag/public/release/v1/lt.js"),
            Some("line-tag")
        );
        assert_eq!(
            id("https://d.line-scdn.net/r/web/social-plugin/js/thirdparty/loader.min.js"),
            Some("line-share")
        );
        assert_eq!(id("https://d.line-scdn.net/stf/line-lp/x.png"), None);
        assert_eq!(
            id("https://www.tiktok.com/embed/v2/123"),
            Some("tiktok-embed")
        );
        assert_eq!(id("https://www.tiktok.com/@someone"), None);
    }

    #[test]
    fn url_forms_browsers_accept() {
        let ga = Some("google-analytics");
        for url in [
            "//www.google-analytics.com/analytics.js",
            "HTTPS://WWW.Google-Analytics.COM/analytics.js",
            "https://www.google-analytics.com./analytics.js",
            "https://www.google-analytics.com:443/analytics.js",
            "https://www.google-analytics.com:/analytics.js",
            "https://user:pass@www.google-analytics.com/x",
            "https://evil.com@www.google-analytics.com/x",
            "https://evil.com:80@www.google-analytics.com/x",
            "http://www.google-analytics.com",
            "https://www.google-analytics.com?x=1",
            "https://www.google-analytics.com#frag",
            "  https://www.google-analytics.com/x  ",
            "\u{0}\u{1f}https://www.google-analytics.com/x\n",
            "ht\ttps://www.goo\ngle-analytics.com/x",
            "https:\\\\www.google-analytics.com\\x",
            "https:/\\www.google-analytics.com/x",
            "https:///www.google-analytics.com/x",
            "http:www.google-analytics.com/x", // another scheme than the page's: a host
            "\\\\www.google-analytics.com/x",
            "/\\www.google-analytics.com/x",
            "https://www.%67oogle-analytics.com/x",
            "https://www.google-analytics%2Ecom/x",
            "https://www.ｇｏｏｇｌｅ-analytics。com/x",
            "https://ＷＷＷ．ＧＯＯＧＬＥ－ＡＮＡＬＹＴＩＣＳ．ＣＯＭ/x",
            "https://www.google-anal\u{AD}ytics.com/x",
            "https://www.google-analytic\u{17F}.com/x",
            "https://\u{212A}ey.google-analytics.com/x",
            "wss://www.google-analytics.com/socket",
            "ws://www.google-analytics.com/socket",
        ] {
            assert_eq!(id(url), ga, "{url:?}");
        }
        for url in [
            "https://evil.com#@www.google-analytics.com/",
            "https://evil.com?@www.google-analytics.com/",
            "https://evil.com/@www.google-analytics.com/",
            "https://evil.com\\@www.google-analytics.com/",
            "https://www.google-analytics.com.evil.com/",
            "https://[::1]/www.google-analytics.com",
            "https://[2001:db8::1]:8080/x",
            "https://127.0.0.1/x",
            "data:text/html,<script src=https://www.google-analytics.com/x.js></script>",
            "blob:https://www.google-analytics.com/uuid",
            "javascript:fetch('https://www.google-analytics.com/')",
            "about:blank",
            "mailto:x@google-analytics.com",
            "ftp://www.google-analytics.com/x",
            "www.google-analytics.com/x",        // a relative path
            "https:www.google-analytics.com/x",  // same scheme as the page: relative
            "https:/www.google-analytics.com/x", // likewise
            "https://www.google-analytics%2Fevil.com/",
            "https://%zz.google-analytics.com/",
            "https://www.google-analytics.com%00/",
            "https://",
            "https:///",
            "",
            "%",
            "https://[::1",
        ] {
            assert_eq!(id(url), None, "{url:?}");
        }
    }

    #[test]
    fn dot_segments_and_escapes_in_paths() {
        assert_eq!(
            id("https://www.facebook.com/x/../tr?id=1"),
            Some("meta-pixel")
        );
        assert_eq!(id("https://www.facebook.com/./tr?id=1"), Some("meta-pixel"));
        assert_eq!(
            id("https://www.facebook.com/%2e%2e/tr?id=1"),
            Some("meta-pixel")
        );
        assert_eq!(id("https://www.facebook.com/%74r?id=1"), Some("meta-pixel"));
        assert_eq!(id("https://www.facebook.com\\tr?id=1"), Some("meta-pixel"));
        assert_eq!(id("https://www.facebook.com/TR?id=1"), Some("meta-pixel"));
        assert_eq!(
            id("https://www.facebook.com/tr/../plugins/like.php"),
            Some("facebook-plugins")
        );
        assert_eq!(id("https://www.facebook.com/plugins/../x"), None);
        assert_eq!(normalize_path("/a/b/../../c/./d/."), "/c/d/");
        assert_eq!(normalize_path("/.."), "/");
        assert_eq!(normalize_path(""), "/");
    }

    #[test]
    fn parse_results() {
        let net = |h: &str, p: &str| Parsed::Network {
            host: Cow::Owned(h.into()),
            path: Cow::Owned(p.into()),
        };
        let s = Some("https");
        assert_eq!(
            parse_url("https://A.example.com:8080/p?q#f", s),
            net("A.example.com", "/p")
        );
        assert_eq!(
            parse_url("https://a.example.com", s),
            net("a.example.com", "/")
        );
        assert_eq!(
            parse_url("https://[2001:DB8::1]:443/x", s),
            net("[2001:DB8::1]", "/x")
        );
        assert_eq!(
            parse_url("https://a.example.com\\x\\y?z\\w", s),
            net("a.example.com", "/x/y")
        );
        assert_eq!(
            parse_url("/p/q?x", s),
            Parsed::Relative {
                path: "/p/q".into()
            }
        );
        assert_eq!(parse_url("p/q", s), Parsed::Relative { path: "".into() });
        assert_eq!(parse_url("?x", s), Parsed::Relative { path: "".into() });
        assert_eq!(
            parse_url("https:/p", s),
            Parsed::Relative { path: "/p".into() }
        );
        assert_eq!(parse_url("https:/p", Some("http")), net("p", "/"));
        assert_eq!(parse_url("https:/p", None), net("p", "/"));
        assert_eq!(parse_url("data:,x", s), Parsed::Other);
        // Fast path borrows, slow path owns.
        assert!(matches!(
            parse_url("https://a.example.com/x", s),
            Parsed::Network {
                host: Cow::Borrowed(_),
                path: Cow::Borrowed(_)
            }
        ));
        assert!(matches!(
            parse_url("https://a.example.com/%41", s),
            Parsed::Network {
                host: Cow::Owned(_),
                ..
            }
        ));
    }

    #[test]
    fn path_patterns() {
        assert!(path_matches("", "/anything"));
        assert!(path_matches("/tr", "/tr"));
        assert!(path_matches("/tr", "/tr/"));
        assert!(path_matches("/tr", "/TR/x"));
        assert!(!path_matches("/tr", "/track"));
        assert!(!path_matches("/tr", "/"));
        assert!(path_matches("/v*/dialog", "/v19.0/dialog/oauth"));
        assert!(path_matches("/v*/dialog", "/v/dialog"));
        assert!(!path_matches("/v*/dialog", "/v19.0/x/dialog"));
        assert!(!path_matches("/v*/dialog", "/x19.0/dialog"));
        assert!(path_matches("/*/fbevents.js", "/en_US/fbevents.js"));
        assert!(!path_matches("/*/fbevents.js", "/en_US/sdk.js"));
        assert!(path_matches(
            "/images/listing/tool/cv/",
            "/images/listing/tool/cv/ytag.js"
        ));
        assert!(path_matches("/ab*", "/abcdef/x"));
    }

    #[test]
    fn first_party_and_registrable_domains() {
        assert_eq!(registrable_domain("www.example.co.jp"), "example.co.jp");
        assert_eq!(registrable_domain("example.co.jp"), "example.co.jp");
        assert_eq!(registrable_domain("co.jp"), "co.jp");
        assert_eq!(registrable_domain("a.b.example.com"), "example.com");
        assert_eq!(registrable_domain("example.com."), "example.com");
        assert_eq!(registrable_domain("a.user.github.io"), "user.github.io");
        assert_eq!(registrable_domain("localhost"), "localhost");
        assert_eq!(registrable_domain("192.168.0.1"), "192.168.0.1");
        assert_eq!(registrable_domain("[::1]"), "[::1]");
        assert_eq!(registrable_domain(""), "");
        assert!(is_first_party("/img/a.png", "www.example.co.jp"));
        assert!(is_first_party("img/a.png", "www.example.co.jp"));
        assert!(is_first_party(
            "https://cdn.example.co.jp/a.js",
            "www.example.co.jp"
        ));
        assert!(is_first_party(
            "https://EXAMPLE.co.jp./a.js",
            "www.example.co.jp:8443"
        ));
        assert!(is_first_party(
            "data:image/png;base64,AAAA",
            "www.example.co.jp"
        ));
        assert!(!is_first_party(
            "https://other.co.jp/a.js",
            "www.example.co.jp"
        ));
        assert!(!is_first_party(
            "https://example.jp/a.js",
            "www.example.co.jp"
        ));
        assert!(!is_first_party(
            "https://other.github.io/a.js",
            "me.github.io"
        ));
        assert!(!is_first_party(
            "https://example.co.jp.evil.com/",
            "example.co.jp"
        ));
        assert!(is_first_party("http://127.0.0.1:9/x", "127.0.0.1:8080"));
        assert!(!is_first_party("http://127.0.0.2/x", "127.0.0.1"));

        let m = matcher();
        assert_eq!(verdict(&m, "/x.js"), "FirstParty");
        assert_eq!(verdict(&m, "https://img.example.co.jp/x.png"), "FirstParty");
        assert_eq!(
            verdict(&m, "https://tracker.unknown.example/x.js"),
            "Unknown"
        );
        assert_eq!(verdict(&m, "data:,x"), "NoRequest");
        for doc in [
            "data:text/html,<script>x</script>",
            " DATA:Text/HTML;charset=utf-8,x",
            "data:image/svg+xml;base64,PHN2Zz4=",
            "data:application/xhtml+xml,x",
            "data:text/xml,x",
        ] {
            assert!(is_data_document(doc), "{doc}");
        }
        for other in [
            "data:,x",
            "data:image/png;base64,AA",
            "data:text/plain,<script>",
            "data:text/htmlx,x",
            "https://a.example/data:text/html,x",
            "javascript:'data:text/html,x'",
            "data:",
            "",
        ] {
            assert!(!is_data_document(other), "{other}");
        }
        assert_eq!(verdict(&m, "https://"), "NoRequest");
    }

    #[test]
    fn neutral_cdns_always_load() {
        for url in [
            "https://cdn.jsdelivr.net/npm/x@1/x.min.js",
            "https://fastly.jsdelivr.net/npm/x",
            "https://unpkg.com/react@18/umd/react.production.min.js",
            "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js",
            "https://code.jquery.com/jquery-3.7.1.min.js",
            "https://ajax.googleapis.com/ajax/libs/jquery/3.7.1/jquery.min.js",
            "https://esm.sh/preact",
        ] {
            assert!(is_neutral_cdn(url), "{url}");
            assert_eq!(verdict(&matcher(), url), "Neutral", "{url}");
        }
        assert!(!is_neutral_cdn(
            "https://fonts.googleapis.com/css2?family=X"
        ));
        assert!(!is_neutral_cdn("https://cloudflare.com/x"));
        assert!(!is_neutral_cdn("https://evil-unpkg.com/x"));
        // Neutral stays neutral without the catalog.
        let off = Matcher::new(
            &parse_config(&serde_json::from_str(r#"{"catalog":false}"#).unwrap()).0,
            PAGE,
        );
        assert_eq!(verdict(&off, "https://unpkg.com/x"), "Neutral");
    }

    fn config(json: &str) -> Config {
        let (c, e) = parse_config(&serde_json::from_str(json).unwrap());
        assert!(e.is_empty(), "{e:?}");
        c
    }

    #[test]
    fn config_services_add_and_override() {
        let c = config(
            r#"{"services":{
                "youtube":{"category":"functional"},
                "google-analytics":{"category":"analytics","hosts":["stats.example.co.jp"]},
                "chat":{"category":"functional","hosts":["*.chat.example","https://widgets.example/chat/"]},
                "proxy-gtm":{"category":"analytics","hosts":["www.example.co.jp/gtm.js","sgtm.example.co.jp"]},
                "empty":{"category":"ads","hosts":[""]}
            }}"#,
        );
        let m = Matcher::new(&c, PAGE);
        // Category override, hosts kept.
        let yt = m.match_url("https://www.youtube.com/embed/x").unwrap();
        assert_eq!((yt.service, yt.category), ("youtube", Category::Functional));
        assert_eq!(m.category_of("youtube"), Some(Category::Functional));
        // Hosts replaced: the catalog's GA hosts no longer match, the site's do.
        assert_eq!(
            m.match_url("https://www.google-analytics.com/g/collect"),
            None
        );
        let ga = m
            .match_url("https://stats.example.co.jp/g/collect")
            .unwrap();
        assert_eq!(
            (ga.service, ga.category),
            ("google-analytics", Category::Analytics)
        );
        // Added services, on other sites and on the site itself (first-party endpoints).
        assert_eq!(
            m.match_url("https://eu.chat.example/x").unwrap().service,
            "chat"
        );
        assert_eq!(
            m.match_url("https://chat.example/x").unwrap().service,
            "chat"
        );
        assert_eq!(
            m.match_url("https://widgets.example/chat/x.js")
                .unwrap()
                .service,
            "chat"
        );
        assert_eq!(m.match_url("https://widgets.example/other.js"), None);
        assert_eq!(
            m.match_url("/gtm.js?id=GTM-1").unwrap().service,
            "proxy-gtm"
        );
        assert_eq!(
            m.match_url("https://www.example.co.jp/gtm.js")
                .unwrap()
                .service,
            "proxy-gtm"
        );
        assert_eq!(
            m.match_url("https://sgtm.example.co.jp/g/collect")
                .unwrap()
                .service,
            "proxy-gtm"
        );
        assert_eq!(m.classify("/other.js"), Verdict::FirstParty);
        assert_eq!(m.category_of("chat"), Some(Category::Functional));
        assert_eq!(m.category_of("empty"), Some(Category::Ads));
        assert_eq!(m.category_of("meta-pixel"), Some(Category::Ads));
        assert_eq!(m.category_of("nope"), None);
        // Other catalog entries are untouched.
        assert_eq!(
            m.match_url("https://www.facebook.com/tr").unwrap().service,
            "meta-pixel"
        );
        assert_eq!(m.match_cookie("_fbp").unwrap().service, "meta-pixel");
        assert_eq!(m.match_cookie("_ga").unwrap().service, "google-analytics");
    }

    #[test]
    fn catalog_false_keeps_only_the_sites_services() {
        let c = config(
            r#"{"catalog":false,"services":{"youtube":{"category":"sns","hosts":["youtube.com"]}}}"#,
        );
        let m = Matcher::new(&c, PAGE);
        assert_eq!(m.match_url("https://www.google-analytics.com/x"), None);
        assert_eq!(
            m.classify("https://www.google-analytics.com/x"),
            Verdict::Unknown
        );
        assert_eq!(
            m.match_url("https://www.youtube.com/watch")
                .unwrap()
                .service,
            "youtube"
        );
        assert_eq!(m.match_cookie("_ga"), None);
        assert_eq!(m.category_of("meta-pixel"), None);
        assert_eq!(m.category_of("youtube"), Some(Category::Sns));
    }

    #[test]
    fn site_rules_prefer_the_most_specific_host() {
        let mut c = Config::default();
        for (id, host) in [("wide", "example.net"), ("narrow", "a.example.net")] {
            c.services.push(ServiceDef {
                id: id.into(),
                category: Category::Ads,
                name: None,
                hosts: vec![host.into()],
            });
        }
        let m = Matcher::new(&c, PAGE);
        assert_eq!(
            m.match_url("https://x.a.example.net/").unwrap().service,
            "narrow"
        );
        assert_eq!(
            m.match_url("https://b.example.net/").unwrap().service,
            "wide"
        );
    }

    #[test]
    fn odd_page_origins() {
        let m = Matcher::new(&Config::default(), "");
        assert_eq!(m.classify("https://a.example/x"), Verdict::Unknown);
        assert_eq!(m.classify("/x"), Verdict::FirstParty);
        let m = Matcher::new(&Config::default(), "http://[::1]:8080");
        assert_eq!(m.page_host(), "[::1]");
        assert_eq!(m.classify("http://[::1]:9/x"), Verdict::FirstParty);
        // On an http page, `https:host` names a host.
        let m = Matcher::new(&Config::default(), "http://site.test");
        assert_eq!(
            m.match_url("https:www.google-analytics.com/x")
                .unwrap()
                .service,
            "google-analytics"
        );
    }

    // ---- properties ----

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// The expected catalog result for `host` + path `/`, computed the slow way: the longest
        /// listed host that is `host` or a parent of it, with a catch-all rule.
        fn reference(host: &str) -> Option<u8> {
            let host = host.to_ascii_lowercase();
            (0..catalog::host_count())
                .map(|i| (catalog::host(i).unwrap(), i))
                .filter(|(h, _)| host == *h || host.ends_with(&format!(".{h}")))
                .filter_map(|(h, i)| {
                    let mut rules = catalog::host_rules(i);
                    rules.find(|r| r.0.is_empty()).map(|r| (h.len(), r.1))
                })
                .max_by_key(|(len, _)| *len)
                .map(|(_, e)| e)
        }

        fn listed() -> Vec<&'static str> {
            (0..catalog::host_count())
                .map(|i| catalog::host(i).unwrap())
                .collect()
        }

        fn catalog_label() -> impl Strategy<Value = String> {
            let mut pool: Vec<String> = listed()
                .iter()
                .flat_map(|h| h.split('.'))
                .map(String::from)
                .collect();
            pool.extend(["www", "evil", "x", "", "COM", "Google-Analytics"].map(String::from));
            pool.sort();
            pool.dedup();
            prop::sample::select(pool)
        }

        fn host() -> impl Strategy<Value = String> {
            prop_oneof![
                // A listed host with random labels in front.
                (
                    prop::collection::vec(catalog_label(), 0..3),
                    prop::sample::select(listed())
                )
                    .prop_map(|(pre, h)| {
                        let mut labels = pre;
                        labels.push(h.to_string());
                        labels.join(".")
                    }),
                // Random label soup made of pieces of listed hosts.
                prop::collection::vec(catalog_label(), 1..6).prop_map(|l| l.join(".")),
                // A listed host glued to other text.
                (prop::sample::select(listed()), "[a-z-]{1,4}", any::<bool>()).prop_map(
                    |(h, s, front)| if front {
                        format!("{s}{h}")
                    } else {
                        format!("{h}{s}")
                    }
                ),
            ]
            .prop_filter("a host", |h| {
                !h.is_empty() && !h.starts_with('.') && !h.ends_with('.')
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

            #[test]
            fn arbitrary_strings_never_panic(s in any::<String>()) {
                let m = matcher();
                let _ = m.classify(&s);
                let _ = m.match_cookie(&s);
                let _ = is_first_party(&s, &s);
                let _ = is_neutral_cdn(&s);
                let _ = registrable_domain(&s);
                let _ = parse_url(&s, None);
                let _ = path_matches(&s, &s);
            }

            #[test]
            fn url_shaped_strings_never_panic(s in r"[a-zA-Z0-9:/\\.@%?#\[\]\t\n \-_~ａ。]{0,48}") {
                let m = matcher();
                let _ = m.classify(&s);
                let _ = m.classify(&format!("https://{s}"));
                let _ = m.classify(&format!("//{s}"));
                let _ = parse_url(&s, Some("https"));
                let _ = is_first_party(&s, "www.example.co.jp");
            }

            #[test]
            fn host_rule_is_equal_or_dot_suffix(host in host(), listed in host()) {
                let expected = host.eq_ignore_ascii_case(&listed)
                    || host.to_ascii_lowercase().ends_with(&format!(".{}", listed.to_ascii_lowercase()));
                prop_assert_eq!(host_matches(&host, &listed), expected);
            }

            #[test]
            fn catalog_matches_iff_a_listed_suffix_matches(host in host()) {
                let m = matcher();
                let got = match m.classify(&format!("https://{host}/")) {
                    Verdict::Service(s) => catalog::entry(s.service).map(|e| e.index() as u8),
                    Verdict::Neutral => Some(NEUTRAL),
                    _ => None,
                };
                prop_assert_eq!(got, reference(&host), "{}", host);
            }

            #[test]
            fn case_port_trailing_dot_and_userinfo_do_not_matter(
                host in host(),
                path in "(/[a-z0-9_.]{0,8}){0,3}",
                port in 1u16..,
            ) {
                let m = matcher();
                let base = m.classify(&format!("https://{host}{path}"));
                for variant in [
                    format!("https://{}{path}", host.to_ascii_uppercase()),
                    format!("https://{host}:{port}{path}"),
                    format!("https://{host}.{path}"),
                    format!("https://{host}.:{port}{path}?q=1#f"),
                    format!("https://u:p@{host}{path}"),
                    format!("//{host}{path}"),
                    format!("http://{host}{path}"),
                    format!("wss://{host}{path}"),
                ] {
                    prop_assert_eq!(m.classify(&variant), base, "{}", variant);
                }
            }
        }
    }
}
