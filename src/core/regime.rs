//! Consent regimes and region resolution.
//!
//! The region comes from the config's `region` hint (which a server may render), else from the
//! browser's time zone; an unknown region gets the strictest regime (opt-in).

/// Whether non-necessary categories start denied (opt-in) or granted until refused (opt-out).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Regime {
    OptIn,
    OptOut,
}

impl Regime {
    pub fn id(self) -> &'static str {
        match self {
            Regime::OptIn => "opt-in",
            Regime::OptOut => "opt-out",
        }
    }

    pub fn from_id(id: &str) -> Option<Regime> {
        match id {
            "opt-in" => Some(Regime::OptIn),
            "opt-out" => Some(Regime::OptOut),
            _ => None,
        }
    }
}

/// The config's `regime`: one regime, or a map from region to regime with a `default`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RegimeRule {
    Fixed(Regime),
    ByRegion {
        /// Keys are upper-case: a country (`JP`), a subdivision (`US-CA`) or a group (`EU`, `EEA`).
        rules: Vec<(String, Regime)>,
        default: Regime,
    },
}

const EU: [&str; 27] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];
const EEA_EXTRA: [&str; 3] = ["IS", "LI", "NO"];

/// Region groups a regime map may name.
pub fn group_contains(group: &str, country: &str) -> bool {
    group_members(group).any(|c| c == country)
}

/// The countries of a group (`EU`, `EEA`; none for anything else).
pub fn group_members(group: &str) -> impl Iterator<Item = &'static str> {
    let (eu, extra): (&[&str], &[&str]) = match group {
        "EU" => (&EU, &[]),
        "EEA" => (&EU, &EEA_EXTRA),
        _ => (&[], &[]),
    };
    eu.iter().chain(extra).copied()
}

/// Whether `key` is a region key a regime map accepts: a group, `CC` or `CC-SUB`.
pub fn is_region_key(key: &str) -> bool {
    if key == "EU" || key == "EEA" {
        return true;
    }
    let (country, sub) = match key.split_once('-') {
        Some((c, s)) => (c, Some(s)),
        None => (key, None),
    };
    let upper = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    country.len() == 2
        && country.bytes().all(|b| b.is_ascii_uppercase())
        && sub.is_none_or(|s| (1..=3).contains(&s.len()) && upper(s))
}

impl RegimeRule {
    /// Config `"regime": "regional"`: the regimes the law of each place asks for — opt-in in the
    /// EEA, the UK and Switzerland; opt-out with notice in Japan (`sns` stays opt-in) and in the
    /// US (where GPC is the opt-out, honoured everywhere); opt-in anywhere else, and when the
    /// region is unknown.
    pub fn regional() -> RegimeRule {
        RegimeRule::ByRegion {
            rules: vec![
                ("EEA".into(), Regime::OptIn),
                ("GB".into(), Regime::OptIn),
                ("CH".into(), Regime::OptIn),
                ("JP".into(), Regime::OptOut),
                ("US".into(), Regime::OptOut),
            ],
            default: Regime::OptIn,
        }
    }

    /// Whether the visitor's region changes the outcome (only for a map of regions).
    pub fn depends_on_region(&self) -> bool {
        matches!(self, RegimeRule::ByRegion { .. })
    }

    /// The regime for `region` (`None` = unknown → strictest).
    pub fn resolve(&self, region: Option<&str>) -> Regime {
        let (rules, default) = match self {
            RegimeRule::Fixed(r) => return *r,
            RegimeRule::ByRegion { rules, default } => (rules, *default),
        };
        let Some(region) = region else {
            return Regime::OptIn;
        };
        let country = region.split('-').next().unwrap_or(region);
        let find = |pred: &dyn Fn(&str) -> bool| {
            rules
                .iter()
                .find(|(k, _)| pred(k.as_str()))
                .map(|(_, r)| *r)
        };
        find(&|k| k == region)
            .or_else(|| find(&|k| k == country))
            .or_else(|| find(&|k| group_contains(k, country)))
            .unwrap_or(default)
    }
}

