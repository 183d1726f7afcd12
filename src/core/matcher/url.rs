//! URL parsing: where a URL points, as far as the checkpoint cares (see [`super`] for the rules
//! it follows). Hand-written, allocation-free for well-formed URLs, never panics.

#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::string_slice
)]

use std::borrow::Cow;

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
pub(super) fn lower(c: u8) -> u8 {
    if c.wrapping_sub(b'A') < 26 {
        c | 0x20
    } else {
        c
    }
}

/// ASCII case-insensitive equality; a plain loop, which beats the standard library's chunked
/// version on the short strings compared here.
#[inline(always)]
pub(super) fn eq_ci(a: &[u8], b: &[u8]) -> bool {
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
pub(super) fn eq_lower(a: &[u8], lowered: &[u8]) -> bool {
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
pub(super) fn trim_start_byte(s: &str, c: u8) -> &str {
    let start = s.bytes().position(|b| b != c).unwrap_or(s.len());
    s.get(start..).unwrap_or("")
}

/// The first position of any of `set` in `s`.
#[inline(always)]
pub(super) fn find_any(s: &str, set: &[u8]) -> Option<usize> {
    s.bytes().position(|b| set.contains(&b))
}

/// `s` without trailing `c` bytes.
#[inline(always)]
pub(super) fn trim_end_byte(s: &str, c: u8) -> &str {
    let mut end = s.len();
    while end > 0 && s.as_bytes().get(end - 1) == Some(&c) {
        end -= 1;
    }
    s.get(..end).unwrap_or(s)
}

/// `scheme:rest` when `s` starts with a URL scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`).
pub(super) fn split_scheme(s: &str) -> Option<(&str, &str)> {
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
pub(super) fn before_query(s: &str) -> &str {
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
            [0xC5, 0xBF, ..] => (Some(b's'), 2),                       // U+017F
            [0xC2, 0xAD, ..] | [0xCD, 0x8F, ..] => (None, 2),          // U+00AD, U+034F
            [0xE1, 0xA0, 0x8B..=0x8D, ..]                              // U+180B–180D
            | [0xE2, 0x80, 0x8B, ..]                                   // U+200B
            | [0xE2, 0x81, 0xA0, ..]                                   // U+2060
            | [0xEF, 0xB8, 0x80..=0x8F, ..]                            // U+FE00–FE0F
            | [0xEF, 0xBB, 0xBF, ..] => (None, 3),                     // U+FEFF
            [0xF0, 0x9D, b2 @ 0x90..=0x9F, b3, ..] => {
                // U+1D400–1D7FF, mathematical letters and digits: IDNA maps them to ASCII.
                let cp = 0x1D000 | (u32::from(b2 & 0x3F) << 6) | u32::from(b3 & 0x3F);
                (math_alphanumeric(cp), 4)
            }
            [0xE2, 0x84, b2, ..] => (letterlike(b2), 3), // U+2100–213F
            [0xE2, 0x92, b2 @ 0xB6..=0xBF, ..] => (Some(b'a' + (b2 - 0xB6)), 3), // Ⓐ–Ⓙ
            [0xE2, 0x93, b2 @ 0x80..=0x8F, ..] => (Some(b'k' + (b2 - 0x80)), 3), // Ⓚ–Ⓩ
            [0xE2, 0x93, b2 @ 0x90..=0xA9, ..] => (Some(b'a' + (b2 - 0x90)), 3), // ⓐ–ⓩ
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

/// What IDNA maps a mathematical alphanumeric symbol (U+1D400–1D7FF) to: its letter or digit
/// (`_`, which no catalog host has, for the Greek ones, dotless i and j).
fn math_alphanumeric(cp: u32) -> Option<u8> {
    let ascii = match cp {
        0x1D400..=0x1D6A3 => u8::try_from((cp - 0x1D400) % 26).map_or(b'_', |i| b'a' + i),
        0x1D7CE..=0x1D7FF => u8::try_from((cp - 0x1D7CE) % 10).map_or(b'_', |d| b'0' + d),
        _ => b'_',
    };
    Some(ascii)
}

/// What IDNA maps a letterlike symbol (U+2100–213F, by its last UTF-8 byte) to: the script,
/// Fraktur and double-struck letters (ℂ ℊ ℋ ℌ ℍ ℎ ℐ ℑ ℒ ℓ ℕ ℙ ℚ ℛ ℜ ℝ ℤ ℨ ℬ ℭ ℯ ℰ ℱ ℳ ℴ) and the
/// Kelvin sign; `_` for the rest.
fn letterlike(b2: u8) -> Option<u8> {
    let ascii = match b2 {
        0x82 | 0xAD => b'c',
        0x8A => b'g',
        0x8B..=0x8E => b'h',
        0x90 | 0x91 => b'i',
        0x92 | 0x93 => b'l',
        0x95 => b'n',
        0x99 => b'p',
        0x9A => b'q',
        0x9B..=0x9D => b'r',
        0xA4 | 0xA8 => b'z',
        0xAA => b'k',
        0xAC => b'b',
        0xAF | 0xB0 => b'e',
        0xB1 => b'f',
        0xB3 => b'm',
        0xB4 => b'o',
        _ => b'_',
    };
    Some(ascii)
}

/// The path as the server sees it: unreserved characters decoded, `.` and `..` segments removed.
pub(super) fn normalize_path(raw: &str) -> String {
    remove_dot_segments(&decode_unreserved(raw))
}

/// An absolute URL's path without its `.` and `..` segments, as the URL parser leaves it
/// (nothing decoded): `https://a.example/x/../y?q` → `https://a.example/y?q`.
pub fn without_dot_segments(url: &str) -> String {
    let authority = url
        .as_bytes()
        .windows(3)
        .position(|w| w == b"://")
        .map_or(0, |i| i + 3);
    let path_start =
        find_any(url.get(authority..).unwrap_or(""), b"/?#").map_or(url.len(), |i| authority + i);
    let tail = url.get(path_start..).unwrap_or("");
    let path_end = path_start + find_any(tail, b"?#").unwrap_or(tail.len());
    let (Some(head), Some(path), Some(rest)) = (
        url.get(..path_start),
        url.get(path_start..path_end),
        url.get(path_end..),
    ) else {
        return url.to_string();
    };
    if !path.starts_with('/') {
        return url.to_string();
    }
    [head, &remove_dot_segments(path), rest].concat()
}

fn remove_dot_segments(decoded: &str) -> String {
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
