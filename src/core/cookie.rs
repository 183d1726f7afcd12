//! The `sekisho` cookie (docs/contracts.md §4, a public contract):
//! `1.<consentId>.<revision>.<grantedCategoryBits>.<unixSeconds>[.<serviceOverrides>]`
//!
//! - `grantedCategoryBits`: decimal; bit 0 necessary, 1 functional, 2 analytics, 3 ads, 4 sns.
//! - `serviceOverrides`: service ids joined by `~`, each prefixed with `!` when denied.
//!
//! Decoding is strict: anything this SDK would not have written is an error, and the caller
//! treats it as "undecided" (never as granted).

use super::category::CategorySet;
use super::config::is_valid_id;
use super::consent::StoredChoice;

pub const COOKIE_NAME: &str = "sekisho";
const VERSION: &str = "1";
/// How far in the future a timestamp may be (clock skew) before the cookie counts as forged.
const MAX_CLOCK_SKEW_SECS: u64 = 86_400;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookieError {
    Version,
    Shape,
    ConsentId,
    Revision,
    Bits,
    Time,
    Services,
}

impl CookieError {
    pub fn describe(self) -> &'static str {
        match self {
            CookieError::Version => "unknown format version",
            CookieError::Shape => "wrong number of fields",
            CookieError::ConsentId => "bad consent id",
            CookieError::Revision => "bad revision",
            CookieError::Bits => "bad category bits",
            CookieError::Time => "bad or future timestamp",
            CookieError::Services => "bad service overrides",
        }
    }
}

/// Appends the decimal digits of `n` (no `format!` machinery in the Wasm).
pub fn push_decimal(out: &mut String, n: u64) {
    let mut divisor = 1;
    while n / divisor >= 10 {
        divisor *= 10;
    }
    while divisor > 0 {
        out.push(char::from(b'0' + ((n / divisor) % 10) as u8));
        divisor /= 10;
    }
}

pub fn encode(choice: &StoredChoice) -> String {
    let mut out = String::with_capacity(64);
    out.push_str(VERSION);
    out.push('.');
    out.push_str(&choice.consent_id);
    out.push('.');
    push_decimal(&mut out, choice.revision.into());
    out.push('.');
    push_decimal(&mut out, choice.granted.bits().into());
    out.push('.');
    push_decimal(&mut out, choice.decided_at);
    for (i, (id, granted)) in choice.services.iter().enumerate() {
        out.push(if i == 0 { '.' } else { '~' });
        if !granted {
            out.push('!');
        }
        out.push_str(id);
    }
    out
}

/// Plain decimal digits only: no sign, no leading `+`, no leading zeros (except `0` itself).
fn parse_decimal(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    canonical.then(|| s.parse().ok()).flatten()
}

pub fn is_valid_consent_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn decode(value: &str, now_secs: u64) -> Result<StoredChoice, CookieError> {
    let mut parts = value.split('.');
    if parts.next() != Some(VERSION) {
        return Err(CookieError::Version);
    }
    let (Some(id), Some(rev), Some(bits), Some(time)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(CookieError::Shape);
    };
    let services = parts.next();
    if parts.next().is_some() {
        return Err(CookieError::Shape);
    }
    if !is_valid_consent_id(id) {
        return Err(CookieError::ConsentId);
    }
    let revision = parse_decimal(rev)
        .and_then(|r| u32::try_from(r).ok())
        .ok_or(CookieError::Revision)?;
    let granted = parse_decimal(bits)
        .and_then(|b| u8::try_from(b).ok())
        .and_then(CategorySet::from_bits)
        .ok_or(CookieError::Bits)?;
    let decided_at = parse_decimal(time)
        .filter(|t| *t <= now_secs.saturating_add(MAX_CLOCK_SKEW_SECS))
        .ok_or(CookieError::Time)?;
    let services = match services {
        None => Vec::new(),
        Some(list) => decode_services(list).ok_or(CookieError::Services)?,
    };
    Ok(StoredChoice {
        consent_id: id.into(),
        revision,
        granted,
        decided_at,
        services,
    })
}

