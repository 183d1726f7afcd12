//! Rewrites HTML strings so that tags the checkpoint holds become inert markup, for the paths
//! where page code hands the browser HTML text (`document.write`, `innerHTML`,
//! `insertAdjacentHTML`, `Range.createContextualFragment`).
//!
//! A held tag has its URL attributes (the element table, [`elements`]) renamed with a `data-`
//! prefix and gets `data-consent="<requirement>"`; a held `<script>` also gets
//! `type="text/plain"` (its own type moves to `data-type`). The markup checkpoint then releases
//! them when allowed. Everything else is copied byte for byte.

use super::checkpoint::Kind;
use super::elements;

/// What the rewriter knows of a tag: what it loads and its URL attributes with the names they
/// wait under when held (the union over the rules its name may follow: [`elements`]).
struct TagRule {
    kind: Kind,
    renames: Vec<(&'static str, String)>,
}

impl TagRule {
    fn of(name: &str) -> Option<TagRule> {
        let mut rules = elements::in_html_string(name).peekable();
        let kind = rules.peek()?.kind;
        let mut renames: Vec<(&'static str, String)> = Vec::new();
        for url in rules.flat_map(|r| r.urls.iter().copied()) {
            if !renames.iter().any(|(a, _)| *a == url) {
                renames.push((url, elements::held_name(url)));
            }
        }
        Some(TagRule { kind, renames })
    }
}

struct Attr {
    /// Byte range of the name.
    name: (usize, usize),
    /// Byte range of the raw value (inside quotes), if any.
    value: Option<(usize, usize)>,
}

/// Parses the attributes of a start tag from `from` up to its `>`. Returns them and the index of
/// the `>` (or `None` when the tag is not closed in `html`).
fn parse_attrs(html: &str, mut i: usize) -> Option<(Vec<Attr>, usize)> {
    let b = html.as_bytes();
    let mut attrs = Vec::new();
    loop {
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_whitespace() || *c == b'/')
        {
            i += 1;
        }
        if *b.get(i)? == b'>' {
            return Some((attrs, i));
        }
        let start = i;
        while b
            .get(i)
            .is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b'=' | b'>' | b'/'))
        {
            i += 1;
        }
        let name = (start, i);
        while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        let mut value = None;
        if b.get(i) == Some(&b'=') {
            i += 1;
            while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
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
                _ => {
                    let vs = i;
                    while b
                        .get(i)
                        .is_some_and(|c| !c.is_ascii_whitespace() && *c != b'>')
                    {
                        i += 1;
                    }
                    value = Some((vs, i));
                }
            }
        }
        if name.0 == name.1 {
            i += 1; // a stray character (`="`…): skip it rather than loop
            continue;
        }
        attrs.push(Attr { name, value });
    }
}

fn slice(html: &str, range: (usize, usize)) -> &str {
    html.get(range.0..range.1).unwrap_or("")
}

/// Decodes the few entities that matter in URLs (`&amp;`, `&#38;`, `&quot;`, `&#39;`). (One
/// pass with `starts_with`, not `str::replace`: a string pattern links core's two-way searcher
/// and its panic formatting, ≈5 KB of Wasm.)
fn unescape(raw: &str) -> String {
    const ENTITIES: [(&str, char); 4] = [
        ("&amp;", '&'),
        ("&#38;", '&'),
        ("&quot;", '"'),
        ("&#39;", '\''),
    ];
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        let entity = (c == '&')
            .then(|| ENTITIES.iter().find(|(e, _)| rest.starts_with(e)))
            .flatten();
        let (decoded, len) = entity.map_or((c, c.len_utf8()), |(e, d)| (*d, e.len()));
        out.push(decoded);
        rest = rest.get(len..).unwrap_or("");
    }
    out
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

/// Rewrites `html`; `hold(kind, url)` returns the `data-consent` value for a tag to hold, `None`
/// to leave it. Inline scripts are asked with an empty URL. Returns `None` if nothing changed.
pub fn rewrite(
    html: &str,
    via: &str,
    mut hold: impl FnMut(Kind, &str) -> Option<String>,
) -> Option<String> {
    let b = html.as_bytes();
    let mut out = String::new();
    let mut copied = 0; // bytes of `html` already in `out`
    let mut i = 0;
    while let Some((lt, name_end)) = next_tag(html, i) {
        let name = html.get(lt + 1..name_end).unwrap_or("");
        let is_raw_text = name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style");
        let rule = TagRule::of(name);
        if rule.is_none() && !is_raw_text {
            i = lt + 1;
            continue;
        }
        let Some((attrs, gt)) = parse_attrs(html, name_end) else {
            break; // unterminated tag: leave the rest untouched
        };
        let tag = Tag {
            html,
            name_end,
            attrs,
            gt,
        };
        if let Some(rule) = &rule {
            if let Some(requirement) = tag.requirement(rule, &mut hold) {
                out.push_str(html.get(copied..name_end).unwrap_or(""));
                tag.write_held(&mut out, rule, &requirement, via);
                copied = gt + 1;
            }
        }
        // Script and style bodies are text, not markup: skip to the closing tag.
        i = match is_raw_text {
            true if name.eq_ignore_ascii_case("script") => find_ci(html, "</script", gt + 1),
            true => find_ci(html, "</style", gt + 1),
            false => Some(gt + 1),
        }
        .unwrap_or(b.len());
    }
    if copied == 0 {
        return None;
    }
    out.push_str(html.get(copied..).unwrap_or(""));
    Some(out)
}

