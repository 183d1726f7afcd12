//! Consent state: what the visitor chose, what is in effect, and how a decision changes it.

use super::category::{Category, CategorySet};
use super::config::is_valid_id;
use super::cookie::{self, CookieError};
use super::regime::Regime;
use super::requirement::Requirement;
use super::value::Value;

/// A decision as stored in the `sekisho` cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredChoice {
    pub consent_id: String,
    /// The config revision the visitor decided under.
    pub revision: u32,
    /// Categories the visitor granted (before GPC is applied).
    pub granted: CategorySet,
    /// Unix seconds.
    pub decided_at: u64,
    /// Per-service overrides of the category, in the order they were set.
    pub services: Vec<(String, bool)>,
}

/// What reading the stored value found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadOutcome {
    /// Nothing stored: first visit.
    NoChoice,
    /// A valid choice for the current revision.
    Restored(StoredChoice),
    /// Stored but unreadable: undecided, and the value must be cleared.
    Corrupt(CookieError),
    /// The policy changed since the choice: ask again (keeping the browser's consent id).
    RevisionChanged(StoredChoice),
    /// The choice is older than `consentMaxAgeDays`: ask again.
    Expired(StoredChoice),
}

impl LoadOutcome {
    /// Reads a stored cookie value against the current config.
    pub fn read(stored: Option<&str>, revision: u32, max_age_days: u32, now_secs: u64) -> Self {
        let Some(value) = stored else {
            return LoadOutcome::NoChoice;
        };
        match cookie::decode(value, now_secs) {
            Err(e) => LoadOutcome::Corrupt(e),
            Ok(c) if c.revision != revision => LoadOutcome::RevisionChanged(c),
            Ok(c) if c.decided_at + u64::from(max_age_days) * 86_400 <= now_secs => {
                LoadOutcome::Expired(c)
            }
            Ok(c) => LoadOutcome::Restored(c),
        }
    }

    /// Why the visitor is asked again, if a choice was stored but cannot be used.
    pub fn reask_reason(&self) -> Option<&'static str> {
        match self {
            LoadOutcome::Corrupt(e) => Some(e.describe()),
            LoadOutcome::RevisionChanged(_) => Some("the policy revision changed"),
            LoadOutcome::Expired(_) => Some("the choice expired"),
            LoadOutcome::NoChoice | LoadOutcome::Restored(_) => None,
        }
    }
}

/// A visitor's decision through the API or UI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    AcceptAll,
    RejectAll,
    /// Only the named categories and services change; the rest keep the value in effect.
    Set(Choice),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Choice {
    pub categories: Vec<(Category, bool)>,
    pub services: Vec<(String, bool)>,
}

impl Choice {
    /// Reads `set()`'s argument: `{analytics: true, services: {youtube: false}}`.
    pub fn from_value(v: &Value) -> Result<Choice, String> {
        let Value::Object(entries) = v else {
            return Err(["set(): expected an object, got ", v.kind()].concat());
        };
        let mut choice = Choice::default();
        for (key, value) in entries {
            if key == "services" {
                let Value::Object(services) = value else {
                    return Err("set(): `services` must be an object of booleans".into());
                };
                for (id, granted) in services {
                    match granted {
                        Value::Bool(g) if is_valid_id(id) => choice.services.push((id.clone(), *g)),
                        _ => return Err(["set(): bad value for service `", id, "`"].concat()),
                    }
                }
                continue;
            }
            let (Some(category), Value::Bool(granted)) = (Category::from_id(key), value) else {
                return Err(["set(): `", key, "` is not a category with a boolean"].concat());
            };
            if category == Category::Necessary && !granted {
                return Err("set(): `necessary` cannot be refused".into());
            }
            choice.categories.push((category, *granted));
        }
        Ok(choice)
    }
}

/// The consent in effect on this page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentState {
    pub regime: Regime,
    pub region: Option<String>,
    /// `navigator.globalPrivacyControl`: an opt-out of `ads` in every regime.
    pub gpc: bool,
    /// The visitor's valid choice, if any.
    pub choice: Option<StoredChoice>,
    /// The browser's consent id, kept across re-asks (set whenever one was ever stored).
    pub consent_id: Option<String>,
}

