//! The module graph a page's own markup declares: the static imports of an inline module script
//! (`import … from "x"`, `import "x"`, `export … from "x"`), so the checkpoint can judge them
//! before the browser prepares the script and fetches its graph (the guards resolve them as the
//! browser will, through the page's import maps: js/guards/modules.js). A static import's specifier is
//! always a string literal written right after `import` or `from`: finding those needs no parser.
//! The scan reads the raw text, so such a pattern inside a comment or a string counts too — a
//! script is then held for a URL it only mentions (never the other way round).
//!
//! HTML strings (`document.write`, a `srcdoc`) are judged here whole: their module scripts'
//! specifiers go through the page's maps the guards hand over ([`ImportMaps`]).
//!
//! Not reachable from here: `import()` with a computed specifier (syntax no script can patch),
//! and what the modules a script imports import in turn (their text is never in the page).

use super::json;
use super::matcher::{resolve_relative, without_dot_segments};
use super::value::Value;

/// The page's import maps as the guards hand them over with an HTML string (their own copy,
/// merged: js/guards/modules.js): the document's base URL, then `key`, `address` pairs, all
/// NUL-separated; keys that are URLs and every address already resolved. Empty: no map.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportMaps<'a> {
    text: &'a str,
}

impl<'a> ImportMaps<'a> {
    pub const fn new(text: &'a str) -> Self {
        ImportMaps { text }
    }

    /// Their text, as [`ImportMaps::new`] takes it.
    pub const fn text(&self) -> &'a str {
        self.text
    }

    /// The document's base URL they were handed with.
    pub fn base(&self) -> &'a str {
        self.text.split('\0').next().unwrap_or("")
    }

    /// Where the maps send `specifier` (each address a key gives it: exactly, or as a prefix
    /// ending in `/` with the rest appended). Every map and scope alike, as the guards do: a key
    /// any of them gives is followed, as the safe mistake.
    pub fn destinations(&self, specifier: &str) -> Vec<String> {
        let mut parts = self.text.split('\0');
        let base = parts.next().unwrap_or("");
        let specifier = without_nul(specifier);
        let resolved = url_like(&specifier, base);
        let key = resolved.as_deref().unwrap_or(&specifier);
        let mut out = Vec::new();
        while let (Some(k), Some(address)) = (parts.next(), parts.next()) {
            if k == key {
                out.push(address.to_string());
            } else if k.ends_with('/') && key.starts_with(k) {
                out.push([address, key.get(k.len()..).unwrap_or("")].concat());
            }
        }
        out
    }
}

/// Adds the `key`, `address` pairs of the import map `json` (its `imports` and every scope's
/// alike, as the guards read a map) to `maps`, text as [`ImportMaps::new`] takes it: URL-like
/// keys and addresses resolved against `base`, an address that is no URL left out (a NUL in
/// either is U+FFFD: the pairs are NUL-separated). Whether the map could be read: JSON that is no
/// object adds nothing, and so does JSON this parser refuses where the browser's may not (a lone
/// surrogate, deep nesting) — the caller then treats what follows as unknown.
pub fn add_map(maps: &mut String, json: &str, base: &str) -> bool {
    let map = match json::parse(json) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return true, // (no object: the browser registers nothing either)
        Err(_) => return false,
    };
    let mut tables = Vec::new();
    for (name, value) in &map {
        if name == "imports" {
            tables.extend(object(value));
        } else if name == "scopes" {
            tables.extend(
                object(value)
                    .into_iter()
                    .flatten()
                    .filter_map(|(_, v)| object(v)),
            );
        }
    }
    for (key, address) in tables.into_iter().flatten() {
        let Value::String(address) = address else {
            continue;
        };
        let Some(address) = url_like(address, base) else {
            continue;
        };
        let resolved_key = url_like(key, base);
        for part in [resolved_key.as_deref().unwrap_or(key), &address] {
            maps.push('\0');
            maps.push_str(&without_nul(part));
        }
    }
    true
}

/// `s` with each NUL as U+FFFD: the maps' text is NUL-separated.
fn without_nul(s: &str) -> String {
    s.replace('\0', "\u{fffd}")
}

