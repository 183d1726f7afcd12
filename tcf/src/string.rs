//! The IAB TCF v2.3 consent string (`research/standards.md` §4.5), read and written bit for bit,
//! and what a registered CMP's string means for Sekisho's categories (the TCF bridge: config
//! `signals.tcfBridge`). Sekisho never makes a TC string of its own: it has no CMP id
//! (standards §4.9–4.10); [`TcString::encode`] exists so that a decoded string can be checked
//! against the one it came from.
//!
//! A string is segments joined by `.`; each is a big-endian bit string in base64url (no padding
//! characters). The core segment comes first and has no type; the others start with a 3-bit
//! segment type (1 disclosed vendors, 2 allowed vendors, 3 publisher purposes).

use sekisho::core::catalog;
use sekisho::core::category::Category;

/// A decoded TC string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TcString {
    pub version: u8,
    /// Deciseconds since the Unix epoch.
    pub created: u64,
    pub last_updated: u64,
    pub cmp_id: u16,
    pub cmp_version: u16,
    pub consent_screen: u8,
    /// Two letters, upper case (`JA`).
    pub consent_language: String,
    pub vendor_list_version: u16,
    pub policy_version: u8,
    pub is_service_specific: bool,
    pub use_non_standard_texts: bool,
    /// Special features (1–12) opted in.
    pub special_features: Vec<u8>,
    /// Purposes (1–24) consented to.
    pub purpose_consents: Vec<u8>,
    /// Purposes (1–24) under legitimate interest, transparency given.
    pub purpose_legitimate_interests: Vec<u8>,
    pub purpose_one_treatment: bool,
    /// Two letters (`JP`).
    pub publisher_cc: String,
    pub vendor_consents: Vec<u16>,
    pub vendor_legitimate_interests: Vec<u16>,
    pub publisher_restrictions: Vec<PublisherRestriction>,
    /// The disclosed-vendors segment (mandatory in v2.3), if present.
    pub disclosed_vendors: Option<Vec<u16>>,
    /// The publisher-purposes segment, if present.
    pub publisher: Option<PublisherPurposes>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublisherRestriction {
    pub purpose: u8,
    /// 0 not allowed, 1 require consent, 2 require legitimate interest.
    pub restriction_type: u8,
    pub vendors: Vec<u16>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublisherPurposes {
    pub consents: Vec<u8>,
    pub legitimate_interests: Vec<u8>,
    pub custom_consents: Vec<u8>,
    pub custom_legitimate_interests: Vec<u8>,
    /// How many custom purposes there are (the two lists are that long in the string).
    pub custom_count: u8,
}

/// Why a string could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcError {
    /// A character outside base64url, or no core segment.
    NotBase64Url,
    /// The string ends inside a field.
    Truncated,
    /// Not version 2.
    Version(u8),
    /// A segment type this decoder does not know.
    SegmentType(u8),
}