/// Country code (ISO 3166-1) for an IANA time zone, where the zone identifies one country.
/// Zones shared by several countries, `UTC` and `Etc/*` give `None`.
pub fn region_from_time_zone(tz: &str) -> Option<&'static str> {
    const ZONES: &[(&str, &str)] = &[
        ("Asia/Tokyo", "JP"),
        ("Japan", "JP"),
        ("Europe/Amsterdam", "NL"),
        ("Europe/Andorra", "AD"),
        ("Europe/Athens", "GR"),
        ("Europe/Belfast", "GB"),
        ("Europe/Berlin", "DE"),
        ("Europe/Bratislava", "SK"),
        ("Europe/Brussels", "BE"),
        ("Europe/Bucharest", "RO"),
        ("Europe/Budapest", "HU"),
        ("Europe/Busingen", "DE"),
        ("Europe/Copenhagen", "DK"),
        ("Europe/Dublin", "IE"),
        ("Europe/Gibraltar", "GI"),
        ("Europe/Guernsey", "GG"),
        ("Europe/Helsinki", "FI"),
        ("Europe/Isle_of_Man", "IM"),
        ("Europe/Jersey", "JE"),
        ("Europe/Lisbon", "PT"),
        ("Europe/Ljubljana", "SI"),
        ("Europe/London", "GB"),
        ("Europe/Luxembourg", "LU"),
        ("Europe/Madrid", "ES"),
        ("Europe/Malta", "MT"),
        ("Europe/Mariehamn", "FI"),
        ("Europe/Monaco", "MC"),
        ("Europe/Nicosia", "CY"),
        ("Asia/Nicosia", "CY"),
        ("Asia/Famagusta", "CY"),
        ("Europe/Oslo", "NO"),
        ("Europe/Paris", "FR"),
        ("Europe/Prague", "CZ"),
        ("Europe/Riga", "LV"),
        ("Europe/Rome", "IT"),
        ("Europe/San_Marino", "SM"),
        ("Europe/Sofia", "BG"),
        ("Europe/Stockholm", "SE"),
        ("Europe/Tallinn", "EE"),
        ("Europe/Vaduz", "LI"),
        ("Europe/Vatican", "VA"),
        ("Europe/Vienna", "AT"),
        ("Europe/Vilnius", "LT"),
        ("Europe/Warsaw", "PL"),
        ("Europe/Zagreb", "HR"),
        ("Europe/Zurich", "CH"),
        ("Atlantic/Reykjavik", "IS"),
        ("Atlantic/Canary", "ES"),
        ("Atlantic/Madeira", "PT"),
        ("Atlantic/Azores", "PT"),
        ("Africa/Ceuta", "ES"),
        ("Asia/Seoul", "KR"),
        ("Asia/Shanghai", "CN"),
        ("Asia/Taipei", "TW"),
        ("Asia/Hong_Kong", "HK"),
        ("Asia/Singapore", "SG"),
        ("Asia/Kolkata", "IN"),
        ("Asia/Calcutta", "IN"),
        ("Asia/Bangkok", "TH"),
        ("Asia/Manila", "PH"),
        ("America/New_York", "US"),
        ("America/Chicago", "US"),
        ("America/Denver", "US"),
        ("America/Phoenix", "US"),
        ("America/Los_Angeles", "US"),
        ("America/Anchorage", "US"),
        ("Pacific/Honolulu", "US"),
        ("America/Toronto", "CA"),
        ("America/Vancouver", "CA"),
        ("America/Sao_Paulo", "BR"),
        ("America/Mexico_City", "MX"),
        ("Australia/Sydney", "AU"),
        ("Australia/Melbourne", "AU"),
        ("Pacific/Auckland", "NZ"),
    ];
    ZONES.iter().find(|(z, _)| *z == tz).map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jp_opt_out() -> RegimeRule {
        RegimeRule::ByRegion {
            rules: vec![
                ("JP".into(), Regime::OptOut),
                ("US".into(), Regime::OptOut),
                ("US-CA".into(), Regime::OptIn),
                ("EEA".into(), Regime::OptIn),
            ],
            default: Regime::OptOut,
        }
    }

    #[test]
    fn fixed_regime_ignores_region() {
        assert_eq!(
            RegimeRule::Fixed(Regime::OptOut).resolve(None),
            Regime::OptOut
        );
        assert_eq!(
            RegimeRule::Fixed(Regime::OptIn).resolve(Some("JP")),
            Regime::OptIn
        );
    }

    #[test]
    fn most_specific_region_wins_then_groups_then_default() {
        let r = jp_opt_out();
        assert_eq!(r.resolve(Some("JP")), Regime::OptOut);
        assert_eq!(r.resolve(Some("US-CA")), Regime::OptIn);
        assert_eq!(r.resolve(Some("US-NY")), Regime::OptOut);
        assert_eq!(r.resolve(Some("NO")), Regime::OptIn);
        assert_eq!(r.resolve(Some("DE")), Regime::OptIn);
        assert_eq!(r.resolve(Some("BR")), Regime::OptOut);
    }

    #[test]
    fn the_regional_preset_follows_each_places_law() {
        let r = RegimeRule::regional();
        for (region, regime) in [
            ("JP", Regime::OptOut),
            ("US-CA", Regime::OptOut),
            ("DE", Regime::OptIn),
            ("NO", Regime::OptIn),
            ("GB", Regime::OptIn),
            ("CH", Regime::OptIn),
            ("BR", Regime::OptIn),
        ] {
            assert_eq!(r.resolve(Some(region)), regime, "{region}");
        }
        assert_eq!(r.resolve(None), Regime::OptIn);
    }

    #[test]
    fn unknown_region_gets_the_strictest_regime() {
        assert_eq!(jp_opt_out().resolve(None), Regime::OptIn);
    }

    #[test]
    fn time_zones_map_to_countries() {
        assert_eq!(region_from_time_zone("Asia/Tokyo"), Some("JP"));
        assert_eq!(region_from_time_zone("Europe/Berlin"), Some("DE"));
        assert_eq!(region_from_time_zone("Europe/Zurich"), Some("CH"));
        assert_eq!(region_from_time_zone("UTC"), None);
        assert_eq!(region_from_time_zone("Etc/GMT+9"), None);
        assert_eq!(region_from_time_zone(""), None);
    }

    #[test]
    fn region_keys() {
        for k in ["JP", "US-CA", "EU", "EEA", "GB", "FR-75"] {
            assert!(is_region_key(k), "{k}");
        }
        for k in ["jp", "J", "JPN", "US-", "default", "US-CALI", ""] {
            assert!(!is_region_key(k), "{k}");
        }
    }
}