fn object(v: &Value) -> Option<&[(String, Value)]> {
    match v {
        Value::Object(entries) => Some(entries),
        _ => None,
    }
}

/// A URL-like specifier or map entry (`/x`, `./x`, `../x`, `//host/x`, an absolute URL) as a
/// URL, resolved against `base` and without dot segments, as the URL parser gives it; `None`
/// for a bare one (or a relative one with no base to resolve it by).
fn url_like(s: &str, base: &str) -> Option<String> {
    let s = cleaned(s);
    let s = s.as_str();
    if is_bare_cleaned(s) {
        return None;
    }
    let url = if s.starts_with("//") {
        // (`//host/x` takes the base's scheme.)
        let scheme = base
            .find(':')
            .and_then(|i| base.get(..=i))
            .unwrap_or("https:");
        [scheme, s].concat()
    } else if s.starts_with('/') || s.starts_with('.') {
        resolve_relative(base, s)?
    } else {
        s.to_string()
    };
    Some(without_dot_segments(&with_normal_origin(&url)))
}

/// `url` with its scheme and host in lower case, a default port dropped and an empty path made
/// `/`, as the URL parser writes them (so that a key and a specifier spelled differently meet).
fn with_normal_origin(url: &str) -> String {
    // (Byte searches: no string searcher in the checkpoint's Wasm.)
    let b = url.as_bytes();
    let Some(authority) = b.windows(3).position(|w| w == b"://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = b.get(authority..).unwrap_or_default();
    let end = authority
        + rest
            .iter()
            .position(|c| matches!(c, b'/' | b'?' | b'#'))
            .unwrap_or(rest.len());
    let mut head = url.get(..end).unwrap_or(url).to_ascii_lowercase();
    for (scheme, port) in [
        ("https://", ":443"),
        ("http://", ":80"),
        ("wss://", ":443"),
        ("ws://", ":80"),
    ] {
        if head.starts_with(scheme) && head.ends_with(port) {
            head.truncate(head.len() - port.len());
        }
    }
    let tail = url.get(end..).unwrap_or("");
    let slash = if tail.starts_with('/') { "" } else { "/" };
    [head.as_str(), slash, tail].concat()
}

/// The specifiers of `source`'s static imports and re-exports, their escapes decoded, in order.
/// (Byte by byte, with no panicking slice: this runs in the checkpoint's Wasm.)
pub fn static_imports(source: &str) -> Vec<String> {
    let b = source.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() {
        // (The scan goes on right after the keyword, not after the string: a mention with a quote
        // of its own — `"import";import"x"` — must not hide the import it runs into.)
        i = match keyword_at(b, i) {
            Some(end) => {
                found.extend(string_at(source, skip_blank(b, end)));
                end
            }
            None => i + 1,
        };
    }
    found
}

/// The end of an `import` or `from` at `i` that is a word of its own.
fn keyword_at(b: &[u8], i: usize) -> Option<usize> {
    let word = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$';
    if i > 0 && b.get(i - 1).is_some_and(word) {
        return None;
    }
    let rest = b.get(i..)?;
    let len = if rest.starts_with(b"import") {
        6
    } else if rest.starts_with(b"from") {
        4
    } else {
        return None;
    };
    (!b.get(i + len).is_some_and(word)).then_some(i + len)
}

/// Whether a line terminator starts at `i` (`\n`, `\r`, U+2028, U+2029).
fn line_end_at(b: &[u8], i: usize) -> bool {
    matches!(b.get(i), Some(b'\n' | b'\r'))
        || b.get(i..i + 3)
            .is_some_and(|t| t == "\u{2028}".as_bytes() || t == "\u{2029}".as_bytes())
}

/// Past the white space and comments at `i`. Every non-ASCII byte counts as white space: a word
/// there means no string follows in valid code anyway, and taking one is the safe mistake.
fn skip_blank(b: &[u8], mut i: usize) -> usize {
    loop {
        match (b.get(i), b.get(i + 1)) {
            (Some(c), _) if c.is_ascii_whitespace() || *c == 0x0b || *c >= 0x80 => i += 1,
            (Some(b'/'), Some(b'*')) => {
                i += 2;
                while i < b.len() && b.get(i..i + 2) != Some(b"*/".as_slice()) {
                    i += 1;
                }
                i += 2;
            }
            (Some(b'/'), Some(b'/')) => {
                while i < b.len() && !line_end_at(b, i) {
                    i += 1;
                }
            }
            _ => return i,
        }
    }
}

/// The JavaScript string literal at `i` (quoted with `"` or `'`), decoded.
fn string_at(s: &str, i: usize) -> Option<String> {
    let b = s.as_bytes();
    let quote = *b.get(i)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let mut out = String::new();
    let push = |c: u32, out: &mut String| {
        out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
    };
    // A character copied whole (`s` is valid UTF-8: `at` starts one).
    let copy = |at: usize, out: &mut String| {
        let len = match b.get(at) {
            Some(0xf0..) => 4,
            Some(0xe0..) => 3,
            Some(0xc0..) => 2,
            _ => 1,
        };
        out.push_str(s.get(at..at + len).unwrap_or("\u{fffd}"));
        at + len
    };
    let mut i = i + 1;
    loop {
        let c = *b.get(i)?;
        match c {
            b'\n' | b'\r' => return None, // not a string literal
            c if c == quote => return Some(out),
            b'\\' => {
                let e = *b.get(i + 1)?;
                i += 2;
                match e {
                    b'n' => out.push('\n'),
                    b't' => out.push('\t'),
                    b'r' => out.push('\r'),
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'v' => out.push('\u{b}'),
                    b'0' => out.push('\0'),
                    b'x' => {
                        push(hex(b.get(i..i + 2)?)?, &mut out);
                        i += 2;
                    }
                    b'u' => {
                        let (unit, next) = unicode_escape(b, i)?;
                        i = next;
                        // A surrogate pair written as two escapes is one character.
                        let high_then_escape = (0xd800..0xdc00).contains(&unit)
                            && b.get(i..i + 2) == Some(b"\\u".as_slice());
                        match high_then_escape.then(|| unicode_escape(b, i + 2)).flatten() {
                            Some((l, after)) if (0xdc00..0xe000).contains(&l) => {
                                push(0x10000 + ((unit - 0xd800) << 10) + (l - 0xdc00), &mut out);
                                i = after;
                            }
                            _ => push(unit, &mut out),
                        }
                    }
                    // A line continuation: nothing.
                    b'\r' => i += usize::from(b.get(i) == Some(&b'\n')),
                    b'\n' => {}
                    _ if line_end_at(b, i - 1) => i += 2,
                    _ => i = copy(i - 1, &mut out),
                }
            }
            _ => i = copy(i, &mut out),
        }
    }
}

/// The code point of a `\u` escape whose `u` ends at `i` (`XXXX`, or `{X…}` with any number of
/// leading zeros), and the index after it.
fn unicode_escape(b: &[u8], i: usize) -> Option<(u32, usize)> {
    if b.get(i) != Some(&b'{') {
        return Some((hex(b.get(i..i + 4)?)?, i + 4));
    }
    let mut at = i + 1;
    let mut n = 0u32;
    while let Some(d) = b.get(at).and_then(|c| char::from(*c).to_digit(16)) {
        n = n
            .checked_mul(16)?
            .checked_add(d)
            .filter(|n| *n <= 0x10ffff)?;
        at += 1;
    }
    (at > i + 1 && b.get(at) == Some(&b'}')).then_some((n, at + 1))
}

/// Hexadecimal digits as a number.
fn hex(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0u32, |n, d| Some(n * 16 + char::from(*d).to_digit(16)?))
}

