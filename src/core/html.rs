//! Rewrites HTML strings so that tags the checkpoint holds become inert markup, for the paths
//! where page code hands the browser HTML text (`document.write`, `innerHTML`,
//! `insertAdjacentHTML`, `Range.createContextualFragment`).
//!
//! A held tag has its URL attributes (the element table, [`elements`]) renamed with a `data-`
//! prefix and gets `data-consent="<requirement>"`; a held `<script>` also gets
//! `type="text/plain"` (its own type moves to `data-type`). The markup checkpoint then releases
//! them when allowed. Everything else is copied byte for byte.

use super::checkpoint::Kind;
use super::css;
use super::elements;

/// What the rewriter knows of a tag: what it loads and its URL attributes with the names they
/// wait under when held (the rule of its namespace: [`elements`]).
struct TagRule {
    kind: Kind,
    renames: Vec<(&'static str, String)>,
}

impl TagRule {
    fn of(name: &str, in_svg: bool) -> Option<TagRule> {
        let rule = elements::in_html_string(name, in_svg)?;
        Some(TagRule {
            kind: rule.kind,
            renames: rule
                .urls
                .iter()
                .map(|url| (*url, elements::held_name(url)))
                .collect(),
        })
    }
}

struct Attr {
    /// Byte range of the name.
    name: (usize, usize),
    /// Byte range of the raw value (inside quotes), if any.
    value: Option<(usize, usize)>,
}

/// Parses the attributes of a tag from `i` (after its name) up to its `>`, as the tokenizer of
/// WHATWG HTML does (§13.2.5.32–§13.2.5.40): a name runs to whitespace, `/`, `>` or `=` (its
/// first character may be `=`), a value is quoted or runs to whitespace or `>`. Returns them and
/// the index of the `>`, or `None` when the tag is not closed in `html` (the browser drops it).
fn parse_attrs(html: &str, mut i: usize) -> Option<(Vec<Attr>, usize)> {
    let b = html.as_bytes();
    let space = |c: &u8| matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let mut attrs = Vec::new();
    loop {
        while b.get(i).is_some_and(|c| space(c) || *c == b'/') {
            i += 1;
        }
        if *b.get(i)? == b'>' {
            return Some((attrs, i));
        }
        let start = i;
        i += 1; // the first character is the name's, even `=`
        while b
            .get(i)
            .is_some_and(|c| !space(c) && !matches!(c, b'=' | b'>' | b'/'))
        {
            i += 1;
        }
        let name = (start, i);
        while b.get(i).is_some_and(space) {
            i += 1;
        }
        let mut value = None;
        if b.get(i) == Some(&b'=') {
            i += 1;
            while b.get(i).is_some_and(space) {
                i += 1;
            }
            match b.get(i)? {
                q @ (b'"' | b'\'') => {
                    let q = *q;
                    let vs = i + 1;
                    let len = b.get(vs..)?.iter().position(|c| *c == q)?;
                    value = Some((vs, vs + len));
                    i = vs + len + 1;
                }
                b'>' => {} // `<a href=>`: an empty value, then the tag ends
                _ => {
                    let vs = i;
                    while b.get(i).is_some_and(|c| !space(c) && *c != b'>') {
                        i += 1;
                    }
                    value = Some((vs, i));
                }
            }
        }
        attrs.push(Attr { name, value });
    }
}

fn slice(html: &str, range: (usize, usize)) -> &str {
    html.get(range.0..range.1).unwrap_or("")
}

/// The named character references whose value is ASCII (WHATWG HTML §13.5): the ones that can
/// spell a URL's structure, and the spaces IDNA drops or refuses in a host. (The first eight,
/// `amp`, `lt`, `gt`, `quot` in both cases, also work without `;`.)
const ASCII_REFERENCES: [(&str, char); 48] = [
    ("amp", '&'),
    ("AMP", '&'),
    ("lt", '<'),
    ("LT", '<'),
    ("gt", '>'),
    ("GT", '>'),
    ("quot", '"'),
    ("QUOT", '"'),
    ("apos", '\''),
    ("Tab", '\t'),
    ("NewLine", '\n'),
    ("excl", '!'),
    ("num", '#'),
    ("dollar", '$'),
    ("percnt", '%'),
    ("lpar", '('),
    ("rpar", ')'),
    ("ast", '*'),
    ("midast", '*'),
    ("plus", '+'),
    ("comma", ','),
    ("period", '.'),
    ("sol", '/'),
    ("colon", ':'),
    ("semi", ';'),
    ("equals", '='),
    ("quest", '?'),
    ("commat", '@'),
    ("lsqb", '['),
    ("lbrack", '['),
    ("bsol", '\\'),
    ("rsqb", ']'),
    ("rbrack", ']'),
    ("Hat", '^'),
    ("lowbar", '_'),
    ("UnderBar", '_'),
    ("grave", '`'),
    ("DiacriticalGrave", '`'),
    ("lcub", '{'),
    ("lbrace", '{'),
    ("verbar", '|'),
    ("vert", '|'),
    ("VerticalLine", '|'),
    ("rcub", '}'),
    ("rbrace", '}'),
    ("nbsp", '\u{a0}'),
    ("NonBreakingSpace", '\u{a0}'),
    ("shy", '\u{ad}'),
];

/// An attribute value with its character references decoded as a browser decodes them
/// (§13.2.5.72–§13.2.5.80). `None` when it holds a named reference outside the tables above:
/// what it stands for is unknown here (it may spell a host: `&ascr;` is a letter IDNA maps to
/// `a`), so the tag is held whole.
fn decode_attr(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or(""));
        rest = rest.get(amp + 1..).unwrap_or("");
        let b = rest.as_bytes();
        if b.first() == Some(&b'#') {
            let hex = matches!(b.get(1), Some(b'x' | b'X'));
            let digits_at = if hex { 2 } else { 1 };
            let len = b
                .get(digits_at..)
                .unwrap_or(&[])
                .iter()
                .take_while(|c| {
                    if hex {
                        c.is_ascii_hexdigit()
                    } else {
                        c.is_ascii_digit()
                    }
                })
                .count();
            if len == 0 {
                out.push('&'); // `&#` without digits is text
                continue;
            }
            // (Digits beyond U+10FFFF, or a surrogate, or zero: U+FFFD.)
            let digits = b.get(digits_at..digits_at + len).unwrap_or(&[]);
            let n = digits.iter().try_fold(0u32, |n, c| {
                let d = char::from(*c).to_digit(16)?;
                n.checked_mul(if hex { 16 } else { 10 })?.checked_add(d)
            });
            out.push(
                n.filter(|n| *n != 0)
                    .and_then(char::from_u32)
                    .unwrap_or('\u{fffd}'),
            );
            let end = digits_at + len;
            rest = rest
                .get(end + usize::from(b.get(end) == Some(&b';'))..)
                .unwrap_or("");
            continue;
        }
        let name_len = b.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        let name = rest.get(..name_len).unwrap_or("");
        if name.is_empty() {
            out.push('&');
            continue;
        }
        if b.get(name_len) == Some(&b';') {
            let (_, value) = ASCII_REFERENCES.iter().find(|(n, _)| *n == name)?;
            out.push(*value);
            rest = rest.get(name_len + 1..).unwrap_or("");
            continue;
        }
        // Without `;`: `amp`, `lt`, `gt`, `quot` (any case) are decoded unless what follows is
        // alphanumeric or `=` (then it is text, §13.2.5.73). (The other legacy names decode to
        // symbols, which make no host a catalog's: read as text here.)
        let legacy = ASCII_REFERENCES
            .iter()
            .take(8)
            .filter(|(n, _)| name.starts_with(n))
            .max_by_key(|(n, _)| n.len());
        match legacy {
            Some((n, value))
                if !b
                    .get(n.len())
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'=') =>
            {
                out.push(*value);
                rest = rest.get(n.len()..).unwrap_or("");
            }
            _ => out.push('&'),
        }
    }
    out.push_str(rest);
    Some(out)
}

