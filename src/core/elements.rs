//! Which elements load URLs through which attributes: the one table the guards (JavaScript) and
//! the checkpoint (Rust) share. Written once in `src/protocol.json`; `build.rs` compiles it into
//! the tables below, `scripts/assemble.mjs` into the guards' constants.

use super::checkpoint::Kind;

/// An element that loads URLs: what it loads, and the attributes that hold its URLs.
#[derive(Debug, PartialEq, Eq)]
pub struct ElementRule {
    pub kind: Kind,
    /// In the order a held element's URLs are judged.
    pub urls: &'static [&'static str],
}

mod generated {
    use super::{ElementRule, Kind};
    include!(concat!(env!("OUT_DIR"), "/elements.rs"));
}
use generated::{HELD_ATTRIBUTES, HTML, PARSER_ALIASES, RUNNABLE_SCRIPT_TYPES, SVG};

fn find(table: &'static [(&str, ElementRule)], name: &str) -> Option<&'static ElementRule> {
    table.iter().find(|(n, _)| *n == name).map(|(_, r)| r)
}

/// The rule for an HTML element, by local name (lower case).
pub fn html(name: &str) -> Option<&'static ElementRule> {
    find(HTML, name)
}

/// The rule for an SVG element, by local name (`image`, `feImage`).
pub fn svg(name: &str) -> Option<&'static ElementRule> {
    find(SVG, name)
}

/// The rule a tag written in an HTML string follows, whatever its case: inside SVG content the
/// SVG one (`in_svg`), elsewhere the HTML one (`<image>` outside SVG is parsed as `<img>`).
pub fn in_html_string(tag: &str, in_svg: bool) -> Option<&'static ElementRule> {
    let named = |table: &'static [(&str, ElementRule)]| {
        table
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(tag))
            .map(|(_, r)| r)
    };
    if in_svg {
        return named(SVG);
    }
    named(HTML).or_else(|| {
        PARSER_ALIASES
            .iter()
            .find(|(from, _)| from.eq_ignore_ascii_case(tag))
            .and_then(|(_, to)| html(to))
    })
}

/// Whether a `<script type=…>` runs: its type, trimmed, in ASCII lower case and without `;`
/// parameters, is a JavaScript MIME type, `module`, or empty (no type at all runs too).
pub fn is_runnable_script_type(type_attr: Option<&str>) -> bool {
    let Some(t) = type_attr else { return true };
    let essence = t.split(';').next().unwrap_or("").trim();
    RUNNABLE_SCRIPT_TYPES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(essence))
}

/// The attribute a held element keeps an attribute's URL under (`src` → `data-src`,
/// `xlink:href` → `data-href`).
pub fn held_name(attribute: &str) -> String {
    [
        "data-",
        attribute.strip_prefix("xlink:").unwrap_or(attribute),
    ]
    .concat()
}

/// Every `(held name, attribute)` pair, in the order a release moves them back: `src` and
/// `href` last (an `<img>` picks its source when `src` is set, with `srcset` and `sizes` in
/// place). `sizes` goes along with `srcset`; a held frame's `srcdoc` waits as `data-srcdoc`.
pub fn held_attributes() -> &'static [(&'static str, &'static str)] {
    HELD_ATTRIBUTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_by_name() {
        assert_eq!(html("script").unwrap().kind, Kind::Script);
        assert_eq!(html("object").unwrap().urls, ["data"]);
        assert_eq!(svg("image").unwrap().urls, ["href", "xlink:href"]);
        assert_eq!(svg("feImage").unwrap().kind, Kind::Img);
        assert_eq!(html("div"), None);
        assert_eq!(svg("img"), None);
    }

    #[test]
    fn tags_in_html_strings_follow_the_rule_of_their_namespace() {
        let urls = |tag: &str, in_svg: bool| in_html_string(tag, in_svg).map(|r| r.urls);
        assert_eq!(
            urls("IMAGE", false),
            Some(&["src", "srcset", "attributionsrc"][..])
        );
        assert_eq!(urls("image", true), Some(&["href", "xlink:href"][..]));
        assert_eq!(urls("Script", false), Some(&["src", "attributionsrc"][..]));
        assert_eq!(urls("script", true), Some(&["href", "xlink:href"][..]));
        assert_eq!(urls("feimage", true), Some(&["href", "xlink:href"][..]));
        assert_eq!(urls("feimage", false), None);
        assert_eq!(urls("img", true), None);
        assert_eq!(urls("span", false), None);
    }

    #[test]
    fn runnable_script_types() {
        for t in [None, Some(""), Some(" text/JavaScript "), Some("module")] {
            assert!(is_runnable_script_type(t), "{t:?}");
        }
        for t in [
            "text/jscript",
            "text/livescript",
            "application/x-javascript; charset=utf-8",
        ] {
            assert!(is_runnable_script_type(Some(t)), "{t}");
        }
        for t in [
            "text/plain",
            "application/json",
            "speculationrules",
            "importmap",
            "text/x-template",
        ] {
            assert!(!is_runnable_script_type(Some(t)), "{t}");
        }
    }

    #[test]
    fn held_names() {
        assert_eq!(held_name("src"), "data-src");
        assert_eq!(held_name("xlink:href"), "data-href");
        assert_eq!(held_name("imagesrcset"), "data-imagesrcset");
        let order: Vec<&str> = held_attributes().iter().map(|(_, a)| *a).collect();
        assert_eq!(order.last(), Some(&"src"));
        assert!(order.iter().position(|a| *a == "srcset") < order.iter().position(|a| *a == "src"));
        assert!(
            order.contains(&"srcdoc") && order.contains(&"sizes") && order.contains(&"background")
        );
        assert!(!order.contains(&"xlink:href"));
    }
}