/// Whether a specifier is bare (`"lodash"`): only an import map gives it a URL. Read as the URL
/// parser reads it: C0 controls and spaces around it trimmed, tabs and line breaks in it dropped.
pub fn is_bare(specifier: &str) -> bool {
    is_bare_cleaned(&cleaned(specifier))
}

/// [`is_bare`] of a specifier [`cleaned`] already.
fn is_bare_cleaned(specifier: &str) -> bool {
    let b = specifier.as_bytes();
    let scheme = b.iter().position(|c| *c == b':').and_then(|n| b.get(..n));
    let url = scheme.is_some_and(|s| {
        s.first().is_some_and(u8::is_ascii_alphabetic)
            && s.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
    });
    !(url
        || specifier.starts_with('/')
        || specifier.starts_with("./")
        || specifier.starts_with("../"))
}

/// `s` as the URL parser reads it: C0 controls and spaces trimmed, tabs and newlines removed.
fn cleaned(s: &str) -> String {
    s.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_maps_send_specifiers_where_the_browser_would() {
        let maps = ImportMaps::new(
            "https://site.example/dir/page.html\0lodash\0https://cdn.example/lodash.js\0\
             tags/\0https://tags.example/v2/\0https://site.example/lib.js\0https://tags.example/lib.js",
        );
        assert_eq!(
            maps.destinations("lodash"),
            ["https://cdn.example/lodash.js"]
        );
        assert_eq!(
            maps.destinations("tags/a/b.js?x=1"),
            ["https://tags.example/v2/a/b.js?x=1"]
        );
        // URL-like specifiers meet the keys resolved, dot segments and all.
        for specifier in [
            "/lib.js",
            "../lib.js",
            "./../x/../lib.js",
            "https://site.example/lib.js",
            "//site.example/lib.js",
        ] {
            assert_eq!(
                maps.destinations(specifier),
                ["https://tags.example/lib.js"],
                "{specifier}"
            );
        }
        assert!(maps.destinations("lodash/fp").is_empty()); // (a key without `/` is no prefix)
        assert!(maps.destinations("./lib.js").is_empty());
        assert!(ImportMaps::default().destinations("lodash").is_empty());
        // A map cut short (a key without its address) names nothing more.
        assert!(ImportMaps::new("https://site.example/\0lodash")
            .destinations("lodash")
            .is_empty());
    }

    #[test]
    fn import_maps_added_from_their_json() {
        let base = "https://site.example/dir/page.html";
        let mut maps = base.to_string();
        assert!(add_map(
            &mut maps,
            r#"{"imports": {"a": "https://cdn.example/a.js", "b/": "./b/", "c": 1, "d": "bare",
                "https://site.example/x/../lib.js": "//tags.example/lib.js"},
               "scopes": {"/s/": {"e": "/e.js"}, "/t/": "no"}, "other": {"f": "/f.js"}}"#,
            base,
        ));
        assert_eq!(
            maps,
            "https://site.example/dir/page.html\0a\0https://cdn.example/a.js\0b/\0https://site.example/dir/b/\0\
             https://site.example/lib.js\0https://tags.example/lib.js\0e\0https://site.example/e.js"
        );
        let maps = ImportMaps::new(&maps);
        assert_eq!(
            maps.destinations("b/c.js"),
            ["https://site.example/dir/b/c.js"]
        );
        assert_eq!(
            maps.destinations("../lib.js"),
            ["https://tags.example/lib.js"]
        );
        // Keys and specifiers meet as the URL parser writes them.
        let mut maps = "https://site.example/".to_string();
        add_map(
            &mut maps,
            r#"{"imports": {"HTTPS://Site.Example:443": "https://tags.example/a.js", "n\u0000": "/x.js",
                "after": "https://tags.example/b.js"}}"#,
            "https://site.example/",
        );
        let maps = ImportMaps::new(&maps);
        // (A NUL in a key shifts no pair.)
        assert_eq!(maps.destinations("after"), ["https://tags.example/b.js"]);
        assert_eq!(maps.destinations("n\0"), ["https://site.example/x.js"]);
        for specifier in [
            "https://site.example/",
            "HTTPS://SITE.EXAMPLE",
            "https://site.example:443/",
            " https://site.example/\n",
        ] {
            assert_eq!(
                maps.destinations(specifier),
                ["https://tags.example/a.js"],
                "{specifier}"
            );
        }
        // Not JSON, or not an object: nothing; whether it could be read.
        for (json, read) in [
            ("", false),
            ("{", false),
            (r#"{"imports": {"a": "/a.js"},}"#, false),
            (r#"{"imports": {"a": "\ud800"}}"#, false), // (JSON.parse takes it)
            ("[]", true),
        ] {
            let mut maps = "https://site.example/".to_string();
            assert_eq!(
                add_map(&mut maps, json, "https://site.example/"),
                read,
                "{json}"
            );
            assert_eq!(maps, "https://site.example/", "{json}");
        }
    }

    #[test]
    fn every_static_import_form() {
        let source = r#"
            import "https://a.example/side-effect.js";
            import x from 'https://b.example/default.js';
            import { a, b as c } from "https://c.example/named.js";
            import * as ns from "https://d.example/ns.js";
            import y, { z } from "https://e.example/both.js";
            import json from "./data.json" with { type: "json" };
            export * from "https://f.example/star.js";
            export * as all from "https://g.example/star-as.js";
            export { q } from "https://h.example/named.js";
            import{w}from"https://i.example/tight.js";export*from'https://j.example/tight.js'
            import defer * as lazy from "https://k.example/defer.js";
        "#;
        assert_eq!(
            static_imports(source),
            [
                "https://a.example/side-effect.js",
                "https://b.example/default.js",
                "https://c.example/named.js",
                "https://d.example/ns.js",
                "https://e.example/both.js",
                "./data.json",
                "https://f.example/star.js",
                "https://g.example/star-as.js",
                "https://h.example/named.js",
                "https://i.example/tight.js",
                "https://j.example/tight.js",
                "https://k.example/defer.js",
            ]
        );
    }

    #[test]
    fn comments_line_breaks_and_escapes_between_and_inside() {
        let source = "import/* a */\"https://a.example/x.js\";\n\
            import x from // why\n  'https://b.example/x.js';\n\
            import\u{2028}\"https://c.example/x.js\";\n\
            import \"\\x68ttps:\\u002f\\u{2F}d.example/x.js\";\n\
            import 'https://e.example/a\\\nb.js';\n\
            import \"\\uD83D\\uDE00.example\";";
        assert_eq!(
            static_imports(source),
            [
                "https://a.example/x.js",
                "https://b.example/x.js",
                "https://c.example/x.js",
                "https://d.example/x.js",
                "https://e.example/ab.js",
                "\u{1F600}.example",
            ]
        );
    }

    #[test]
    fn a_mention_never_hides_the_import_after_it() {
        let gtm = "https://www.googletagmanager.com/gtm.js";
        for source in [
            ["const m=\"import\";import\"", gtm, "\";"].concat(),
            ["/* from \" */ import \"", gtm, "\";"].concat(),
            ["const m='from';import '", gtm, "';"].concat(),
        ] {
            assert!(static_imports(&source).iter().any(|s| s == gtm), "{source}");
        }
    }

    #[test]
    fn long_code_point_escapes() {
        assert_eq!(
            static_imports(r#"import "\u{0000068}ttps://t.example/";"#),
            ["https://t.example/"]
        );
        assert_eq!(
            static_imports(r#"import "\u{110000}";"#),
            Vec::<String>::new()
        );
        assert_eq!(static_imports(r#"import "\u{}x";"#), Vec::<String>::new());
    }

    #[test]
    fn only_whole_words_followed_by_a_string() {
        let source = r#"
            const reimport = "https://a.example/"; const fromage = 'https://b.example/';
            import.meta.url; import("./dynamic.js"); const from = 1;
            x.important = "https://c.example/"; importScripts("https://d.example/");
            const s = "unterminated
            import "./after.js";
        "#;
        assert_eq!(static_imports(source), ["./after.js"]);
    }

    #[test]
    fn a_mention_in_a_comment_or_string_counts_fail_closed() {
        assert_eq!(
            static_imports(
                r#"// import "https://a.example/x.js"
                const s = 'from "https://b.example/y.js"';"#
            ),
            ["https://a.example/x.js", "https://b.example/y.js"]
        );
    }

    #[test]
    fn bare_specifiers() {
        for bare in ["lodash", "@scope/pkg", "vendor/x.js", "1a:b", ".x", ""] {
            assert!(is_bare(bare), "{bare:?}");
        }
        for url in [
            "/a.js",
            "./a.js",
            "../a.js",
            "//cdn.example/a.js",
            "https://t.example/",
            "a+b:c",
            " https://t.example/",
            "ht\ttps://t.example/",
            "\u{1}./a.js",
        ] {
            assert!(!is_bare(url), "{url:?}");
        }
    }
}