fn decode_services(list: &str) -> Option<Vec<(String, bool)>> {
    let mut out: Vec<(String, bool)> = Vec::new();
    for item in list.split('~') {
        let (id, granted) = match item.strip_prefix('!') {
            Some(id) => (id, false),
            None => (item, true),
        };
        if !is_valid_id(id) || out.iter().any(|(seen, _)| seen == id) {
            return None;
        }
        out.push((id.into(), granted));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Category;

    const NOW: u64 = 1_790_000_000;

    fn choice(bits: u8, services: &[(&str, bool)]) -> StoredChoice {
        StoredChoice {
            consent_id: "0b7c6f9e-3f0a-4c1e-9a55-2f1e8d6c4b3a".into(),
            revision: 7,
            granted: CategorySet::from_bits(bits).unwrap(),
            decided_at: NOW - 60,
            services: services.iter().map(|(s, g)| (s.to_string(), *g)).collect(),
        }
    }

    #[test]
    fn encodes_the_documented_format() {
        assert_eq!(
            encode(&choice(5, &[])),
            "1.0b7c6f9e-3f0a-4c1e-9a55-2f1e8d6c4b3a.7.5.1789999940"
        );
        assert_eq!(
            encode(&choice(31, &[("youtube", true), ("meta-pixel", false)])),
            "1.0b7c6f9e-3f0a-4c1e-9a55-2f1e8d6c4b3a.7.31.1789999940.youtube~!meta-pixel"
        );
    }

    #[test]
    fn round_trips() {
        for c in [
            choice(1, &[]),
            choice(31, &[]),
            choice(5, &[("ga4", false)]),
            choice(
                17,
                &[("youtube", true), ("x_widgets", false), ("line", true)],
            ),
        ] {
            assert_eq!(decode(&encode(&c), NOW), Ok(c));
        }
    }

    #[test]
    fn corrupt_values_are_errors_never_grants() {
        let id = "abc";
        let cases: &[(&str, CookieError)] = &[
            ("", CookieError::Version),
            ("garbage", CookieError::Version),
            ("2.abc.1.31.1789999940", CookieError::Version),
            ("1.abc.1.31", CookieError::Shape),
            ("1.abc.1.31.1789999940.yt.extra", CookieError::Shape),
            ("1..1.31.1789999940", CookieError::ConsentId),
            ("1.a b.1.31.1789999940", CookieError::ConsentId),
            ("1.abc.-1.31.1789999940", CookieError::Revision),
            ("1.abc.01.31.1789999940", CookieError::Revision),
            ("1.abc.99999999999.31.1789999940", CookieError::Revision),
            ("1.abc.1.32.1789999940", CookieError::Bits),
            ("1.abc.1.30.1789999940", CookieError::Bits),
            ("1.abc.1.+31.1789999940", CookieError::Bits),
            ("1.abc.1.1f.1789999940", CookieError::Bits),
            ("1.abc.1.31.9999999999", CookieError::Time),
            ("1.abc.1.31.", CookieError::Time),
            ("1.abc.1.31.1789999940.", CookieError::Services),
            ("1.abc.1.31.1789999940.YT", CookieError::Services),
            ("1.abc.1.31.1789999940.yt~yt", CookieError::Services),
            ("1.abc.1.31.1789999940.!", CookieError::Services),
        ];
        for (value, err) in cases {
            assert_eq!(decode(value, NOW), Err(*err), "{value:?}");
        }
        assert!(decode(&["1.", id, ".1.31.1789999940"].concat(), NOW).is_ok());
    }

    #[test]
    fn small_clock_skew_is_tolerated() {
        let v = ["1.abc.1.9.", &(NOW + 3600).to_string()].concat();
        let c = decode(&v, NOW).unwrap();
        assert!(c.granted.contains(Category::Ads));
    }

    #[test]
    fn decimal_formatting() {
        for n in [0u64, 7, 10, 1_789_999_940, u64::MAX] {
            let mut s = String::new();
            push_decimal(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }
}
