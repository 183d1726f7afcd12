//! The URLs a piece of CSS would load, read as the browser's tokenizer reads it (CSS Syntax
//! Level 3, §4): `url(…)` tokens and `url("…")` functions, the string or URL of an `@import`, the
//! bare strings of `image-set()`, and a custom property's strings that are absolute URLs (they
//! reach an `image-set()` through `var()`), with comments, escapes (`\75 rl(` is `url(`) and bad
//! tokens as the standard has them. For the guards of `<style>` text, `style` attributes and the CSSOM, and
//! the HTML rewriter's `<style>` and `style=""`.

use super::checkpoint::Kind;
use std::ops::Range;

/// One URL of a style sheet or declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CssUrl {
    /// The bytes to replace to hold it: the whole `url(…)` token, or the string token.
    pub span: Range<usize>,
    /// The URL, unescaped (relative ones as written).
    pub url: String,
    /// Loaded as a style sheet (`@import`) rather than an image or a font.
    pub import: bool,
    /// The span is a string token (`url("…")`, `@import "…"`, `image-set("…")`), not a URL token.
    pub quoted: bool,
}

impl CssUrl {
    /// What it is loaded as, for the policy and the audit.
    pub fn kind(&self) -> Kind {
        if self.import {
            Kind::Link
        } else {
            Kind::Img
        }
    }

    /// What takes its place when it is held: an empty `data:` URL (nothing fetched, no console
    /// error; an image or font that does not decode).
    fn neutral(&self) -> &'static str {
        if self.quoted {
            "\"data:,\""
        } else {
            "url(data:,)"
        }
    }
}

/// Whether `css` may name a URL at all (cheap; `urls` reads it properly): the guards skip the
/// policy for the CSS that frameworks write all the time.
pub fn may_load(css: &str) -> bool {
    let b = css.as_bytes();
    b.contains(&b'\\')
        || b.windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"url(") || w.eq_ignore_ascii_case(b"@imp"))
        || b.windows(9).any(|w| w.eq_ignore_ascii_case(b"image-set"))
        || b.windows(2).any(|w| w == b"//")
}

/// Whether a CSS string is an absolute URL (`http:`, `https:`, `//…`): in a custom property,
/// one that `var()` may carry into an `image-set()`.
fn is_absolute_url(s: &str) -> bool {
    let b = s
        .trim_start_matches(|c: char| c.is_ascii_whitespace())
        .as_bytes();
    let starts = |p: &[u8]| b.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    starts(b"http:") || starts(b"https:") || starts(b"//")
}

/// Every URL `css` would load, in order.
pub fn urls(css: &str) -> Vec<CssUrl> {
    let mut t = Tokenizer {
        css,
        s: css.as_bytes(),
        i: 0,
        out: Vec::new(),
    };
    t.run();
    t.out
}

