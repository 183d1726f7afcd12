//! Hosts and paths: suffix rules on whole labels, path prefixes, the registrable domain ("same
//! site"), and what a URL is before the catalog is asked (first party, neutral CDN, a `data:`
//! document).

#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::string_slice
)]

use super::table::lookup;
use super::url::{
    eq_ci, eq_lower, find_any, lower, parse_url, split_scheme, trim_end_byte, Parsed,
};
use crate::core::catalog::NEUTRAL;

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
pub(super) fn bare_host(page_host: &str) -> &str {
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
