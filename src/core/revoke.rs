//! Cookie clean-up when consent is withdrawn, and reading `document.cookie` writes.
//!
//! A cookie can only be deleted with the domain and path it was set with, which a script cannot
//! read back: [`deletion_writes`] produces a `Max-Age=0` write for every combination a tag may
//! have used (host-only, each parent domain; `/` and each prefix of the page's path).

/// The name in a `document.cookie = "name=value; attrs"` write, trimmed.
pub fn written_name(write: &str) -> &str {
    let pair = write.split(';').next().unwrap_or("");
    pair.split_once('=').map_or(pair, |(n, _)| n).trim()
}

/// Whether a cookie write deletes (`Max-Age` ≤ 0, or `Expires` in 1970): deletions are never
/// held, so a tag's own clean-up and ours go through.
pub fn is_deletion(write: &str) -> bool {
    write.split(';').skip(1).any(|attr| {
        let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
        let (k, v) = (k.trim(), v.trim());
        (k.eq_ignore_ascii_case("max-age") && (v == "0" || v.starts_with('-')))
            // (Not `contains("1970")`: a string pattern links core's two-way searcher.)
            || (k.eq_ignore_ascii_case("expires") && v.as_bytes().windows(4).any(|w| w == b"1970"))
    })
}

/// The cookie names in a `document.cookie` read (`a=1; b=2`).
pub fn names(cookie_header: &str) -> impl Iterator<Item = &str> {
    cookie_header
        .split(';')
        .map(|pair| pair.split_once('=').map_or(pair, |(n, _)| n).trim())
        .filter(|n| !n.is_empty())
}

/// The writes that delete cookie `name` wherever a page at `host`/`path` may have set it.
pub fn deletion_writes(name: &str, host: &str, path: &str) -> Vec<String> {
    let mut domains: Vec<Option<&str>> = vec![None];
    let is_ip = host.bytes().all(|b| b.is_ascii_digit() || b == b'.') || host.starts_with('[');
    if host.contains('.') && !is_ip {
        domains.push(Some(host));
        // Parent domains with at least two labels (`www.site.co.jp` → `site.co.jp`, `co.jp`:
        // the browser ignores a public suffix, harmlessly).
        let mut rest = host;
        while let Some((_, parent)) = rest.split_once('.') {
            if !parent.contains('.') {
                break;
            }
            domains.push(Some(parent));
            rest = parent;
        }
    }
    let mut paths = vec!["/".to_string()];
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut prefix = String::new();
    for segment in dir.split('/').filter(|s| !s.is_empty()) {
        prefix.push('/');
        prefix.push_str(segment);
        paths.push(prefix.clone());
        paths.push([prefix.as_str(), "/"].concat());
    }
    let mut out = Vec::with_capacity(domains.len() * paths.len());
    for domain in &domains {
        for p in &paths {
            let mut w = [name, "=; Max-Age=0; Path=", p].concat();
            if let Some(d) = domain {
                w.push_str("; Domain=");
                w.push_str(d);
            }
            out.push(w);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_writes_and_reads() {
        assert_eq!(
            written_name(" _ga=GA1.2.3; Path=/; Max-Age=63072000"),
            "_ga"
        );
        assert_eq!(written_name("flag"), "flag");
        assert_eq!(
            names("_ga=1; _fbp=fb.1;sekisho=1.x;  x=").collect::<Vec<_>>(),
            ["_ga", "_fbp", "sekisho", "x"]
        );
        assert_eq!(names("").count(), 0);
    }

    #[test]
    fn deletions_are_recognised() {
        assert!(is_deletion("_ga=; Max-Age=0; Path=/"));
        assert!(is_deletion("_ga=; max-age=-1"));
        assert!(is_deletion(
            "_ga=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/"
        ));
        assert!(!is_deletion("_ga=GA1; Max-Age=63072000"));
        assert!(!is_deletion("_ga=1970"));
        assert!(!is_deletion("_ga=x; expires=Fri, 01 Jan 2038 00:00:00 GMT"));
    }

    #[test]
    fn deletion_covers_domains_and_paths() {
        let w = deletion_writes("_ga", "www.site.co.jp", "/articles/2026/jacket.html");
        for expected in [
            "_ga=; Max-Age=0; Path=/",
            "_ga=; Max-Age=0; Path=/; Domain=www.site.co.jp",
            "_ga=; Max-Age=0; Path=/; Domain=site.co.jp",
            "_ga=; Max-Age=0; Path=/; Domain=co.jp",
            "_ga=; Max-Age=0; Path=/articles/2026; Domain=site.co.jp",
            "_ga=; Max-Age=0; Path=/articles/; Domain=site.co.jp",
        ] {
            assert!(
                w.iter().any(|x| x == expected),
                "{expected} missing from {w:#?}"
            );
        }
        assert!(!w.iter().any(|x| x.ends_with("Domain=jp")));
        assert_eq!(deletion_writes("a", "localhost", "/").len(), 1);
        assert_eq!(deletion_writes("a", "127.0.0.1", "/x/y").len(), 3);
    }
}
