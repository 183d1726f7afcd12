//! Rewrites HTML strings so that tags the checkpoint holds become inert markup, for the paths
//! where page code hands the browser HTML text (`document.write`, `innerHTML`,
//! `insertAdjacentHTML`, `Range.createContextualFragment`).
//!
//! A held `<script>` gets `type="text/plain"` (its own type moves to `data-type`); any other held
//! tag has its URL attributes renamed with a `data-` prefix (`src`/`srcset` of `<iframe>`,
//! `<frame>`, `<embed>`, `<img>`, `<source>`, `<input>`; `src`/`poster` of `<video>`/`<audio>`;
//! `data` of `<object>`; `href` of `<link>`; `background` of `<body>` and table parts); each gets `data-consent="<requirement>"`. The markup
//! checkpoint then releases them when allowed. Everything else is copied byte for byte.

/// The elements the rewriter looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagKind {
    Script,
    Iframe,
    Img,
    Media,
    Link,
}

impl TagKind {
    fn from_name(name: &str) -> Option<(TagKind, &'static [(&'static str, &'static str)])> {
        const SRC: &[(&str, &str)] = &[
            ("src", "data-src"),
            ("srcset", "data-srcset"),
            ("attributionsrc", "data-attributionsrc"),
        ];
        const HREF: &[(&str, &str)] = &[("href", "data-href"), ("imagesrcset", "data-imagesrcset")];
        const DATA: &[(&str, &str)] = &[("data", "data-data")];
        const VIDEO: &[(&str, &str)] = &[("src", "data-src"), ("poster", "data-poster")];
        // SVG `<image>` (and `<image>` outside SVG, which the HTML parser makes an `<img>`).
        const IMAGE: &[(&str, &str)] = &[
            ("href", "data-href"),
            ("xlink:href", "data-href"),
            ("src", "data-src"),
            ("srcset", "data-srcset"),
        ];
        let n = name.as_bytes();
        let is = |s: &str| n.eq_ignore_ascii_case(s.as_bytes());
        if is("script") {
            Some((TagKind::Script, &[]))
        } else if is("iframe") || is("frame") || is("embed") {
            Some((TagKind::Iframe, SRC))
        } else if is("object") {
            Some((TagKind::Iframe, DATA))
        } else if is("img") || is("source") || is("input") {
            Some((TagKind::Img, SRC))
        } else if is("video") || is("audio") {
            Some((TagKind::Media, VIDEO))
        } else if is("image") || is("feimage") {
            Some((TagKind::Img, IMAGE))
        } else if is("link") {
            Some((TagKind::Link, HREF))
        } else if ["table", "thead", "tbody", "tfoot", "tr", "td", "th", "body"]
            .iter()
            .any(|t| is(t))
        {
            // The legacy `background` image of a table (or a page written by `document.write`).
            Some((TagKind::Img, &[("background", "data-background")]))
        } else {
            None
        }
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
    hold: impl Fn(TagKind, &str) -> Option<String>,
) -> Option<String> {
    let b = html.as_bytes();
    let mut out = String::new();
    let mut copied = 0; // bytes of `html` already in `out`
    let mut i = 0;
    let mut changed = false;
    while let Some(lt) = b
        .get(i..)
        .and_then(|rest| rest.iter().position(|c| *c == b'<'))
    {
        let lt = i + lt;
        if html.get(lt..).is_some_and(|r| r.starts_with("<!--")) {
            i = find_ci(html, "-->", lt + 4).map_or(b.len(), |e| e + 3);
            continue;
        }
        let name_start = lt + 1;
        let mut name_end = name_start;
        while b.get(name_end).is_some_and(|c| c.is_ascii_alphanumeric()) {
            name_end += 1;
        }
        let name = html.get(name_start..name_end).unwrap_or("");
        let is_raw_text = name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style");
        let Some((kind, renames)) = TagKind::from_name(name)
            .map(|(k, r)| (Some(k), r))
            .or_else(|| is_raw_text.then_some((None, &[][..])))
        else {
            i = lt + 1;
            continue;
        };
        let Some((attrs, gt)) = parse_attrs(html, name_end) else {
            break; // unterminated tag: leave the rest untouched
        };
        let mut tag_end = gt + 1;
        // `<image …/>`: the slash matters in SVG (a self-closed element has no children), so a
        // rewritten tag keeps it. (An unquoted value may end in `/`: that is not self-closing.)
        let last_end = attrs
            .last()
            .map_or(name_end, |a| a.value.map_or(a.name.1, |v| v.1));
        let self_closing = gt > 0 && b.get(gt - 1) == Some(&b'/') && last_end < gt;
        if let Some(kind) = kind {
            let attr = |n: &str| {
                attrs
                    .iter()
                    .find(|a| slice(html, a.name).eq_ignore_ascii_case(n))
            };
            let url_of = |n: &str| {
                attr(n)
                    .and_then(|a| a.value)
                    .map(|v| unescape(slice(html, v)))
            };
            let already_inert = kind == TagKind::Script
                && attr("type").and_then(|a| a.value).is_some_and(|v| {
                    let t = slice(html, v).trim();
                    !(t.is_empty()
                        || t.eq_ignore_ascii_case("module")
                        || find_ci(t, "javascript", 0).is_some()
                        || find_ci(t, "ecmascript", 0).is_some())
                });
            let consulted = match kind {
                TagKind::Script if already_inert => None,
                TagKind::Script => hold(kind, url_of("src").as_deref().unwrap_or("")),
                // Held if any of its URLs is: all of them then wait under `data-`.
                _ => renames
                    .iter()
                    .find_map(|(from, _)| url_of(from).and_then(|u| hold(kind, &u))),
            };
            if let Some(requirement) = consulted {
                out.push_str(html.get(copied..name_end).unwrap_or(""));
                for a in &attrs {
                    let n = slice(html, a.name);
                    let renamed = renames
                        .iter()
                        .find(|(from, _)| n.eq_ignore_ascii_case(from))
                        .map(|(_, to)| *to)
                        .or_else(|| {
                            (kind == TagKind::Script && n.eq_ignore_ascii_case("type"))
                                .then_some("data-type")
                        });
                    if n.eq_ignore_ascii_case("data-consent") {
                        continue;
                    }
                    out.push(' ');
                    out.push_str(renamed.unwrap_or(n));
                    if let Some(v) = a.value {
                        out.push_str("=\"");
                        out.push_str(&slice(html, v).replace('"', "&quot;"));
                        out.push('"');
                    }
                }
                if kind == TagKind::Script {
                    out.push_str(" type=\"text/plain\"");
                }
                out.push_str(" data-consent=\"");
                out.push_str(&requirement.replace('"', ""));
                if !via.is_empty() {
                    out.push_str("\" data-sekisho-via=\"");
                    out.push_str(&via.replace('"', ""));
                }
                out.push_str(if self_closing { "\"/>" } else { "\">" });
                copied = gt + 1;
                changed = true;
            }
        }
        if is_raw_text {
            // Script/style bodies are text, not markup: skip to the closing tag.
            let close = if name.eq_ignore_ascii_case("script") {
                "</script"
            } else {
                "</style"
            };
            tag_end = find_ci(html, close, gt + 1).unwrap_or(b.len());
        }
        i = tag_end;
    }
    if !changed {
        return None;
    }
    out.push_str(html.get(copied..).unwrap_or(""));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold_trackers(kind: TagKind, url: &str) -> Option<String> {
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
            r#"<p>x</p><SCRIPT async src="https://tracker.example/t.js?a=1&amp;b=2" type="text/plain" data-consent="service:tracker"></SCRIPT><script src="/own.js"></script>"#
        );
        assert_eq!(
            rw(r#"<script type="module" src='//tracker.example/m.js'></script>"#),
            r#"<script data-type="module" src="//tracker.example/m.js" type="text/plain" data-consent="service:tracker"></script>"#
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
            (k == TagKind::Script && u.is_empty()).then(|| "ads".into())
        });
        assert_eq!(
            out.as_deref(),
            Some(
                r#"<script type="text/plain" data-consent="ads" data-sekisho-via="innerHTML">fbq('init')</script>"#
            )
        );
    }
}
