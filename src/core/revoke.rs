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

/// Whether a cookie write deletes, as a browser decides it (RFC 6265 §5.2–§5.3): its last valid
/// `Max-Age` is ≤ 0, or, without one, its last valid `Expires` is not after `now` (Unix seconds).
/// Deletions are never held, so a tag's own clean-up and ours go through; a write that only looks
/// like one (`Max-Age=100; Expires=…1970`) is not.
pub fn is_deletion(write: &str, now: u64) -> bool {
    let mut max_age = None;
    let mut expires = None;
    for attr in write.split(';').skip(1) {
        let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
        let (k, v) = (k.trim(), v.trim());
        if k.eq_ignore_ascii_case("max-age") {
            let digits = v.strip_prefix('-').unwrap_or(v);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                max_age = Some(v.starts_with('-') || digits.bytes().all(|b| b == b'0'));
            }
        } else if k.eq_ignore_ascii_case("expires") {
            expires = cookie_date(v).or(expires);
        }
    }
    max_age.unwrap_or_else(|| expires.is_some_and(|at| at <= now as i64))
}

/// A cookie's `Expires` date in Unix seconds, by RFC 6265's cookie-date algorithm (§5.1.1): the
/// first time, day of month, month and year tokens, in any order. `None` when it is not a date.
fn cookie_date(value: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let (mut time, mut day, mut month, mut year) = (None, None, None, None);
    let delimiter = |c: char| matches!(c, '\t' | ' '..='/' | ';'..='@' | '['..='`' | '{'..='~');
    // The leading `min..=max` digits of `t` (what follows them is ignored, as RFC 6265 says).
    let number = |t: &[u8], min: usize, max: usize| {
        let digits = t.iter().take_while(|b| b.is_ascii_digit()).count();
        (min..=max).contains(&digits).then(|| {
            t.iter()
                .take(digits)
                .fold(0, |n, b| n * 10 + u32::from(b - b'0'))
        })
    };
    for token in value.split(delimiter).filter(|t| !t.is_empty()) {
        if time.is_none() {
            // hh:mm:ss, each one or two digits.
            let mut parts = token.as_bytes().split(|b| *b == b':');
            let mut next = || number(parts.next()?, 1, 2);
            if let (Some(h), Some(m), Some(s)) = (next(), next(), next()) {
                time = Some((h, m, s));
                continue;
            }
        }
        if day.is_none() {
            if let Some(d) = number(token.as_bytes(), 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if month.is_none() {
            let prefix = token.get(..3).unwrap_or("");
            if let Some(m) = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(prefix)) {
                month = Some(m as u32 + 1);
                continue;
            }
        }
        if year.is_none() {
            year = number(token.as_bytes(), 2, 4);
        }
    }
    let (h, mi, s) = time?;
    let (d, mo, mut y) = (day?, month?, year?);
    y += match y {
        70..=99 => 1900,
        0..=69 => 2000,
        _ => 0,
    };
    if !(1..=31).contains(&d) || y < 1601 || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    // Days since 1970-01-01 (the proleptic Gregorian calendar: Howard Hinnant's days_from_civil).
    let (y, mo) = (i64::from(y) - i64::from(mo <= 2), i64::from(mo));
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (mo + if mo > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + i64::from(h * 3600 + mi * 60 + s))
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
    fn deletions_are_recognised_as_browsers_decide_them() {
        let now = 1_796_515_200; // 2026-12-06
        for write in [
            "_ga=; Max-Age=0; Path=/",
            "_ga=; max-age=-1",
            "_ga=; max-age=000",
            "_ga=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/",
            "_ga=; expires=Wed, 21 Oct 2015 07:28:00 GMT",
            "_ga=; Expires=Sunday, 06-Dec-26 00:00:00 GMT",
            "_ga=; Max-Age=x; expires=Thu, 01 Jan 1970 00:00:00 GMT",
            "_ga=; Max-Age=100; Max-Age=0",
        ] {
            assert!(is_deletion(write, now), "{write}");
        }
        for write in [
            "_ga=GA1; Max-Age=63072000",
            "_ga=1970",
            "_ga=x; expires=Fri, 01 Jan 2038 00:00:00 GMT",
            // Max-Age wins over Expires.
            "_ga=x; Max-Age=100; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            "_ga=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=100",
            "_ga=x; Max-Age=0; Max-Age=100",
            // Not a date: no expiry (a session cookie).
            "_ga=x; expires=1970",
            "_ga=x; expires=yesterday",
            "_ga=x; path=/; expires",
        ] {
            assert!(!is_deletion(write, now), "{write}");
        }
        assert_eq!(cookie_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            cookie_date("Sun, 06 Dec 2026 00:00:00 GMT"),
            Some(now as i64)
        );
        assert_eq!(cookie_date("06 Dec 2026 00:00:01"), Some(now as i64 + 1));
        assert_eq!(cookie_date("Feb 29 2024 12:00:00"), Some(1_709_208_000));
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