impl ConsentState {
    pub fn new(regime: Regime, region: Option<String>, gpc: bool, loaded: &LoadOutcome) -> Self {
        let (choice, consent_id) = match loaded {
            LoadOutcome::Restored(c) => (Some(c.clone()), Some(c.consent_id.clone())),
            LoadOutcome::RevisionChanged(c) | LoadOutcome::Expired(c) => {
                (None, Some(c.consent_id.clone()))
            }
            LoadOutcome::NoChoice | LoadOutcome::Corrupt(_) => (None, None),
        };
        ConsentState {
            regime,
            region,
            gpc,
            choice,
            consent_id,
        }
    }

    pub fn decided(&self) -> bool {
        self.choice.is_some()
    }

    /// The visitor's categories, or the regime's defaults before a choice (GPC not applied).
    pub fn chosen(&self) -> CategorySet {
        match (&self.choice, self.regime) {
            (Some(c), _) => c.granted,
            (None, Regime::OptIn) => CategorySet::NECESSARY,
            // Opt-out: allowed until refused, except SNS linkage, which is always opt-in (APPI 31).
            (None, Regime::OptOut) => CategorySet::ALL.with(Category::Sns, false),
        }
    }

    /// The categories in effect: GPC removes `ads` whatever was chosen.
    pub fn effective(&self) -> CategorySet {
        self.chosen().with(
            Category::Ads,
            !self.gpc && self.chosen().contains(Category::Ads),
        )
    }

    pub fn granted(&self, category: Category) -> bool {
        self.effective().contains(category)
    }

    /// The visitor's own choice for service `id`, if they made one.
    pub fn service_override(&self, id: &str) -> Option<bool> {
        self.choice
            .as_ref()
            .and_then(|c| c.services.iter().find(|(s, _)| s == id))
            .map(|(_, g)| *g)
    }

    /// A service's own override, else its category. GPC denies ad services even when overridden.
    pub fn service_granted(&self, id: &str, category: Option<Category>) -> bool {
        let overridden = self.service_override(id);
        let blocked_by_gpc = self.gpc && category == Some(Category::Ads);
        match (overridden, category) {
            (Some(g), _) => g && !blocked_by_gpc,
            (None, Some(c)) => self.granted(c),
            (None, None) => false,
        }
    }

    /// Whether a `data-consent` requirement is met; `category_of` names a service's category.
    pub fn allows(
        &self,
        requirement: &Requirement,
        category_of: impl Fn(&str) -> Option<Category>,
    ) -> bool {
        match requirement {
            Requirement::Category(c) => self.granted(*c),
            Requirement::Service(id) => self.service_granted(id, category_of(id)),
        }
    }

    /// Whether moving from `self` to `next` withdraws anything that was allowed: a category, or a
    /// service that had its own grant (also when the grant is cleared and its category is
    /// denied). `category_of` names a service's category.
    pub fn revokes(
        &self,
        next: &ConsentState,
        category_of: impl Fn(&str) -> Option<Category>,
    ) -> bool {
        let lost = self.effective().bits() & !next.effective().bits();
        let mut overridden = self.choice.iter().flat_map(|c| c.services.iter());
        lost != 0
            || overridden.any(|(id, _)| {
                let category = category_of(id);
                self.service_granted(id, category) && !next.service_granted(id, category)
            })
    }

    /// The choice a decision produces. `new_id` is called only if this browser has no id yet.
    pub fn decide(
        &self,
        decision: &Decision,
        revision: u32,
        now_secs: u64,
        new_id: impl FnOnce() -> String,
    ) -> StoredChoice {
        let consent_id = self.consent_id.clone().unwrap_or_else(new_id);
        let (granted, services) = match decision {
            Decision::AcceptAll => (CategorySet::ALL, Vec::new()),
            Decision::RejectAll => (CategorySet::NECESSARY, Vec::new()),
            Decision::Set(choice) => {
                let granted = choice
                    .categories
                    .iter()
                    .fold(self.chosen(), |set, (c, g)| set.with(*c, *g));
                let mut services = self
                    .choice
                    .as_ref()
                    .map(|c| c.services.clone())
                    .unwrap_or_default();
                for (id, g) in &choice.services {
                    match services.iter_mut().find(|(s, _)| s == id) {
                        Some(slot) => slot.1 = *g,
                        None => services.push((id.clone(), *g)),
                    }
                }
                (granted, services)
            }
        };
        StoredChoice {
            consent_id,
            revision,
            granted,
            decided_at: now_secs,
            services,
        }
    }
}

/// A UUID v4 string from 16 random bytes.
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(hex_digit(b >> 4));
        out.push(hex_digit(b & 15));
    }
    out
}