impl TcError {
    pub fn describe(self) -> &'static str {
        match self {
            TcError::NotBase64Url => "not a TC string (base64url segments joined by '.')",
            TcError::Truncated => "the TC string ends inside a field",
            TcError::Version(_) => "not a TC string of version 2",
            TcError::SegmentType(_) => "a segment of an unknown type",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bits

struct Reader {
    bits: Vec<bool>,
    at: usize,
}

impl Reader {
    fn new(segment: &str) -> Result<Reader, TcError> {
        let mut bits = Vec::with_capacity(segment.len() * 6);
        for c in segment.bytes() {
            let v = sextet(c).ok_or(TcError::NotBase64Url)?;
            bits.extend((0..6).rev().map(|i| v >> i & 1 == 1));
        }
        Ok(Reader { bits, at: 0 })
    }

    fn int(&mut self, width: usize) -> Result<u64, TcError> {
        let bits = self
            .bits
            .get(self.at..self.at + width)
            .ok_or(TcError::Truncated)?;
        self.at += width;
        Ok(bits.iter().fold(0, |n, b| n << 1 | u64::from(*b)))
    }

    fn bool(&mut self) -> Result<bool, TcError> {
        Ok(self.int(1)? == 1)
    }

    /// A fixed-width bit field: the (1-based) numbers whose bit is set.
    fn flags(&mut self, width: usize) -> Result<Vec<u8>, TcError> {
        let mut out = Vec::new();
        for n in 1..=width {
            if self.bool()? {
                out.push(n as u8);
            }
        }
        Ok(out)
    }

    fn letters(&mut self) -> Result<String, TcError> {
        let a = self.int(6)? as u8;
        let b = self.int(6)? as u8;
        Ok([char::from(b'A' + a), char::from(b'A' + b)]
            .iter()
            .collect())
    }

    /// A vendor section: MaxVendorId, then a bit field or ranges.
    fn vendors(&mut self) -> Result<Vec<u16>, TcError> {
        let max = self.int(16)? as u16;
        if !self.bool()? {
            let mut out = Vec::new();
            for id in 1..=max {
                if self.bool()? {
                    out.push(id);
                }
            }
            return Ok(out);
        }
        self.ranges(max)
    }

    /// NumEntries, then each an id or a range of ids; ids above `max` (the section's
    /// MaxVendorId) are not the section's. The ranges are merged before they are spelled out, so
    /// a hostile string costs at most `max` ids, whatever its ranges (overlapping, reversed).
    fn ranges(&mut self, max: u16) -> Result<Vec<u16>, TcError> {
        let entries = self.int(12)?;
        let mut runs: Vec<(u16, u16)> = Vec::new();
        for _ in 0..entries {
            let is_range = self.bool()?;
            let start = self.int(16)? as u16;
            let end = if is_range {
                self.int(16)? as u16
            } else {
                start
            };
            if start >= 1 && start <= end && start <= max {
                runs.push((start, end.min(max)));
            }
        }
        runs.sort_unstable();
        let mut out: Vec<u16> = Vec::new();
        let mut next = 1u32; // the first id not yet written
        for (start, end) in runs {
            for id in u32::from(start).max(next)..=u32::from(end) {
                out.push(id as u16);
            }
            next = next.max(u32::from(end) + 1);
        }
        Ok(out)
    }
}

#[derive(Default)]
struct Writer {
    bits: Vec<bool>,
}

impl Writer {
    fn int(&mut self, value: u64, width: usize) {
        self.bits
            .extend((0..width).rev().map(|i| value >> i & 1 == 1));
    }

    fn bool(&mut self, b: bool) {
        self.bits.push(b);
    }

    fn flags(&mut self, set: &[u8], width: usize) {
        for n in 1..=width {
            self.bool(set.contains(&(n as u8)));
        }
    }

    fn letters(&mut self, s: &str) {
        for b in s.bytes().chain(std::iter::repeat(b'A')).take(2) {
            self.int(u64::from(b.to_ascii_uppercase().saturating_sub(b'A')), 6);
        }
    }

    /// As the reference encoder does: ranges when they take fewer bits than a bit field.
    fn vendors(&mut self, ids: &[u16]) {
        let max = ids.iter().copied().max().unwrap_or(0);
        self.int(u64::from(max), 16);
        let runs = runs(ids);
        let range_bits = 12
            + runs
                .iter()
                .map(|(a, b)| if a == b { 17 } else { 33 })
                .sum::<usize>();
        if range_bits < usize::from(max) {
            self.bool(true);
            self.ranges(&runs);
        } else {
            self.bool(false);
            for id in 1..=max {
                self.bool(ids.contains(&id));
            }
        }
    }

    fn ranges(&mut self, runs: &[(u16, u16)]) {
        self.int(runs.len() as u64, 12);
        for &(a, b) in runs {
            self.bool(a != b);
            self.int(u64::from(a), 16);
            if a != b {
                self.int(u64::from(b), 16);
            }
        }
    }

    /// base64url, the bits zero-padded to a multiple of 24 (as the reference encoder pads).
    fn finish(mut self) -> String {
        while self.bits.len() % 24 != 0 {
            self.bits.push(false);
        }
        self.bits
            .chunks(6)
            .filter_map(|six| {
                let index = six.iter().fold(0, |n, b| n << 1 | usize::from(*b));
                ALPHABET.get(index).copied().map(char::from) // (six bits: always there)
            })
            .collect()
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Sorted, distinct ids as runs of consecutive ids.
fn runs(ids: &[u16]) -> Vec<(u16, u16)> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<(u16, u16)> = Vec::new();
    for id in sorted {
        match out.last_mut() {
            Some((_, end)) if *end + 1 == id => *end = id,
            _ => out.push((id, id)),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The string

impl TcString {
    /// Reads a TC string.
    pub fn decode(s: &str) -> Result<TcString, TcError> {
        let mut segments = s.trim().split('.');
        let core = segments
            .next()
            .filter(|c| !c.is_empty())
            .ok_or(TcError::NotBase64Url)?;
        let mut r = Reader::new(core)?;
        let version = r.int(6)? as u8;
        if version != 2 {
            return Err(TcError::Version(version));
        }
        let mut tc = TcString {
            version,
            created: r.int(36)?,
            last_updated: r.int(36)?,
            cmp_id: r.int(12)? as u16,
            cmp_version: r.int(12)? as u16,
            consent_screen: r.int(6)? as u8,
            consent_language: r.letters()?,
            vendor_list_version: r.int(12)? as u16,
            policy_version: r.int(6)? as u8,
            is_service_specific: r.bool()?,
            use_non_standard_texts: r.bool()?,
            special_features: r.flags(12)?,
            purpose_consents: r.flags(24)?,
            purpose_legitimate_interests: r.flags(24)?,
            purpose_one_treatment: r.bool()?,
            publisher_cc: r.letters()?,
            vendor_consents: r.vendors()?,
            vendor_legitimate_interests: r.vendors()?,
            ..TcString::default()
        };
        for _ in 0..r.int(12)? {
            tc.publisher_restrictions.push(PublisherRestriction {
                purpose: r.int(6)? as u8,
                restriction_type: r.int(2)? as u8,
                vendors: r.ranges(u16::MAX)?,
            });
        }
        for segment in segments {
            let mut r = Reader::new(segment)?;
            match r.int(3)? as u8 {
                1 => tc.disclosed_vendors = Some(r.vendors()?),
                2 => {} // allowed vendors: gone since v2.2, ignored
                3 => {
                    let consents = r.flags(24)?;
                    let legitimate_interests = r.flags(24)?;
                    let custom_count = r.int(6)? as u8;
                    tc.publisher = Some(PublisherPurposes {
                        consents,
                        legitimate_interests,
                        custom_consents: r.flags(custom_count.into())?,
                        custom_legitimate_interests: r.flags(custom_count.into())?,
                        custom_count,
                    });
                }
                other => return Err(TcError::SegmentType(other)),
            }
        }
        Ok(tc)
    }

    /// Writes the string back (segments in the order core, disclosed vendors, publisher).
    pub fn encode(&self) -> String {
        let mut w = Writer::default();
        w.int(self.version.into(), 6);
        w.int(self.created, 36);
        w.int(self.last_updated, 36);
        w.int(self.cmp_id.into(), 12);
        w.int(self.cmp_version.into(), 12);
        w.int(self.consent_screen.into(), 6);
        w.letters(&self.consent_language);
        w.int(self.vendor_list_version.into(), 12);
        w.int(self.policy_version.into(), 6);
        w.bool(self.is_service_specific);
        w.bool(self.use_non_standard_texts);
        w.flags(&self.special_features, 12);
        w.flags(&self.purpose_consents, 24);
        w.flags(&self.purpose_legitimate_interests, 24);
        w.bool(self.purpose_one_treatment);
        w.letters(&self.publisher_cc);
        w.vendors(&self.vendor_consents);
        w.vendors(&self.vendor_legitimate_interests);
        w.int(self.publisher_restrictions.len() as u64, 12);
        for p in &self.publisher_restrictions {
            w.int(p.purpose.into(), 6);
            w.int(p.restriction_type.into(), 2);
            w.ranges(&runs(&p.vendors));
        }
        let mut out = w.finish();
        if let Some(disclosed) = &self.disclosed_vendors {
            let mut w = Writer::default();
            w.int(1, 3);
            w.vendors(disclosed);
            out.push('.');
            out.push_str(&w.finish());
        }
        if let Some(p) = &self.publisher {
            let mut w = Writer::default();
            w.int(3, 3);
            w.flags(&p.consents, 24);
            w.flags(&p.legitimate_interests, 24);
            w.int(p.custom_count.into(), 6);
            w.flags(&p.custom_consents, p.custom_count.into());
            w.flags(&p.custom_legitimate_interests, p.custom_count.into());
            out.push('.');
            out.push_str(&w.finish());
        }
        out
    }

    /// Unix seconds of `last_updated`.
    pub fn last_updated_secs(&self) -> u64 {
        self.last_updated / 10
    }
}

// ---------------------------------------------------------------------------------------------
// What it means for Sekisho

/// The TCF purposes each category needs consent for (TCF Policies, Appendix A):
/// 1 store and/or access information on a device; 2–4 and 7 select and measure (personalised)
/// advertising; 5–6 personalised content; 8–9 measure content, understand audiences. `sns` and
/// `necessary` have none: SNS linkage stays Sekisho's own opt-in.
pub const CATEGORY_PURPOSES: [(Category, &[u8]); 3] = [
    (Category::Ads, &[1, 2, 3, 4, 7]),
    (Category::Analytics, &[1, 8, 9]),
    (Category::Functional, &[1, 5, 6]),
];

/// Catalog services, their categories and their vendor ids in the Global Vendor List (Google
/// Advertising Products is 755); a config adds others (`signals.tcfBridge.vendors`).
pub const KNOWN_VENDORS: [(&str, Category, u16); 5] = [
    ("google-ads", Category::Ads, 755),
    ("google-analytics", Category::Analytics, 755),
    ("google-marketing-platform", Category::Ads, 755),
    ("google-adsense", Category::Ads, 755),
    ("google-tag-manager", Category::Analytics, 755),
];

/// The curated catalog's services whose recipient is a vendor of the Global Vendor List the CMP
/// reports (`getVendorList`: `vendors` as `(id, name)`), matched by the recipient's legal name
/// (the English recipient text before its parenthesis: "Criteo SA (Criteo)" is "Criteo SA"),
/// ASCII letters and digits compared without case. `(service id, category, vendor id)`.
pub fn vendors_by_name(gvl: &[(u16, String)]) -> Vec<(String, Category, u16)> {
    // (ASCII only: Unicode's tables would cost the module 12 KB; vendor names are Latin.)
    let key = |name: &str| -> String {
        name.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let by_name: Vec<(String, u16)> = gvl.iter().map(|(id, name)| (key(name), *id)).collect();
    catalog::entries()
        .filter_map(|e| {
            let recipient = e.disclosure()?.recipient.get("en");
            let legal = key(recipient.split(" (").next().unwrap_or(recipient));
            let (_, vendor) = by_name
                .iter()
                .find(|(name, _)| !legal.is_empty() && *name == legal)?;
            Some((e.id().to_owned(), e.category(), *vendor))
        })
        .collect()
}

/// Whether the publisher does not allow `vendor` one of `category`'s purposes (a publisher
/// restriction of type 0, "purpose flatly not allowed").
fn restricted(tc: &TcString, vendor: u16, category: Category) -> bool {
    let purposes = CATEGORY_PURPOSES
        .iter()
        .find(|(c, _)| *c == category)
        .map_or(&[][..], |(_, p)| *p);
    tc.publisher_restrictions.iter().any(|r| {
        r.restriction_type == 0 && purposes.contains(&r.purpose) && r.vendors.contains(&vendor)
    })
}

fn purposes_met(tc: &TcString, category: Category) -> bool {
    CATEGORY_PURPOSES
        .iter()
        .find(|(c, _)| *c == category)
        .is_some_and(|(_, purposes)| purposes.iter().all(|p| tc.purpose_consents.contains(p)))
}

/// A CMP's string as Sekisho's choice: each category of [`CATEGORY_PURPOSES`] granted when all its
/// purposes are consented to; each service with a vendor id (`vendors`: id, category, vendor)
/// granted when its category's purposes are and its vendor is consented to. JSON text for
/// `sekisho.set()`.
pub fn choice_json(tc: &TcString, vendors: &[(String, Category, u16)], gpc: bool) -> String {
    // GPC: an opt-out of ads whatever the CMP says (the checkpoint would withdraw them anyway;
    // asking for them would be a new decision on every page).
    let allowed =
        |category: Category| purposes_met(tc, category) && !(gpc && category == Category::Ads);
    let mut out = String::from("{");
    for (category, _) in CATEGORY_PURPOSES {
        out.push('"');
        out.push_str(category.id());
        out.push_str(if allowed(category) {
            "\":true,"
        } else {
            "\":false,"
        });
    }
    out.push_str("\"services\":{");
    for (i, (id, category, vendor)) in vendors.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let granted = tc.vendor_consents.contains(vendor)
            && allowed(*category)
            && !restricted(tc, *vendor, *category);
        out.push('"');
        out.push_str(id);
        out.push_str(if granted { "\":true" } else { "\":false" });
    }
    out.push_str("}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `research/consent-string-test-vectors.md`: made with @iabtechlabtcf/core 1.5.21.
    const CORE_VECTOR: &str =
        "CQLRckAQLRckAACABBJABkFgAMIAAAAAABJ4F5wAQF5gAAAA.IF5wAQF5gAAA.YAAAAAAAAAAA";
    /// The example of the IAB's TC string specification (v2.3).
    const SPEC_EXAMPLE: &str =
        "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA";

    #[test]
    fn decodes_the_reference_encoders_vector() {
        let tc = TcString::decode(CORE_VECTOR).unwrap();
        let day = 1_736_899_200; // 2025-01-15T00:00:00Z
        assert_eq!(tc.version, 2);
        assert_eq!((tc.created, tc.last_updated), (day * 10, day * 10));
        assert_eq!(tc.last_updated_secs(), day);
        assert_eq!((tc.cmp_id, tc.cmp_version, tc.consent_screen), (2, 1, 1));
        assert_eq!(tc.consent_language, "JA");
        assert_eq!((tc.vendor_list_version, tc.policy_version), (100, 5));
        assert!(tc.is_service_specific && !tc.use_non_standard_texts && !tc.purpose_one_treatment);
        assert_eq!(tc.publisher_cc, "JP");
        assert_eq!(tc.purpose_consents, [1, 2, 7]);
        assert!(tc.purpose_legitimate_interests.is_empty());
        assert!(tc.special_features.is_empty());
        assert_eq!(tc.vendor_consents, [755]);
        assert!(tc.vendor_legitimate_interests.is_empty());
        assert!(tc.publisher_restrictions.is_empty());
        assert_eq!(tc.disclosed_vendors.as_deref(), Some(&[755u16][..]));
        let publisher = tc.publisher.as_ref().unwrap();
        assert!(publisher.consents.is_empty() && publisher.custom_count == 0);
    }

    #[test]
    fn re_encodes_the_vector_byte_for_byte() {
        let tc = TcString::decode(CORE_VECTOR).unwrap();
        assert_eq!(tc.encode(), CORE_VECTOR);
        let again = TcString::decode(&tc.encode()).unwrap();
        assert_eq!(again, tc);
    }

    #[test]
    fn decodes_the_specifications_example() {
        let tc = TcString::decode(SPEC_EXAMPLE).unwrap();
        assert_eq!(tc.cmp_id, 880);
        assert_eq!(tc.consent_language, "EN");
        assert_eq!(tc.vendor_list_version, 48);
        // 2025-06-03 (UTC), in deciseconds.
        assert_eq!(tc.created / 10 / 86_400, 1_748_908_800 / 86_400);
        assert!(tc.disclosed_vendors.is_some());
        // What it says survives a round trip through the encoder (its padding may differ).
        assert_eq!(TcString::decode(&tc.encode()).unwrap(), tc);
    }

    #[test]
    fn ranges_bit_fields_and_restrictions_round_trip() {
        let tc = TcString {
            version: 2,
            created: 17_000_000_000,
            last_updated: 17_000_000_000,
            cmp_id: 300,
            cmp_version: 7,
            consent_screen: 2,
            consent_language: "EN".into(),
            vendor_list_version: 150,
            policy_version: 5,
            is_service_specific: true,
            special_features: vec![1],
            purpose_consents: vec![1, 3, 4, 10],
            purpose_legitimate_interests: vec![2, 7],
            publisher_cc: "DE".into(),
            // A bit field (dense), and ranges (sparse, with runs).
            vendor_consents: vec![1, 2, 3, 5, 8, 13],
            vendor_legitimate_interests: vec![100, 101, 102, 103, 2000],
            publisher_restrictions: vec![PublisherRestriction {
                purpose: 2,
                restriction_type: 1,
                vendors: vec![755, 756, 900],
            }],
            disclosed_vendors: Some(vec![1, 2, 3, 5, 8, 13, 100, 2000]),
            publisher: Some(PublisherPurposes {
                consents: vec![1],
                legitimate_interests: vec![],
                custom_consents: vec![2],
                custom_legitimate_interests: vec![1],
                custom_count: 3,
            }),
            ..TcString::default()
        };
        assert_eq!(TcString::decode(&tc.encode()).unwrap(), tc);
    }

    #[test]
    fn hostile_ranges_cost_at_most_the_sections_ids() {
        // Vendor consents as 4095 ranges, each over every id, and an id past MaxVendorId.
        let mut w = Writer::default();
        w.int(2, 6);
        for (value, width) in [
            (0u64, 36),
            (0, 36),
            (300, 12),
            (1, 12),
            (0, 6),
            (0, 12),
            (1, 12),
            (5, 6),
        ] {
            w.int(value, width);
        }
        for _ in 0..(1 + 1 + 12 + 24 + 24 + 1) {
            w.bool(false);
        }
        w.int(0, 12); // publisher CC "AA"
        w.int(10, 16); // MaxVendorId 10
        w.bool(true); // ranges
        w.int(4095, 12);
        for _ in 0..4095 {
            w.bool(true);
            w.int(1, 16);
            w.int(65535, 16);
        }
        w.int(0, 16); // vendor LI: none
        w.bool(false);
        w.int(0, 12); // no publisher restrictions
        let tc = TcString::decode(&w.finish()).unwrap();
        assert_eq!(tc.vendor_consents, (1..=10).collect::<Vec<u16>>());
    }

    #[test]
    fn a_publisher_restriction_and_gpc_hold_a_vendor_back() {
        let vendors = vec![("google-ads".to_string(), Category::Ads, 755)];
        let mut tc = TcString {
            purpose_consents: (1..=11).collect(),
            vendor_consents: vec![755],
            ..TcString::default()
        };
        let granted = |tc: &TcString, gpc: bool| -> serde_json::Value {
            serde_json::from_str(&choice_json(tc, &vendors, gpc)).unwrap()
        };
        assert_eq!(granted(&tc, false)["services"]["google-ads"], true);
        let under_gpc = granted(&tc, true);
        assert_eq!(
            (under_gpc["ads"].as_bool(), under_gpc["analytics"].as_bool()),
            (Some(false), Some(true))
        );
        assert_eq!(under_gpc["services"]["google-ads"], false);
        tc.publisher_restrictions.push(PublisherRestriction {
            purpose: 2,
            restriction_type: 0,
            vendors: vec![755],
        });
        assert_eq!(granted(&tc, false)["services"]["google-ads"], false);
    }

    #[test]
    fn bad_strings_are_named() {
        assert_eq!(TcString::decode(""), Err(TcError::NotBase64Url));
        assert_eq!(TcString::decode("CQ*="), Err(TcError::NotBase64Url));
        assert_eq!(TcString::decode("CQLRck"), Err(TcError::Truncated));
        assert_eq!(TcString::decode("BQLRckAQLRck"), Err(TcError::Version(1)));
        let core = CORE_VECTOR.split('.').next().unwrap();
        assert_eq!(
            TcString::decode(&[core, ".4AAA"].concat()),
            Err(TcError::SegmentType(7))
        );
    }

    #[test]
    fn the_cmps_vendor_list_names_catalog_services() {
        let gvl = [
            (91, "Criteo SA".to_string()),
            (755, "Google Advertising Products".to_string()),
            (9999, "Nobody Ltd".to_string()),
        ];
        let found = vendors_by_name(&gvl);
        assert!(
            found.contains(&("criteo".to_string(), Category::Ads, 91)),
            "{found:?}"
        );
        assert!(
            found.iter().all(|(_, _, v)| *v == 91),
            "only Criteo's name matches: {found:?}"
        );
        assert!(vendors_by_name(&[]).is_empty());
    }

    #[test]
    fn a_cmps_string_as_sekishos_choice() {
        let vendors: Vec<(String, Category, u16)> = KNOWN_VENDORS
            .iter()
            .take(2)
            .map(|(id, c, v)| (id.to_string(), *c, *v))
            .chain([("criteo".to_string(), Category::Ads, 91)])
            .collect();
        let tc = TcString::decode(CORE_VECTOR).unwrap(); // purposes 1, 2, 7; vendor 755
        let choice: serde_json::Value =
            serde_json::from_str(&choice_json(&tc, &vendors, false)).unwrap();
        assert_eq!(
            choice,
            serde_json::json!({"ads": false, "analytics": false, "functional": false,
                "services": {"google-ads": false, "google-analytics": false, "criteo": false}})
        );
        let all = TcString {
            purpose_consents: (1..=11).collect(),
            vendor_consents: vec![91],
            ..tc
        };
        let choice: serde_json::Value =
            serde_json::from_str(&choice_json(&all, &vendors, false)).unwrap();
        assert_eq!(choice["ads"], true);
        assert_eq!(choice["analytics"], true);
        assert_eq!(choice["functional"], true);
        assert_eq!(
            choice["services"]["google-ads"], false,
            "Google not consented"
        );
        assert_eq!(choice["services"]["criteo"], true);
        let analytics_only = TcString {
            purpose_consents: vec![1, 8, 9],
            vendor_consents: vec![755, 91],
            ..all
        };
        let choice: serde_json::Value =
            serde_json::from_str(&choice_json(&analytics_only, &vendors, false)).unwrap();
        assert_eq!(
            choice["services"],
            serde_json::json!({"google-ads": false, "google-analytics": true, "criteo": false})
        );
    }
}