/// The URLs of a `srcset` list, as browsers split it (HTML "parse a srcset attribute"): a
/// candidate's URL runs to whitespace (commas inside it stay, trailing ones end it), then its
/// descriptors to a comma outside parentheses.
pub fn srcset_urls(value: &str) -> Vec<&str> {
    let b = value.as_bytes();
    let space = |c: &u8| matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let mut urls = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while b.get(i).is_some_and(|c| space(c) || *c == b',') {
            i += 1;
        }
        let start = i;
        while b.get(i).is_some_and(|c| !space(c)) {
            i += 1;
        }
        let url = value.get(start..i).unwrap_or("");
        let ended = url.ends_with(',');
        let url = url.trim_end_matches(',');
        if !url.is_empty() {
            urls.push(url);
        }
        // Its descriptors, up to a comma outside parentheses (none after a trailing comma).
        let mut depth = 0i32;
        while !ended && i < b.len() {
            match b.get(i) {
                Some(b'(') => depth += 1,
                Some(b')') => depth -= 1,
                Some(b',') if depth <= 0 => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
    }
    urls
}

/// The URL a refresh's `content` navigates to (HTML "shared declarative refresh steps"): after
/// the time, `;` or `,`, an optional `url=`, an optional quote. `None` when it only reloads.
fn refresh_url(content: &str) -> Option<&str> {
    let rest = content.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let time = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    if time.len() == rest.len() {
        return None;
    }
    let rest = time.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let rest = rest.strip_prefix([';', ',']).unwrap_or(rest);
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let after_key = rest
        .get(..3)
        .filter(|k| k.eq_ignore_ascii_case("url"))
        .and_then(|_| rest.get(3..))
        .map(|r| r.trim_start_matches(|c: char| c.is_ascii_whitespace()))
        .and_then(|r| r.strip_prefix('='))
        .map(|r| r.trim_start_matches(|c: char| c.is_ascii_whitespace()));
    let url = after_key.unwrap_or(rest);
    let url = match url.chars().next() {
        Some(q @ ('"' | '\'')) => url.get(1..).map(|u| u.split(q).next().unwrap_or(u))?,
        _ => url,
    };
    let url = url.trim();
    (!url.is_empty()).then_some(url)
}

/// Finds `needle` case-insensitively (ASCII) in `hay` from `from`.
fn find_ci(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    (from..h.len().saturating_sub(n.len()) + 1).find(|&i| {
        h.get(i..i + n.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(n))
    })
}

/// What a URL attribute of a tag in an HTML string asks the policy about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found<'a> {
    /// A URL, decoded; `base` is the `href` of a `<base>` earlier in the same string (relative
    /// URLs may load against it once the string is in the document).
    Url { url: &'a str, base: Option<&'a str> },
    /// An inline script: a classic one has nothing to match it by (`module: None`); a module's
    /// static imports load (its text: `core::modules`), `base` as for a URL.
    InlineScript {
        module: Option<&'a str>,
        base: Option<&'a str>,
    },
    /// An inline import map (its JSON text): the module scripts after it in the string resolve
    /// their imports through it too (its URLs against `base`, as for a URL). Never held.
    ImportMap {
        text: &'a str,
        base: Option<&'a str>,
    },
    /// A URL whose character references are not known here: the tag is held whole.
    Undecodable,
}

/// How the tokenizer reads what follows a start tag (§13.2.6.4.7: the elements that switch it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    /// `title`, `textarea` (RCDATA), `style`, `xmp`, `iframe`, `noembed`, `noframes`,
    /// `noscript` (RAWTEXT, scripting on): text up to the element's end tag.
    UpToEndTag,
    Script,
    /// `plaintext`: the rest of the string is text.
    Rest,
}

fn text_after(name: &str) -> Option<Text> {
    const UP_TO_END: [&str; 8] = [
        "title", "textarea", "style", "xmp", "iframe", "noembed", "noframes", "noscript",
    ];
    if name.eq_ignore_ascii_case("script") {
        Some(Text::Script)
    } else if name.eq_ignore_ascii_case("plaintext") {
        Some(Text::Rest)
    } else {
        UP_TO_END
            .iter()
            .any(|t| t.eq_ignore_ascii_case(name))
            .then_some(Text::UpToEndTag)
    }
}