/// The lower-case hex digit of a nibble.
pub fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble & 15), 16).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::cookie::encode;

    const NOW: u64 = 1_790_000_000;
    const DAY: u64 = 86_400;

    fn stored(bits: u8, revision: u32, age_secs: u64) -> StoredChoice {
        StoredChoice {
            consent_id: "id-1".into(),
            revision,
            granted: CategorySet::from_bits(bits).unwrap(),
            decided_at: NOW - age_secs,
            services: Vec::new(),
        }
    }

    fn state(regime: Regime, gpc: bool, choice: Option<StoredChoice>) -> ConsentState {
        let loaded = choice.map_or(LoadOutcome::NoChoice, LoadOutcome::Restored);
        ConsentState::new(regime, None, gpc, &loaded)
    }

    #[test]
    fn load_outcomes() {
        let read = |v: Option<&str>| LoadOutcome::read(v, 2, 180, NOW);
        assert_eq!(read(None), LoadOutcome::NoChoice);
        let fresh = stored(5, 2, DAY);
        assert_eq!(
            read(Some(&encode(&fresh))),
            LoadOutcome::Restored(fresh.clone())
        );
        let old_rev = stored(5, 1, DAY);
        assert_eq!(
            read(Some(&encode(&old_rev))),
            LoadOutcome::RevisionChanged(old_rev)
        );
        let expired = stored(5, 2, 180 * DAY);
        assert_eq!(read(Some(&encode(&expired))), LoadOutcome::Expired(expired));
        assert!(read(Some(&encode(&stored(5, 2, 180 * DAY - 1))))
            .reask_reason()
            .is_none());
        assert_eq!(
            read(Some("1.x.2.33.1")),
            LoadOutcome::Corrupt(CookieError::Bits)
        );
        assert!(read(Some("junk")).reask_reason().is_some());
    }

    #[test]
    fn reask_keeps_the_consent_id_but_corruption_does_not() {
        let s = ConsentState::new(
            Regime::OptIn,
            None,
            false,
            &LoadOutcome::RevisionChanged(stored(31, 1, 0)),
        );
        assert!(!s.decided());
        assert_eq!(s.effective(), CategorySet::NECESSARY);
        assert_eq!(s.consent_id.as_deref(), Some("id-1"));
        let s = ConsentState::new(
            Regime::OptIn,
            None,
            false,
            &LoadOutcome::Corrupt(CookieError::Bits),
        );
        assert_eq!(s.consent_id, None);
        assert_eq!(s.effective(), CategorySet::NECESSARY);
    }

    #[test]
    fn regime_defaults_before_a_choice() {
        let opt_in = state(Regime::OptIn, false, None);
        assert_eq!(opt_in.effective(), CategorySet::NECESSARY);
        let opt_out = state(Regime::OptOut, false, None);
        assert!(opt_out.granted(Category::Analytics) && opt_out.granted(Category::Ads));
        assert!(opt_out.granted(Category::Functional));
        assert!(
            !opt_out.granted(Category::Sns),
            "SNS linkage is always opt-in"
        );
    }

    #[test]
    fn gpc_opts_out_of_ads_in_every_regime_even_over_a_stored_accept() {
        for s in [
            state(Regime::OptOut, true, None),
            state(Regime::OptIn, true, Some(stored(31, 0, 0))),
        ] {
            assert!(!s.granted(Category::Ads));
            assert!(s.granted(Category::Analytics));
            assert!(s.chosen().contains(Category::Ads) || !s.decided());
        }
    }

    #[test]
    fn services_follow_overrides_then_category() {
        let mut c = stored(0b10101, 0, 0); // necessary, analytics, sns
        c.services = vec![("youtube".into(), false), ("pixel".into(), true)];
        let s = state(Regime::OptIn, false, Some(c.clone()));
        assert!(!s.service_granted("youtube", Some(Category::Sns)));
        assert!(s.service_granted("pixel", Some(Category::Ads)));
        assert!(s.service_granted("ga4", Some(Category::Analytics)));
        assert!(!s.service_granted("unknown", None));
        let gpc = state(Regime::OptIn, true, Some(c));
        assert!(!gpc.service_granted("pixel", Some(Category::Ads)));
        let cat = |id: &str| (id == "x").then_some(Category::Sns);
        assert!(s.allows(&Requirement::Service("x".into()), cat));
        assert!(!s.allows(&Requirement::Category(Category::Ads), cat));
    }

    #[test]
    fn decisions() {
        let undecided = state(Regime::OptIn, false, None);
        let id = || "new-id".to_string();
        let all = undecided.decide(&Decision::AcceptAll, 3, NOW, id);
        assert_eq!(
            (all.granted, all.revision, all.decided_at),
            (CategorySet::ALL, 3, NOW)
        );
        assert_eq!(all.consent_id, "new-id");
        let none = undecided.decide(&Decision::RejectAll, 3, NOW, id);
        assert_eq!(none.granted, CategorySet::NECESSARY);

        let partial = Choice {
            categories: vec![(Category::Analytics, true)],
            services: vec![("youtube".into(), true)],
        };
        let c = undecided.decide(&Decision::Set(partial), 3, NOW, id);
        assert_eq!(c.granted.bits(), 0b101);
        assert_eq!(c.services, [("youtube".to_string(), true)]);

        // Unspecified categories keep the value in effect; service overrides merge.
        let decided = state(Regime::OptIn, false, Some(c));
        let more = Choice {
            categories: vec![(Category::Ads, true)],
            services: vec![("youtube".into(), false), ("line".into(), true)],
        };
        let c2 = decided.decide(&Decision::Set(more), 3, NOW, || unreachable!());
        assert_eq!(c2.granted.bits(), 0b1101);
        assert_eq!(c2.consent_id, "new-id");
        assert_eq!(
            c2.services,
            [("youtube".to_string(), false), ("line".to_string(), true)]
        );
        // Accept/reject all clear overrides.
        let s2 = state(Regime::OptIn, false, Some(c2));
        assert!(s2
            .decide(&Decision::RejectAll, 3, NOW, id)
            .services
            .is_empty());
        // In opt-out, a partial set starts from the regime defaults.
        let out = state(Regime::OptOut, false, None);
        let only_ads_off = Choice {
            categories: vec![(Category::Ads, false)],
            services: vec![],
        };
        assert_eq!(
            out.decide(&Decision::Set(only_ads_off), 0, NOW, id)
                .granted
                .bits(),
            0b00111
        );
    }

    #[test]
    fn revocation_is_a_lost_category_or_override() {
        let sns = |_: &str| Some(Category::Sns);
        let mut granted_yt = stored(0b10101, 0, 0);
        granted_yt.services = vec![("youtube".into(), true)];
        let all = state(Regime::OptIn, false, Some(granted_yt.clone()));
        let fewer = state(Regime::OptIn, false, Some(stored(0b00101, 0, 0)));
        assert!(all.revokes(&fewer, sns));
        assert!(!fewer.revokes(&all, sns));
        let mut yt_off = granted_yt.clone();
        yt_off.services = vec![("youtube".into(), false)];
        assert!(all.revokes(&state(Regime::OptIn, false, Some(yt_off)), sns));
        let undecided_opt_out = state(Regime::OptOut, false, None);
        assert!(
            undecided_opt_out.revokes(&state(Regime::OptOut, false, Some(stored(1, 0, 0))), sns)
        );

        // A service granted only by its own override, with its category denied.
        let mut yt_only = stored(0b00101, 0, 0);
        yt_only.services = vec![("youtube".into(), true)];
        let yt_only = state(Regime::OptIn, false, Some(yt_only));
        let analytics_only = state(Regime::OptIn, false, Some(stored(0b00101, 0, 0)));
        assert!(
            yt_only.revokes(&analytics_only, sns),
            "override cleared, sns denied"
        );
        let everything = state(Regime::OptIn, false, Some(stored(0b11111, 0, 0)));
        assert!(
            !yt_only.revokes(&everything, sns),
            "override cleared, sns granted"
        );
    }

    #[test]
    fn choice_from_value() {
        let v: Value =
            serde_json::from_str(r#"{"analytics":true,"ads":false,"services":{"youtube":true}}"#)
                .unwrap();
        let c = Choice::from_value(&v).unwrap();
        assert_eq!(
            c.categories,
            [(Category::Analytics, true), (Category::Ads, false)]
        );
        assert_eq!(c.services, [("youtube".to_string(), true)]);
        for bad in [
            r#"{"marketing":true}"#,
            r#"{"analytics":"yes"}"#,
            r#"{"necessary":false}"#,
            r#"{"services":{"YouTube":true}}"#,
            r#"{"services":[]}"#,
            "true",
        ] {
            let v: Value = serde_json::from_str(bad).unwrap();
            assert!(Choice::from_value(&v).is_err(), "{bad}");
        }
    }

    #[test]
    fn uuid_v4_format() {
        let u = uuid_v4([0xff; 16]);
        assert_eq!(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert!(crate::core::cookie::is_valid_consent_id(&u));
    }
}