/// The next start tag at or after `from`, comments skipped: the `<` and the end of its name.
fn next_tag(html: &str, mut from: usize) -> Option<(usize, usize)> {
    let b = html.as_bytes();
    loop {
        let lt = from + b.get(from..)?.iter().position(|c| *c == b'<')?;
        if html.get(lt..).is_some_and(|r| r.starts_with("<!--")) {
            from = find_ci(html, "-->", lt + 4).map_or(b.len(), |e| e + 3);
            continue;
        }
        let mut name_end = lt + 1;
        while b.get(name_end).is_some_and(|c| c.is_ascii_alphanumeric()) {
            name_end += 1;
        }
        return Some((lt, name_end));
    }
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

    fn url(&self, name: &str) -> Option<String> {
        self.attr(name)
            .and_then(|a| a.value)
            .map(|v| unescape(slice(self.html, v)))
    }

    /// The requirement to hold it under: a script by its URL (or, inline, by nothing) unless its
    /// type is inert already; another tag if any of its URLs is held (all of them then wait).
    fn requirement(
        &self,
        rule: &TagRule,
        hold: &mut impl FnMut(Kind, &str) -> Option<String>,
    ) -> Option<String> {
        let mut urls = rule.renames.iter().filter_map(|(from, _)| self.url(from));
        if rule.kind != Kind::Script {
            return urls.find_map(|u| hold(rule.kind, &u));
        }
        let type_attr = self
            .attr("type")
            .map(|a| a.value.map_or("", |v| slice(self.html, v)));
        if !elements::is_runnable_script_type(type_attr) {
            return None;
        }
        hold(Kind::Script, urls.next().as_deref().unwrap_or(""))
    }

    /// The tag from its name on, made inert: URL attributes renamed, a script's type set aside.
    fn write_held(&self, out: &mut String, rule: &TagRule, requirement: &str, via: &str) {
        let script = rule.kind == Kind::Script;
        for a in &self.attrs {
            let n = slice(self.html, a.name);
            if n.eq_ignore_ascii_case("data-consent") {
                continue;
            }
            let renamed = rule
                .renames
                .iter()
                .find(|(from, _)| n.eq_ignore_ascii_case(from))
                .map(|(_, to)| to.as_str())
                .or_else(|| (script && n.eq_ignore_ascii_case("type")).then_some("data-type"));
            out.push(' ');
            out.push_str(renamed.unwrap_or(n));
            if let Some(v) = a.value {
                out.push_str("=\"");
                push_without_quotes(out, slice(self.html, v), "&quot;");
                out.push('"');
            }
        }
        if script {
            out.push_str(" type=\"text/plain\"");
        }
        out.push_str(" data-consent=\"");
        push_without_quotes(out, requirement, "");
        if !via.is_empty() {
            out.push_str("\" data-sekisho-via=\"");
            push_without_quotes(out, via, "");
        }
        out.push_str(if self.self_closing() { "\"/>" } else { "\">" });
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

    fn hold_trackers(kind: Kind, url: &str) -> Option<String> {
        let _ = kind;
        url.contains("tracker.example")
            .then(|| "service:tracker".to_string())
    }

    fn rw(html: &str) -> String {
        rewrite(html, "", hold_trackers).unwrap_or_else(|| html.to_string())
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
            r#"<style>a{background:url('<img src="https://tracker.example/p">')}</style>"#,
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
        let out = rewrite("<script>fbq('init')</script>", "innerHTML", |k, u| {
            (k == Kind::Script && u.is_empty()).then(|| "ads".into())
        });
        assert_eq!(
            out.as_deref(),
            Some(
                r#"<script type="text/plain" data-consent="ads" data-sekisho-via="innerHTML">fbq('init')</script>"#
            )
        );
    }
}