/// Where SVG or MathML content is open (§13.2.6.5): there, `<style>` and `<script>` do not make
/// text of what follows, and an HTML tag that breaks out (`<img>`, `<p>`, …) closes it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    Foreign,
    /// An HTML integration point inside it (`foreignObject`, `desc`, `title`; `mi`, `mo`, `mn`,
    /// `ms`, `mtext`, `annotation-xml`): HTML again until its end tag.
    Integration,
}

/// HTML start tags that close foreign content (§13.2.6.5), and `font` with `color`, `face` or
/// `size`.
const BREAKOUT: [&str; 43] = [
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
];
const INTEGRATION_POINTS: [&str; 9] = [
    "foreignobject",
    "desc",
    "title",
    "mi",
    "mo",
    "mn",
    "ms",
    "mtext",
    "annotation-xml",
];

fn is_one_of(name: &str, list: &[&str]) -> bool {
    list.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Rewrites `html`; `hold(kind, found)` returns the `data-consent` value for a tag to hold,
/// `None` to leave it. Returns `None` if nothing changed. The string is read as the browser's
/// tokenizer reads it (WHATWG HTML §13.2.5): comments of every form, text that is not markup
/// (script and style bodies, `title`, `textarea`, …; an inline script's `<!--<script>` escapes),
/// attribute values of every tag, foreign (SVG, MathML) content, character references.
pub fn rewrite(
    html: &str,
    via: &str,
    mut hold: impl FnMut(Kind, Found<'_>) -> Option<String>,
) -> Option<String> {
    let b = html.as_bytes();
    let mut out = String::new();
    let mut copied = 0; // bytes of `html` already in `out`
    let mut frames: Vec<Frame> = Vec::new();
    let mut base: Option<String> = None;
    let mut i = 0;
    while let Some(lt) = b.get(i..).and_then(|r| r.iter().position(|c| *c == b'<')) {
        let lt = i + lt;
        let foreign = frames.last() == Some(&Frame::Foreign);
        let Some(next) = b.get(lt + 1) else { break };
        if *next == b'!' || *next == b'?' {
            i = skip_markup_declaration(html, lt, foreign);
            continue;
        }
        if *next == b'/' {
            i = match b.get(lt + 2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let name_end = tag_name_end(b, lt + 2);
                    let name = html.get(lt + 2..name_end).unwrap_or("");
                    close(&mut frames, name);
                    match parse_attrs(html, name_end) {
                        Some((_, gt)) => gt + 1,
                        None => break,
                    }
                }
                Some(b'>') => lt + 3,
                Some(_) => find_ci(html, ">", lt + 2).map_or(b.len(), |gt| gt + 1), // bogus comment
                None => break,
            };
            continue;
        }
        if !next.is_ascii_alphabetic() {
            i = lt + 1; // `<` as text
            continue;
        }
        let name_end = tag_name_end(b, lt + 1);
        let name = html.get(lt + 1..name_end).unwrap_or("");
        let Some((attrs, gt)) = parse_attrs(html, name_end) else {
            break; // unterminated tag: the browser drops it, and so does the rest
        };
        let tag = Tag {
            html,
            name_end,
            attrs,
            gt,
        };
        // What namespace the element is in, and what it opens.
        let mut in_html = !foreign;
        if foreign
            && (is_one_of(name, &BREAKOUT)
                || name.eq_ignore_ascii_case("font")
                    && ["color", "face", "size"]
                        .iter()
                        .any(|a| tag.attr(a).is_some()))
        {
            while frames.last() == Some(&Frame::Foreign) {
                frames.pop();
            }
            in_html = true;
        }
        let self_closing = tag.self_closing();
        if in_html
            && (name.eq_ignore_ascii_case("svg") || name.eq_ignore_ascii_case("math"))
            && !self_closing
        {
            frames.push(Frame::Foreign);
        } else if !in_html && is_one_of(name, &INTEGRATION_POINTS) && !self_closing {
            frames.push(Frame::Integration);
        }
        if in_html && name.eq_ignore_ascii_case("base") && base.is_none() {
            base = tag.url("href").and_then(|u| u.ok());
        }
        let base_now = base.as_deref();
        let mut held = None;
        // A `<meta http-equiv=refresh>` navigates its document (a frame's) to its URL: a held one
        // loses its `content` (a navigation is not replayed later).
        if in_html && name.eq_ignore_ascii_case("meta") && tag.refreshes() {
            let url = tag.url("content").and_then(|c| c.ok());
            if let Some(url) = url.as_deref().and_then(refresh_url) {
                let found = Found::Url {
                    url,
                    base: base_now,
                };
                if let Some(requirement) = hold(Kind::Iframe, found) {
                    let rule = TagRule {
                        kind: Kind::Iframe,
                        renames: vec![("content", "data-held-content".into())],
                    };
                    held = Some((rule, requirement));
                }
            }
        }
        if let Some(rule) = TagRule::of(name, !in_html) {
            if let Some(requirement) = tag.requirement(&rule, base_now, &mut hold) {
                held = Some((rule, requirement));
            }
        }
        // CSS: the `style` attribute of any tag, the text of a `<style>` (up to its end tag in
        // HTML; up to the next tag in SVG, where it is not raw text).
        let style = tag.held_style(base_now, &mut hold);
        let style_text = name.eq_ignore_ascii_case("style").then(|| {
            let end = if in_html {
                end_tag(html, name, gt + 1).unwrap_or(b.len())
            } else {
                html.get(gt + 1..)
                    .and_then(|t| t.find('<'))
                    .map_or(b.len(), |at| gt + 1 + at)
            };
            let text = html.get(gt + 1..end).unwrap_or("");
            (end, text, held_css(text, base_now, &mut hold))
        });
        let held_text = style_text
            .as_ref()
            .and_then(|(_, text, css)| css.as_ref().map(|_| *text));
        if held.is_some() || style.is_some() || held_text.is_some() {
            out.push_str(html.get(copied..name_end).unwrap_or(""));
            let held = held
                .as_ref()
                .map(|(rule, requirement)| (rule, requirement.as_str()));
            tag.write(&mut out, held, style.as_deref(), held_text, via);
            copied = gt + 1;
        }
        if let Some((end, _, Some(css))) = style_text {
            out.push_str(&css);
            copied = end;
        }
        i = gt + 1;
        // Text that is not markup: skip to its end.
        if in_html {
            i = match text_after(name) {
                Some(Text::Script) => script_end(html, i),
                Some(Text::UpToEndTag) => end_tag(html, name, i).unwrap_or(b.len()),
                Some(Text::Rest) => b.len(),
                None => i,
            };
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(html.get(copied..).unwrap_or(""));
    Some(out)
}

/// The end of a tag name (ASCII alphanumerics and `-`, `:`, `_`… up to whitespace, `/`, `>`).
fn tag_name_end(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|c| !matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'))
    {
        i += 1;
    }
    i
}

/// An end tag closes the foreign content or the integration point it matches.
fn close(frames: &mut Vec<Frame>, name: &str) {
    match frames.last() {
        Some(Frame::Foreign)
            if name.eq_ignore_ascii_case("svg")
                || name.eq_ignore_ascii_case("math")
                || name.eq_ignore_ascii_case("p")
                || name.eq_ignore_ascii_case("br") =>
        {
            frames.pop();
        }
        Some(Frame::Integration) if is_one_of(name, &INTEGRATION_POINTS) => {
            frames.pop();
        }
        _ => {}
    }
}

/// After `<!` or `<?` at `lt`: the end of the comment, doctype, CDATA section (in foreign
/// content; elsewhere a bogus comment) or bogus comment (§13.2.5.42–§13.2.5.53).
fn skip_markup_declaration(html: &str, lt: usize, foreign: bool) -> usize {
    let len = html.len();
    let rest = html.get(lt..).unwrap_or("");
    if rest.starts_with("<!--") {
        let body = lt + 4;
        // `<!-->` and `<!--->` are whole comments.
        if html.get(body..).is_some_and(|r| r.starts_with('>')) {
            return body + 1;
        }
        if html.get(body..).is_some_and(|r| r.starts_with("->")) {
            return body + 2;
        }
        let dashes = find_ci(html, "-->", body).map(|e| e + 3);
        let bang = find_ci(html, "--!>", body).map(|e| e + 4);
        return match (dashes, bang) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).unwrap_or(len),
        };
    }
    if foreign && rest.starts_with("<![CDATA[") {
        return find_ci(html, "]]>", lt + 9).map_or(len, |e| e + 3);
    }
    find_ci(html, ">", lt + 2).map_or(len, |gt| gt + 1)
}

/// From `from` (after a text element's start tag): where its appropriate end tag starts
/// (`</name` followed by whitespace, `/` or `>`).
fn end_tag(html: &str, name: &str, mut from: usize) -> Option<usize> {
    loop {
        let at = find_ci(html, "</", from)?;
        let after = at + 2 + name.len();
        let matches = html
            .get(at + 2..after)
            .is_some_and(|n| n.eq_ignore_ascii_case(name));
        if matches
            && matches!(
                html.as_bytes().get(after),
                Some(b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>') | None
            )
        {
            return Some(at);
        }
        from = at + 2;
    }
}

/// From `from` (after a `<script>` start tag): where its end tag starts, through the script
/// data states (§13.2.5.4, §13.2.5.15–§13.2.5.31): inside `<!--`, a `<script` makes the next
/// `</script>` part of the text, until `-->`.
fn script_end(html: &str, from: usize) -> usize {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let b = html.as_bytes();
    let delimited = |at: usize| {
        matches!(
            b.get(at),
            Some(b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>') | None
        )
    };
    let mut state = State::Data;
    let mut i = from;
    while let Some(c) = b.get(i) {
        let rest = html.get(i..).unwrap_or("");
        match (c, &state) {
            (b'<', State::Data) if rest.starts_with("<!--") => {
                state = State::Escaped;
                i += 4;
                continue;
            }
            (b'-', State::Escaped | State::DoubleEscaped) if rest.starts_with("-->") => {
                state = State::Data;
                i += 3;
                continue;
            }
            (b'<', _) if find_ci(rest, "</script", 0) == Some(0) && delimited(i + 8) => {
                if state != State::DoubleEscaped {
                    return i;
                }
                state = State::Escaped;
                i += 8;
                continue;
            }
            (b'<', State::Escaped)
                if find_ci(rest, "<script", 0) == Some(0) && delimited(i + 7) =>
            {
                state = State::DoubleEscaped;
                i += 7;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// One parsed start tag.
struct Tag<'h> {
    html: &'h str,
    name_end: usize,
    attrs: Vec<Attr>,
    /// The index of its `>`.
    gt: usize,
}

impl Tag<'_> {
    fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs
            .iter()
            .find(|a| slice(self.html, a.name).eq_ignore_ascii_case(name))
    }

    /// Whether it is a `<meta http-equiv=refresh>`.
    fn refreshes(&self) -> bool {
        self.attr("http-equiv")
            .and_then(|a| a.value)
            .is_some_and(|v| slice(self.html, v).trim().eq_ignore_ascii_case("refresh"))
    }

    /// An attribute's URL, decoded (`Err` when it cannot be: [`decode_attr`]).
    fn url(&self, name: &str) -> Option<Result<String, ()>> {
        self.attr(name)
            .and_then(|a| a.value)
            .map(|v| decode_attr(slice(self.html, v)).ok_or(()))
    }

    /// The requirement to hold it under: a script by its URL (or, inline, by nothing) unless its
    /// type is inert already; another tag if any of its URLs is held (all of them then wait; a
    /// `srcset` is as many URLs as it has candidates).
    fn requirement(
        &self,
        rule: &TagRule,
        base: Option<&str>,
        hold: &mut impl FnMut(Kind, Found<'_>) -> Option<String>,
    ) -> Option<String> {
        let mut ask = |attribute: &str| -> Option<String> {
            match self.url(attribute)? {
                Err(()) => hold(rule.kind, Found::Undecodable),
                Ok(url) if attribute.ends_with("srcset") => srcset_urls(&url)
                    .into_iter()
                    .find_map(|url| hold(rule.kind, Found::Url { url, base })),
                Ok(url) => hold(rule.kind, Found::Url { url: &url, base }),
            }
        };
        if rule.kind != Kind::Script {
            return rule.renames.iter().find_map(|(from, _)| ask(from));
        }
        // (Its `type` as the browser reads it: character references decoded; one this tokenizer
        // cannot decode is held as an undecodable URL is.)
        let type_attr = match self.attr("type") {
            None => None,
            Some(a) => match decode_attr(a.value.map_or("", |v| slice(self.html, v))) {
                Some(t) => Some(t),
                None => return hold(Kind::Script, Found::Undecodable),
            },
        };
        let is_type = |name: &str| {
            type_attr.as_deref().is_some_and(|t| {
                t.trim_matches(|c: char| c.is_ascii_whitespace())
                    .eq_ignore_ascii_case(name)
            })
        };
        if !elements::is_runnable_script_type(type_attr.as_deref()) {
            if is_type("importmap") && self.attr("src").is_none() {
                hold(
                    Kind::Script,
                    Found::ImportMap {
                        text: self.script_text(),
                        base,
                    },
                );
            }
            return None;
        }
        match rule
            .renames
            .iter()
            .find(|(from, _)| self.url(from).is_some())
        {
            Some((from, _)) => ask(from),
            None => hold(
                Kind::Script,
                Found::InlineScript {
                    module: is_type("module").then(|| self.script_text()),
                    base,
                },
            ),
        }
    }

    /// The text of a `<script>` (what follows its start tag up to its end tag).
    fn script_text(&self) -> &str {
        let end = script_end(self.html, self.gt + 1);
        self.html.get(self.gt + 1..end).unwrap_or("")
    }

    /// Its `style` attribute with the held URLs replaced (escaped for the markup), when it
    /// holds any; one whose character references are unknown here is dropped whole when an
    /// unknown URL would be held (as [`Found::Undecodable`]).
    fn held_style(
        &self,
        base: Option<&str>,
        hold: &mut impl FnMut(Kind, Found<'_>) -> Option<String>,
    ) -> Option<String> {
        let raw = slice(self.html, self.attr("style")?.value?);
        if !css::may_load(raw) && !raw.contains('&') {
            return None;
        }
        let Some(decoded) = decode_attr(raw) else {
            return hold(Kind::Img, Found::Undecodable).map(|_| String::new());
        };
        let css = held_css(&decoded, base, hold)?;
        let mut escaped = String::with_capacity(css.len());
        push_escaped(&mut escaped, &css);
        Some(escaped)
    }

    /// The tag from its name on, with what it holds set aside: when `held` (its rule and
    /// requirement), URL attributes renamed and a script's type set aside; a `style` whose URLs
    /// are held (`style`, escaped) keeps its own under `data-held-style`; a `<style>` whose text
    /// is rewritten keeps its own text under `data-held-css`.
    fn write(
        &self,
        out: &mut String,
        held: Option<(&TagRule, &str)>,
        style: Option<&str>,
        style_text: Option<&str>,
        via: &str,
    ) {
        let script = held.is_some_and(|(rule, _)| rule.kind == Kind::Script);
        let mut own_style = None;
        for a in &self.attrs {
            let n = slice(self.html, a.name);
            if held.is_some() && n.eq_ignore_ascii_case("data-consent") {
                continue;
            }
            let value = a.value.map(|v| slice(self.html, v));
            if let (Some(style), true) = (style, n.eq_ignore_ascii_case("style")) {
                if own_style.is_none() {
                    own_style = value;
                    out.push_str(" style=\"");
                    out.push_str(style);
                    out.push('"');
                    continue;
                }
            }
            let renamed = held.and_then(|(rule, _)| {
                rule.renames
                    .iter()
                    .find(|(from, _)| n.eq_ignore_ascii_case(from))
                    .map(|(_, to)| to.as_str())
                    .or_else(|| (script && n.eq_ignore_ascii_case("type")).then_some("data-type"))
            });
            out.push(' ');
            out.push_str(renamed.unwrap_or(n));
            if let Some(v) = value {
                out.push_str("=\"");
                push_without_quotes(out, v, "&quot;");
                out.push('"');
            }
        }
        if let Some(own) = own_style {
            out.push_str(" data-held-style=\"");
            push_without_quotes(out, own, "&quot;");
            out.push('"');
        }
        if let Some(text) = style_text {
            out.push_str(" data-held-css=\"");
            push_escaped(out, text);
            out.push('"');
        }
        if let Some((_, requirement)) = held {
            if script {
                out.push_str(" type=\"text/plain\"");
            }
            out.push_str(" data-consent=\"");
            push_without_quotes(out, requirement, "");
            if !via.is_empty() {
                out.push_str("\" data-sekisho-via=\"");
                push_without_quotes(out, via, "");
            }
            out.push('"');
        }
        out.push_str(if self.self_closing() { "/>" } else { ">" });
    }

    /// `<image …/>`: the slash matters in SVG (a self-closed element has no children), so a
    /// rewritten tag keeps it. (An unquoted value may end in `/`: that is not self-closing.)
    fn self_closing(&self) -> bool {
        let last_end = self
            .attrs
            .last()
            .map_or(self.name_end, |a| a.value.map_or(a.name.1, |v| v.1));
        self.gt > 0 && self.html.as_bytes().get(self.gt - 1) == Some(&b'/') && last_end < self.gt
    }
}

/// `css` with the URLs `hold` holds replaced (None: nothing held; nothing asked when it names
/// no URL at all).
fn held_css(
    css: &str,
    base: Option<&str>,
    hold: &mut impl FnMut(Kind, Found<'_>) -> Option<String>,
) -> Option<String> {
    if !css::may_load(css) {
        return None;
    }
    css::rewrite(css, &mut |kind, url| {
        hold(kind, Found::Url { url, base }).is_some()
    })
}

/// Appends `s` as an attribute value's text: `&` and `"` as character references.
fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// Appends `s` with each `"` replaced by `quote`.
fn push_without_quotes(out: &mut String, s: &str, quote: &str) {
    for c in s.chars() {
        if c == '"' {
            out.push_str(quote);
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold_trackers(kind: Kind, found: Found<'_>) -> Option<String> {
        let _ = kind;
        match found {
            Found::Url { url, .. } => url
                .contains("tracker.example")
                .then(|| "service:tracker".to_string()),
            Found::Undecodable => Some("ads".into()),
            Found::InlineScript { .. } | Found::ImportMap { .. } => None,
        }
    }

    fn rw(html: &str) -> String {
        rewrite(html, "", hold_trackers).unwrap_or_else(|| html.to_string())
    }

    #[test]
    fn css_in_style_attributes_and_style_text() {
        // A style attribute: the held URL replaced, its own value kept for the release.
        assert_eq!(
            rw(
                r#"<div class=x style="background:url(https://tracker.example/p.gif);color:red">t</div>"#
            ),
            r#"<div class="x" style="background:url(data:,);color:red" data-held-style="background:url(https://tracker.example/p.gif);color:red">t</div>"#
        );
        // Character references in the attribute are decoded first (and escaped again).
        assert_eq!(
            rw(
                r#"<p style='background:url(&quot;https://tracker&#46;example/p&quot;);content:"&amp;"'>"#
            ),
            r#"<p style="background:url(&quot;data:,&quot;);content:&quot;&amp;&quot;" data-held-style="background:url(&quot;https://tracker&#46;example/p&quot;);content:&quot;&amp;&quot;">"#
        );
        // Unknown references that might spell a URL: the style is dropped (kept for later).
        assert_eq!(
            rw(r#"<p style="background:url(https://&ascr;.example/)">"#),
            r#"<p style="" data-held-style="background:url(https://&ascr;.example/)">"#
        );
        // <style> text: rewritten, its own text kept under data-held-css.
        assert_eq!(
            rw(
                r#"<style media="all">@import "https://tracker.example/x.css"; a{b:url(/own.png)}</style><p>"#
            ),
            r#"<style media="all" data-held-css="@import &quot;https://tracker.example/x.css&quot;; a{b:url(/own.png)}">@import "data:,"; a{b:url(/own.png)}</style><p>"#
        );
        // A held element with a held style: both set aside.
        assert_eq!(
            rw(
                r#"<img src="https://tracker.example/i" style="background:url(https://tracker.example/b)">"#
            ),
            r#"<img data-src="https://tracker.example/i" style="background:url(data:,)" data-held-style="background:url(https://tracker.example/b)" data-consent="service:tracker">"#
        );
        // In SVG, a <style> is not raw text (its text ends at the next tag); in foreign content too.
        assert_eq!(
            rw(r#"<svg><style>a{fill:url(https://tracker.example/f)}</style></svg>"#),
            r#"<svg><style data-held-css="a{fill:url(https://tracker.example/f)}">a{fill:url(data:,)}</style></svg>"#
        );
        // What loads nothing held, or nothing at all, is left alone.
        for html in [
            r#"<div style="background:url(/own.png)">"#,
            r#"<style>a{color:red}</style>"#,
            r#"<textarea><style>@import "https://tracker.example/x.css"</style></textarea>"#,
            r#"<div data-style="background:url(https://tracker.example/p)">"#,
        ] {
            assert_eq!(rewrite(html, "", hold_trackers), None, "{html}");
        }
    }

    #[test]
    fn holds_tracker_scripts_and_keeps_the_rest() {
        assert_eq!(
            rw(
                r#"<p>x</p><SCRIPT async src="https://tracker.example/t.js?a=1&amp;b=2"></SCRIPT><script src="/own.js"></script>"#
            ),
            r#"<p>x</p><SCRIPT async data-src="https://tracker.example/t.js?a=1&amp;b=2" type="text/plain" data-consent="service:tracker"></SCRIPT><script src="/own.js"></script>"#
        );
        assert_eq!(
            rw(r#"<script type="module" src='//tracker.example/m.js'></script>"#),
            r#"<script data-type="module" data-src="//tracker.example/m.js" type="text/plain" data-consent="service:tracker"></script>"#
        );
        // Every type a browser runs is held (JScript and LiveScript included), SVG scripts too.
        assert_eq!(
            rw(r#"<script type="text/jscript" src="https://tracker.example/j.js"></script>"#),
            r#"<script data-type="text/jscript" data-src="https://tracker.example/j.js" type="text/plain" data-consent="service:tracker"></script>"#
        );
        assert_eq!(
            rw(r#"<svg><script href="https://tracker.example/s.js"></script></svg>"#),
            r#"<svg><script data-href="https://tracker.example/s.js" type="text/plain" data-consent="service:tracker"></script></svg>"#
        );
    }

    #[test]
    fn renames_src_of_frames_images_and_href_of_links() {
        assert_eq!(
            rw(
                r#"<iframe src=https://tracker.example/f width=1></iframe><img srcset="https://tracker.example/p.gif 1x"><link rel=preload href="https://tracker.example/x.js">"#
            ),
            r#"<iframe data-src="https://tracker.example/f" width="1" data-consent="service:tracker"></iframe><img data-srcset="https://tracker.example/p.gif 1x" data-consent="service:tracker"><link rel="preload" data-href="https://tracker.example/x.js" data-consent="service:tracker">"#
        );
    }

    #[test]
    fn renames_urls_of_objects_inputs_and_media() {
        assert_eq!(
            rw(
                r#"<object type="text/html" data="https://tracker.example/o"></object><input type=image src=https://tracker.example/i.gif>"#
            ),
            r#"<object type="text/html" data-data="https://tracker.example/o" data-consent="service:tracker"></object><input type="image" data-src="https://tracker.example/i.gif" data-consent="service:tracker">"#
        );
        // A video is held when any of its URLs is; then all of them wait.
        assert_eq!(
            rw(
                r#"<video src="/own.mp4" poster="https://tracker.example/p.jpg"></video><audio src="https://tracker.example/a.mp3"></audio>"#
            ),
            r#"<video data-src="/own.mp4" data-poster="https://tracker.example/p.jpg" data-consent="service:tracker"></video><audio data-src="https://tracker.example/a.mp3" data-consent="service:tracker"></audio>"#
        );
        assert_eq!(
            rewrite(
                r#"<video src="/own.mp4" poster="/p.jpg"></video>"#,
                "",
                hold_trackers
            ),
            None
        );
    }

    #[test]
    fn renames_background_images_of_tables() {
        assert_eq!(
            rw(
                r#"<table background="https://tracker.example/t.gif"><tr><TD background=https://tracker.example/d.gif>x</TD><td background="/own.gif">y</td></tr></table>"#
            ),
            r#"<table data-background="https://tracker.example/t.gif" data-consent="service:tracker"><tr><TD data-background="https://tracker.example/d.gif" data-consent="service:tracker">x</TD><td background="/own.gif">y</td></tr></table>"#
        );
    }

    #[test]
    fn renames_urls_of_svg_images() {
        assert_eq!(
            rw(
                r#"<svg><image href="https://tracker.example/a.png"/><image xlink:href="https://tracker.example/b.png"></image></svg>"#
            ),
            r#"<svg><image data-href="https://tracker.example/a.png" data-consent="service:tracker"/><image data-href="https://tracker.example/b.png" data-consent="service:tracker"></image></svg>"#
        );
        // An unquoted value ending in `/` does not make the tag self-closing.
        assert_eq!(
            rw("<img src=https://tracker.example/p/>"),
            r#"<img data-src="https://tracker.example/p/" data-consent="service:tracker">"#
        );
    }

    #[test]
    fn script_bodies_comments_and_inert_scripts_are_not_parsed_as_markup() {
        for html in [
            r#"<script>document.write('<img src="https://tracker.example/p">')</script>"#,
            r#"<!-- <img src="https://tracker.example/p"> -->"#,
            r#"<script type="text/plain" src="https://tracker.example/t.js"></script>"#,
            r#"<style>a::after{content:'<img src="https://tracker.example/p">'}</style>"#,
            "<p>1 < 2 and <b>bold</b></p>",
        ] {
            assert_eq!(rewrite(html, "", hold_trackers), None, "{html}");
        }
    }

    #[test]
    fn malformed_input_never_panics_and_is_left_alone() {
        for html in [
            "<",
            "<img",
            "<img src=\"https://tracker.example/p",
            "<script",
            "<!--",
            "<img src=>",
            "<img =\"x\" src=https://tracker.example/p>",
            "<<<>>>",
            "<img src='é'>",
            "<sCrIpT>",
        ] {
            let _ = rewrite(html, "", hold_trackers);
        }
        assert!(rw("<img =\"x\" src=https://tracker.example/p>").contains("data-src"));
    }

    #[test]
    fn inline_scripts_are_asked_with_an_empty_url() {
        let out = rewrite("<script>fbq('init')</script>", "innerHTML", |k, found| {
            (k == Kind::Script
                && found
                    == Found::InlineScript {
                        module: None,
                        base: None,
                    })
            .then(|| "ads".into())
        });
        assert_eq!(
            out.as_deref(),
            Some(
                r#"<script type="text/plain" data-consent="ads" data-sekisho-via="innerHTML">fbq('init')</script>"#
            )
        );
    }

    /// What only reads as markup to a scanner, not to a browser, is left byte for byte: text
    /// elements, attribute values, every comment form, script strings (with their escapes).
    #[test]
    fn first_party_meaning_is_never_changed() {
        let img = r#"<img src="https://tracker.example/p">"#;
        for wrapper in [
            "<textarea>{}</textarea>",
            "<title>{}</title>",
            "<TEXTAREA>{}</textareax></TEXTAREA>",
            "<noscript>{}</noscript>",
            "<xmp>{}</xmp>",
            "<iframe>{}</iframe>",
            "<noembed>{}</noembed>",
            "<noframes>{}</noframes>",
            "<style>{}</style>",
            "<plaintext>{}",
            "<div title='{}'></div>",
            "<div title=\"x\" data-x='{}'>",
            "</div foo='{}'>",
            "<!-- {} -->",
            "<!--x--!>",
            "<!DOCTYPE html {}>",
            "<? {}",
            "<![CDATA[ {} ]]>",
            "<script>var s = '{}';</script>",
            "<script>document.write('<!--<script>{}</script>-->')</script>",
            "<script>/*</scriptx>{}*/</script>",
        ] {
            let html = wrapper.replace("{}", img);
            assert_eq!(rewrite(&html, "", hold_trackers), None, "{html}");
        }
        // `--!>` ends a comment: what follows is markup again.
        assert!(rw(&["<!-- --!>", img].concat()).contains("data-src"));
    }

    /// Markup a scanner would take for text (or miss) is found where the browser finds it.
    #[test]
    fn tags_are_found_where_the_browser_finds_them() {
        let held = |html: &str| rw(html).contains("data-consent");
        for html in [
            // Comments that end early.
            r#"<!--><img src="https://tracker.example/p">"#,
            r#"<!---><img src="https://tracker.example/p">"#,
            r#"<!-- x --!><img src="https://tracker.example/p">"#,
            r#"<?x><img src="https://tracker.example/p">"#,
            r#"<!x><img src="https://tracker.example/p">"#,
            // Text elements end at their end tag, in any case, with attributes or spaces.
            r#"<textarea></TEXTAREA ><img src="https://tracker.example/p">"#,
            r#"<title></title/><img src="https://tracker.example/p">"#,
            r#"<script>x</script ><img src="https://tracker.example/p">"#,
            r#"<script><!-- </script><img src="https://tracker.example/p">"#,
            r#"<script><!--<script></script>--></script><img src="https://tracker.example/p">"#,
            // Foreign content: <style> is not text there, and an HTML tag breaks out of it.
            r#"<svg><style><img src="https://tracker.example/p"></style></svg>"#,
            r#"<math><style><img src="https://tracker.example/p">"#,
            r#"<svg><script><img src="https://tracker.example/p">"#,
            r#"<svg></svg><style></style><img src="https://tracker.example/p">"#,
            // Attributes: `=` may start a name; duplicates after the first are ignored.
            r#"<img =src="/own.png" src="https://tracker.example/p">"#,
            r#"<img/src="https://tracker.example/p">"#,
            r#"<img src='https://tracker.example/p'src=/own.png>"#,
        ] {
            assert!(held(html), "{html}");
        }
        // Inside an HTML integration point, <style> is text again.
        assert!(!held(
            r#"<svg><foreignObject><style><img src="https://tracker.example/p"></style></foreignObject></svg>"#
        ));
    }

    #[test]
    fn character_references_in_urls_are_decoded_as_browsers_decode_them() {
        let held = |html: &str| rw(html).contains("data-consent=\"service:tracker\"");
        for html in [
            r#"<img src="https&#58;//tracker.example/p">"#,
            r#"<img src="https&#x3A;//tracker.example/p">"#,
            r#"<img src="https&#0000058;//tracker.example/p">"#,
            r#"<img src="https&#58//tracker.example/p">"#,
            r#"<img src="https&colon;&sol;&sol;tracker&period;example/p">"#,
            r#"<img src="//tracker.example/p?a=1&amp;b=2">"#,
            r#"<img src="//tracker.example/p?a=1&ampb=2">"#,
            r#"<img src="&#x2f;&#x2F;tracker.example/p">"#,
        ] {
            assert!(held(html), "{html}");
        }
        assert_eq!(
            decode_attr("/p?a=1&copy=2").as_deref(),
            Some("/p?a=1&copy=2")
        );
        assert_eq!(decode_attr("/p?a=1&copyb").as_deref(), Some("/p?a=1&copyb"));
        assert_eq!(decode_attr("/p&copy/").as_deref(), Some("/p&copy/"));
        assert_eq!(
            decode_attr("&#0;&#xD800;&#99999999;").as_deref(),
            Some("\u{fffd}\u{fffd}\u{fffd}")
        );
        assert_eq!(
            decode_attr("a & b &# &#x; &;").as_deref(),
            Some("a & b &# &#x; &;")
        );
        // A named reference not known here could be a letter IDNA maps to ASCII: held whole.
        assert_eq!(decode_attr("https://tr&ascr;cker.example/"), None);
        assert_eq!(
            rw(r#"<img src="https://tr&ascr;cker.example/p">"#),
            r#"<img data-src="https://tr&ascr;cker.example/p" data-consent="ads">"#
        );
    }

    #[test]
    fn a_base_in_the_string_moves_the_relative_urls_after_it() {
        let mut seen = Vec::new();
        rewrite(
            r#"<img src="/a.gif"><base href="https://tracker.example/"><img src="/b.gif"><base href="/x/">"#,
            "",
            |_, found| {
                if let Found::Url { url, base } = found {
                    seen.push((url.to_string(), base.map(String::from)));
                }
                None
            },
        );
        assert_eq!(
            seen,
            [
                ("/a.gif".to_string(), None),
                (
                    "/b.gif".to_string(),
                    Some("https://tracker.example/".to_string())
                )
            ]
        );
    }

    #[test]
    fn every_srcset_candidate_is_judged() {
        assert_eq!(
            srcset_urls(" /a.png 1x,https://tracker.example/b.png 2x , c.png,, data:image/png;base64,AA== 3x,d(1).png (x, y) 4x,e.png"),
            [
                "/a.png",
                "https://tracker.example/b.png",
                "c.png",
                "data:image/png;base64,AA==",
                "d(1).png",
                "e.png"
            ]
        );
        assert_eq!(srcset_urls("a.png,b.png"), ["a.png,b.png"]);
        assert_eq!(srcset_urls("a.png, b.png"), ["a.png", "b.png"]);
        assert!(srcset_urls(" , ").is_empty());
        assert_eq!(
            rw(r#"<img srcset="/own.png 1x, https://tracker.example/p.png 2x">"#),
            r#"<img data-srcset="/own.png 1x, https://tracker.example/p.png 2x" data-consent="service:tracker">"#
        );
        assert_eq!(
            rewrite(
                r#"<img srcset="/own.png 1x, /own2.png 2x">"#,
                "",
                hold_trackers
            ),
            None
        );
    }

    #[test]
    fn a_refresh_to_a_held_url_loses_its_content() {
        assert_eq!(
            rw(r#"<meta http-equiv="Refresh" content="0; URL='https://tracker.example/r'">"#),
            r#"<meta http-equiv="Refresh" data-held-content="0; URL='https://tracker.example/r'" data-consent="service:tracker">"#
        );
        for own in [
            r#"<meta http-equiv=refresh content="5">"#,
            r#"<meta http-equiv=refresh content="0;url=/next">"#,
            r#"<meta name=refresh content="0;url=https://tracker.example/r">"#,
        ] {
            assert_eq!(rewrite(own, "", hold_trackers), None, "{own}");
        }
        assert_eq!(refresh_url("0;url=https://a/x"), Some("https://a/x"));
        assert_eq!(
            refresh_url(" 3 , URL = \"https://a/x\" "),
            Some("https://a/x")
        );
        assert_eq!(refresh_url("1.5; https://a/x"), Some("https://a/x"));
        assert_eq!(refresh_url("0;urlx"), Some("urlx"));
        assert_eq!(refresh_url("5"), None);
        assert_eq!(refresh_url("url=https://a/x"), None);
    }
}