/// `css` with each URL for which `hold(kind, url)` is true replaced by one that loads nothing;
/// `None` when nothing was held.
pub fn rewrite(css: &str, hold: &mut dyn FnMut(Kind, &str) -> bool) -> Option<String> {
    let mut out = String::new();
    let mut copied = 0;
    for u in urls(css) {
        if hold(u.kind(), &u.url) {
            out.push_str(css.get(copied..u.span.start).unwrap_or(""));
            out.push_str(u.neutral());
            copied = u.span.end;
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(css.get(copied..).unwrap_or(""));
    Some(out)
}

struct Tokenizer<'s> {
    css: &'s str,
    s: &'s [u8],
    i: usize,
    out: Vec<CssUrl>,
}

/// What the last significant token was, for `@import` and `image-set(`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    None,
    /// After `@import` (whitespace and comments may follow).
    Import,
    /// Inside `image-set(`, at this parenthesis depth.
    ImageSet(usize),
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn is_name(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c >= 0x80
}

impl Tokenizer<'_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.s.get(i).copied()
    }

    /// Whether a valid escape starts at `i` (§4.3.8): a backslash not followed by a newline.
    fn escape_at(&self, i: usize) -> bool {
        self.at(i) == Some(b'\\') && !matches!(self.at(i + 1), Some(b'\n' | b'\r' | b'\x0c'))
    }

    /// Reads an escape after its backslash (§4.3.7), appending the code point.
    fn escape(&mut self, out: &mut String) {
        let start = self.i;
        let mut code = 0u32;
        while self.i - start < 6 {
            let Some(digit) = self.at(self.i).and_then(|c| char::from(c).to_digit(16)) else {
                break;
            };
            code = code * 16 + digit;
            self.i += 1;
        }
        if self.i > start {
            out.push(match char::from_u32(code) {
                Some(c) if code != 0 => c,
                _ => '\u{FFFD}',
            });
            // One whitespace after a hex escape belongs to it (a CR LF counts as one).
            if self.at(self.i) == Some(b'\r') && self.at(self.i + 1) == Some(b'\n') {
                self.i += 2;
            } else if self.at(self.i).is_some_and(is_space) {
                self.i += 1;
            }
        } else {
            self.push_char(out);
        }
    }

    /// Appends the character at `i` (whole, when it is not ASCII) and moves past it.
    fn push_char(&mut self, out: &mut String) {
        match self.css.get(self.i..).and_then(|rest| rest.chars().next()) {
            Some(c) => {
                out.push(c);
                self.i += c.len_utf8();
            }
            None => {
                out.push('\u{FFFD}'); // an escape at the end of the input
                self.i += 1;
            }
        }
    }

    /// Whether an identifier starts at `i` (§4.3.9).
    fn ident_starts(&self, i: usize) -> bool {
        match self.at(i) {
            Some(b'-') => {
                matches!(self.at(i + 1), Some(c) if is_name(c) && !c.is_ascii_digit() || c == b'-')
                    || self.escape_at(i + 1)
            }
            Some(b'\\') => self.escape_at(i),
            Some(c) => is_name(c) && !c.is_ascii_digit(),
            None => false,
        }
    }

    /// Reads a name (§4.3.11), unescaped.
    fn name(&mut self) -> String {
        let mut out = String::new();
        loop {
            match self.at(self.i) {
                Some(c) if is_name(c) => self.push_char(&mut out),
                Some(b'\\') if self.escape_at(self.i) => {
                    self.i += 1;
                    self.escape(&mut out);
                }
                _ => return out,
            }
        }
    }

    /// Reads a string token after its opening quote (§4.3.5); `None` for a bad string (a
    /// newline in it), which loads nothing.
    fn string(&mut self, quote: u8) -> Option<String> {
        let mut out = String::new();
        loop {
            match self.at(self.i) {
                None => return Some(out),
                Some(c) if c == quote => {
                    self.i += 1;
                    return Some(out);
                }
                Some(b'\n' | b'\r' | b'\x0c') => return None,
                Some(b'\\') => {
                    self.i += 1;
                    match self.at(self.i) {
                        None => {}
                        Some(b'\n' | b'\x0c') => self.i += 1,
                        Some(b'\r') => {
                            self.i += 1;
                            if self.at(self.i) == Some(b'\n') {
                                self.i += 1;
                            }
                        }
                        Some(_) => self.escape(&mut out),
                    }
                }
                Some(_) => self.push_char(&mut out),
            }
        }
    }

    /// Reads a URL token after `url(` and its whitespace (§4.3.6); `None` for a bad URL.
    fn url_token(&mut self) -> Option<String> {
        let mut out = String::new();
        loop {
            match self.at(self.i) {
                None => return Some(out),
                Some(b')') => {
                    self.i += 1;
                    return Some(out);
                }
                Some(c) if is_space(c) => {
                    while self.at(self.i).is_some_and(is_space) {
                        self.i += 1;
                    }
                    if matches!(self.at(self.i), None | Some(b')')) {
                        continue;
                    }
                    self.bad_url();
                    return None;
                }
                Some(b'"' | b'\'' | b'(' | 0..=8 | 0x0b | 0x0e..=0x1f | 0x7f) => {
                    self.bad_url();
                    return None;
                }
                Some(b'\\') if self.escape_at(self.i) => {
                    self.i += 1;
                    self.escape(&mut out);
                }
                Some(b'\\') => {
                    self.bad_url();
                    return None;
                }
                Some(_) => self.push_char(&mut out),
            }
        }
    }

    /// Skips the rest of a bad URL (§4.3.14).
    fn bad_url(&mut self) {
        while let Some(c) = self.at(self.i) {
            self.i += 1;
            if c == b')' {
                return;
            }
            if c == b'\\' && self.escape_at(self.i - 1) {
                let mut sink = String::new();
                self.escape(&mut sink);
            }
        }
    }

    fn found(&mut self, span: Range<usize>, url: String, import: bool, quoted: bool) {
        self.out.push(CssUrl {
            span,
            url,
            import,
            quoted,
        });
    }

    fn run(&mut self) {
        let mut context = Context::None;
        let mut depth = 0usize;
        // Inside a custom property's value (`--x: …`), declared at this depth.
        let mut custom: Option<usize> = None;
        while let Some(c) = self.at(self.i) {
            let start = self.i;
            if c == b'/' && self.at(self.i + 1) == Some(b'*') {
                let after = self.s.get(self.i + 2..).unwrap_or(&[]);
                self.i = match after.windows(2).position(|w| w == b"*/") {
                    Some(p) => self.i + 2 + p + 2,
                    None => self.s.len(),
                };
                continue;
            }
            if is_space(c) {
                self.i += 1;
                continue;
            }
            let mut next = Context::None;
            match c {
                b'"' | b'\'' => {
                    self.i += 1;
                    let s = self.string(c);
                    let in_image_set = matches!(context, Context::ImageSet(d) if d == depth);
                    if let Some(url) = s {
                        let in_custom = custom.is_some_and(|d| depth >= d);
                        if context == Context::Import
                            || in_image_set
                            || in_custom && is_absolute_url(&url)
                        {
                            self.found(start..self.i, url, context == Context::Import, true);
                        }
                    }
                    if in_image_set {
                        next = context;
                    }
                }
                b'@' if self.ident_starts(self.i + 1) => {
                    self.i += 1;
                    if self.name().eq_ignore_ascii_case("import") {
                        next = Context::Import;
                    }
                }
                b'(' | b'[' | b'{' => {
                    self.i += 1;
                    depth += 1;
                    next = context;
                }
                b')' | b']' | b'}' => {
                    self.i += 1;
                    depth = depth.saturating_sub(1);
                    if custom.is_some_and(|d| depth < d) {
                        custom = None;
                    }
                    if let Context::ImageSet(d) = context {
                        if depth >= d {
                            next = context;
                        }
                    }
                }
                _ if self.ident_starts(self.i) => {
                    let name = self.name();
                    if self.at(self.i) == Some(b'(') {
                        self.i += 1;
                        depth += 1;
                        if name.eq_ignore_ascii_case("url") {
                            while self.at(self.i).is_some_and(is_space) {
                                self.i += 1;
                            }
                            if matches!(self.at(self.i), Some(b'"' | b'\'')) {
                                // `url("…")` is a function: its string is the URL.
                                let quote = self.at(self.i).unwrap_or(b'"');
                                let string_start = self.i;
                                self.i += 1;
                                if let Some(url) = self.string(quote) {
                                    self.found(
                                        string_start..self.i,
                                        url,
                                        context == Context::Import,
                                        true,
                                    );
                                }
                            } else {
                                depth -= 1;
                                if let Some(url) = self.url_token() {
                                    self.found(
                                        start..self.i,
                                        url,
                                        context == Context::Import,
                                        false,
                                    );
                                }
                            }
                            if matches!(context, Context::ImageSet(_)) {
                                next = context;
                            }
                        } else if name.eq_ignore_ascii_case("image-set")
                            || name.eq_ignore_ascii_case("-webkit-image-set")
                        {
                            next = Context::ImageSet(depth);
                        } else {
                            next = context;
                        }
                    } else if matches!(context, Context::ImageSet(_)) {
                        next = context;
                    } else if name.starts_with("--") {
                        let mut j = self.i;
                        while self.at(j).is_some_and(is_space) {
                            j += 1;
                        }
                        if self.at(j) == Some(b':') {
                            custom = Some(depth);
                        }
                    }
                }
                // A number, with its unit (`10url(` is a dimension and a `(`, not a function).
                _ if c.is_ascii_digit()
                    || matches!(c, b'.' | b'+' | b'-')
                        && self.at(self.i + 1).is_some_and(|d| d.is_ascii_digit()) =>
                {
                    self.i += 1;
                    while self
                        .at(self.i)
                        .is_some_and(|d| d.is_ascii_digit() || d == b'.')
                    {
                        self.i += 1;
                    }
                    if self.ident_starts(self.i) {
                        self.name();
                    }
                    if matches!(context, Context::ImageSet(_)) {
                        next = context;
                    }
                }
                // A hash (`#url(` is a hash and a `(`).
                b'#' if self.at(self.i + 1).is_some_and(is_name) || self.escape_at(self.i + 1) => {
                    self.i += 1;
                    self.name();
                    if matches!(context, Context::ImageSet(_)) {
                        next = context;
                    }
                }
                b'\\' => {
                    // A backslash that starts no identifier is a delimiter.
                    self.i += 1;
                }
                _ => {
                    self.i += 1;
                    if matches!(context, Context::ImageSet(_)) && c != b';' {
                        next = context;
                    }
                    if c == b';' && custom == Some(depth) {
                        custom = None;
                    }
                }
            }
            context = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(css: &str) -> Vec<(String, bool)> {
        urls(css).into_iter().map(|u| (u.url, u.import)).collect()
    }

    fn one(url: &str) -> Vec<(String, bool)> {
        vec![(url.to_string(), false)]
    }

    #[test]
    fn url_tokens_and_functions() {
        assert_eq!(
            found("a{background:url(https://t.example/p.gif)}"),
            one("https://t.example/p.gif")
        );
        assert_eq!(found("background: URL(  /x.png  )"), one("/x.png"));
        assert_eq!(
            found(r#"b{background:url( "https://t.example/a b" )}"#),
            one("https://t.example/a b")
        );
        assert_eq!(found("b{background:url('x.png')}"), one("x.png"));
        // Escapes: in the name of the function and in the URL.
        assert_eq!(found(r"a{background:\75 rl(x.png)}"), one("x.png"));
        assert_eq!(found(r"a{background:u\rl(x.png)}"), one("x.png"));
        assert_eq!(found(r"a{background:\55\52\4c(x.png)}"), one("x.png"));
        assert_eq!(
            found(r"a{background:url(https\3a //t.example/p)}"),
            one("https://t.example/p")
        );
        assert_eq!(
            found(r#"a{background:url("https\:\/\/t.example")}"#),
            one("https://t.example")
        );
        // Several in one declaration.
        assert_eq!(found("background: url(a.png), url(b.png)").len(), 2);
    }

    #[test]
    fn what_loads_nothing() {
        // Bad URLs: a quote, a parenthesis or whitespace inside an unquoted one.
        assert!(found("a{background:url(a b)}").is_empty());
        assert!(found("a{background:url(a\"b)}").is_empty());
        assert!(found("a{background:url(a(b)}").is_empty());
        // A string with a newline is a bad string.
        assert!(found("a{background:url(\"a\nb\")}").is_empty());
        // Comments, strings, hashes and dimensions that look like url(.
        assert!(found("/* url(x.png) */ a{}").is_empty());
        assert!(found("a{content:\"url(x.png)\"}").is_empty());
        assert!(found("#url(x.png){}").is_empty());
        assert!(found("a{width:10url(x.png)}").is_empty());
        assert!(found("a{b:xurl(x.png)}").is_empty());
        assert!(found("a{b:url (x.png)}").is_empty());
        // A bare string is not a URL, except after @import, in image-set(), and when it is an
        // absolute one in a custom property (below).
        assert!(found("a{font-family:\"x.png\"}").is_empty());
        assert!(found("a{content:\"https://t.example/\"; --x: 'https-like'}").is_empty());
        assert!(found("a{--x: a; content:\"https://t.example/\"}").is_empty());
        assert!(found("a{--x: {}} b{content:\"//t.example/\"}").is_empty());
    }

    #[test]
    fn absolute_urls_in_strings() {
        // A custom property's URL reaches image-set() through var().
        assert_eq!(
            found(r#"a{--u:"https://t.example/p.gif";background:image-set(var(--u) 1x)}"#),
            one("https://t.example/p.gif")
        );
        assert_eq!(
            found(r"a{--u:' //t.example/p.gif'}"),
            one(" //t.example/p.gif")
        );
        assert_eq!(
            found(r#"a{--u : {x:"HTTP://t.example/"}}"#),
            one("HTTP://t.example/")
        );
        assert!(may_load(r#"--u: "https://t.example/p.gif""#));
        let held = rewrite(r#"--u:"https://t.example/p.gif""#, &mut |_, _| true);
        assert_eq!(held.as_deref(), Some(r#"--u:"data:,""#));
    }

    #[test]
    fn imports() {
        let imp = |u: &str| vec![(u.to_string(), true)];
        assert_eq!(
            found("@import 'https://fonts.example/css';"),
            imp("https://fonts.example/css")
        );
        assert_eq!(
            found("@import url(https://fonts.example/css) screen;"),
            imp("https://fonts.example/css")
        );
        assert_eq!(
            found("@IMPORT /* c */ url(\"/a.css\") layer(x);"),
            imp("/a.css")
        );
        assert_eq!(found(r"@\69mport 'x.css';"), imp("x.css"));
        // What follows the import is not an import.
        assert_eq!(
            found("@import 'a.css'; a{background:url(b.png)}"),
            vec![("a.css".to_string(), true), ("b.png".to_string(), false)]
        );
        assert!(found("@media screen { a{content:'x.css'} }").is_empty());
    }

    #[test]
    fn image_sets() {
        assert_eq!(
            found(
                r#"a{background-image:image-set("a.png" 1x, url(b.png) 2x, 'c.png' type("image/png") 3x)}"#
            ),
            vec![
                ("a.png".to_string(), false),
                ("b.png".to_string(), false),
                ("c.png".to_string(), false)
            ]
        );
        assert_eq!(found(r#"a{b:-webkit-image-set("a.png" 1x)}"#), one("a.png"));
        // After it closes, strings are strings again.
        assert!(found(r#"a{b:image-set(url(a.png) 1x); content:"b.png"}"#).len() == 1);
    }

    #[test]
    fn rewrites_only_the_held_ones() {
        let mut held = |_: Kind, url: &str| url.contains("t.example");
        assert_eq!(
            rewrite(
                "a{background:url(https://t.example/p.gif)} b{background:url(/own.png)}",
                &mut held
            )
            .as_deref(),
            Some("a{background:url(data:,)} b{background:url(/own.png)}")
        );
        assert_eq!(
            rewrite("@import url('https://t.example/x.css') print;", &mut held).as_deref(),
            Some("@import url(\"data:,\") print;")
        );
        assert_eq!(rewrite("a{background:url(/own.png)}", &mut held), None);
        assert_eq!(rewrite("", &mut held), None);
        let kinds = urls("@import 'a'; b{c:url(d)}")
            .iter()
            .map(CssUrl::kind)
            .collect::<Vec<_>>();
        assert_eq!(kinds, [Kind::Link, Kind::Img]);
    }

    #[test]
    fn may_load_is_a_superset() {
        for css in [
            "a{background:url(x)}",
            r"a{background:\75 rl(x)}",
            "@import 'x';",
            "a{b:image-set('x' 1x)}",
        ] {
            assert!(may_load(css), "{css}");
        }
        assert!(!may_load("color: red; width: 10px"));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for css in [
            "url(",
            "url(\"",
            "\\",
            "@",
            "@import",
            "image-set(",
            "u\\",
            "é url(ü) \\ü",
            "/*",
            "#",
            "-",
            "+.5",
        ] {
            let _ = urls(css);
            let _ = rewrite(css, &mut |_, _| true);
        }
    }
}
