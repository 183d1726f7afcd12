//! The signals vendors read (DESIGN §9; `research/standards.md` §1–2): Google Consent Mode v2,
//! Microsoft UET and Clarity, written as the commands the shell pushes into each vendor's queue
//! (`dataLayer`, `uetq`, `clarity.q`).
//!
//! What each signal says comes from the consent in effect ([`Grants`]): Google's and Microsoft's
//! types follow their own services (`google-ads`, `google-analytics`, `microsoft-uet`,
//! `microsoft-clarity`: the visitor's choice of that service, else its category; GPC denies ads).
//! At start the `default` is what the visitor's regime gives before a choice, followed by an
//! `update` when a choice is stored; every later change is an `update`.

use super::category::Category;
use super::cookie::push_decimal;
use super::json_out::push_string;
use super::regime::{group_members, Regime, RegimeRule};

/// Google services whose tags can load before consent in Consent Mode's "advanced" mode (config
/// `signals.googleConsentMode.advanced`): Google's tags sending cookieless pings while
/// `ad_storage`/`analytics_storage` are denied.
pub const ADVANCED_CAPABLE: [&str; 4] = [
    "google-analytics",
    "google-ads",
    "google-marketing-platform",
    "google-tag-manager",
];

/// Config `signals`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signals {
    /// Google Consent Mode v2; `None` when off.
    pub google_consent_mode: Option<ConsentMode>,
    /// `uetq` consent commands.
    pub microsoft_uet: bool,
    /// `clarity('consentv2', …)`.
    pub clarity: bool,
    /// Read a registered CMP's `__tcfapi` (TCF v2.3) and apply what it says.
    pub tcf_bridge: bool,
    /// Services and their vendor ids in the IAB's Global Vendor List, beyond the ones the
    /// bridge knows (Google's): config `signals.tcfBridge.vendors`.
    pub tcf_vendors: Vec<(String, u16)>,
}

impl Default for Signals {
    fn default() -> Signals {
        Signals {
            google_consent_mode: Some(ConsentMode::default()),
            microsoft_uet: true,
            clarity: false,
            tcf_bridge: false,
            tcf_vendors: Vec::new(),
        }
    }
}

/// Config `signals.googleConsentMode` (`true`, or an object with these fields).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentMode {
    /// Google services (of [`ADVANCED_CAPABLE`]) whose tags load before consent, in consent
    /// mode; the others are held until their category is allowed ("basic" mode).
    pub advanced: Vec<String>,
    /// `gtag('set', 'ads_data_redaction', true)` (default on).
    pub ads_data_redaction: bool,
    /// `gtag('set', 'url_passthrough', true)` (default off: it decorates links).
    pub url_passthrough: bool,
    /// Milliseconds Google's tags wait for an `update` while the visitor has not chosen (0: none).
    pub wait_for_update: u32,
}

impl Default for ConsentMode {
    fn default() -> ConsentMode {
        ConsentMode {
            advanced: Vec::new(),
            ads_data_redaction: true,
            url_passthrough: false,
            wait_for_update: 500,
        }
    }
}

/// The longest `waitForUpdate` a config may set, in milliseconds.
pub const MAX_WAIT_FOR_UPDATE: u32 = 10_000;

impl Signals {
    /// Whether service `id`'s tag loads before consent, in Google's consent mode. The Google tag
    /// (`googletagmanager.com/gtag/js`) loads with any Google service in advanced mode: they
    /// need it.
    pub fn loads_in_consent_mode(&self, id: &str) -> bool {
        self.google_consent_mode.as_ref().is_some_and(|m| {
            m.advanced.iter().any(|a| a == id)
                || (id == "google-tag-manager" && !m.advanced.is_empty())
        })
    }

    /// Whether any queue is written at all.
    pub fn any(&self) -> bool {
        self.google_consent_mode.is_some() || self.microsoft_uet || self.clarity
    }
}

/// What the signals say is granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grants {
    /// Google's `ad_storage`, `ad_user_data`, `ad_personalization`: the `google-ads` service.
    pub google_ads: bool,
    /// Google's `analytics_storage`: the `google-analytics` service.
    pub google_analytics: bool,
    /// Google's `functionality_storage` and `personalization_storage`: the `functional` category.
    pub functional: bool,
    /// UET's `ad_storage`: the `microsoft-uet` service.
    pub microsoft_ads: bool,
    /// Clarity's `analytics_Storage`: the `microsoft-clarity` service.
    pub clarity: bool,
    /// Clarity's `ad_Storage`: the `ads` category.
    pub ads: bool,
}

impl Grants {
    /// From the consent in effect: `service(id, category)` says whether a service is granted
    /// (`category` is its catalog category, for a config that turned the catalog off).
    pub fn new(
        service: impl Fn(&str, Category) -> bool,
        category: impl Fn(Category) -> bool,
    ) -> Grants {
        Grants {
            google_ads: service("google-ads", Category::Ads),
            google_analytics: service("google-analytics", Category::Analytics),
            functional: category(Category::Functional),
            microsoft_ads: service("microsoft-uet", Category::Ads),
            clarity: service("microsoft-clarity", Category::Analytics),
            ads: category(Category::Ads),
        }
    }

    /// Nothing granted: what a region that requires consent starts with.
    pub const NONE: Grants = Grants {
        google_ads: false,
        google_analytics: false,
        functional: false,
        microsoft_ads: false,
        clarity: false,
        ads: false,
    };
}

/// Consent Mode's seven types, each with its value. `security_storage` is always granted.
pub fn consent_types(g: &Grants) -> [(&'static str, bool); 7] {
    [
        ("ad_storage", g.google_ads),
        ("ad_user_data", g.google_ads),
        ("ad_personalization", g.google_ads),
        ("analytics_storage", g.google_analytics),
        ("functionality_storage", g.functional),
        ("personalization_storage", g.functional),
        ("security_storage", true),
    ]
}

fn value(granted: bool) -> &'static str {
    if granted {
        "granted"
    } else {
        "denied"
    }
}

/// The commands for the vendors' queues, as JSON text: `{"gtag":[[…],…],"uetq":[[…]],
/// "clarity":[[…]]}`, each entry the arguments of one call (`gtag(…)`, `uetq.push(…)`,
/// `clarity(…)`).
struct Commands {
    out: String,
    queue_open: bool,
    first_queue: bool,
}

impl Commands {
    fn new() -> Commands {
        Commands {
            out: String::from("{"),
            queue_open: false,
            first_queue: true,
        }
    }

    fn queue(&mut self, name: &str) {
        self.close_queue();
        if !self.first_queue {
            self.out.push(',');
        }
        self.first_queue = false;
        push_string(&mut self.out, name);
        self.out.push_str(":[");
        self.queue_open = true;
    }

    fn close_queue(&mut self) {
        if std::mem::take(&mut self.queue_open) {
            self.out.push(']');
        }
    }

    /// One call: `args` are JSON values already written.
    fn call(&mut self, args: &[&str]) {
        if !self.out.ends_with('[') {
            self.out.push(',');
        }
        self.out.push('[');
        self.out.push_str(&args.join(","));
        self.out.push(']');
    }

    fn finish(mut self) -> Option<String> {
        self.close_queue();
        self.out.push('}');
        (!self.first_queue).then_some(self.out)
    }
}

/// A consent object: `{"ad_storage":"denied",…}` with `extra` fields (already JSON) after them.
fn google_consent(g: &Grants, extra: &[(&str, String)]) -> String {
    let mut out = String::from("{");
    for (i, (key, granted)) in consent_types(g).into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_string(&mut out, key);
        out.push(':');
        push_string(&mut out, value(granted));
    }
    for (key, json) in extra {
        out.push(',');
        push_string(&mut out, key);
        out.push(':');
        out.push_str(json);
    }
    out.push('}');
    out
}

fn string(s: &str) -> String {
    let mut out = String::new();
    push_string(&mut out, s);
    out
}

/// The regions of a regime map whose regime is opt-in, as Consent Mode's `region` names them
/// (ISO 3166: `DE`, `US-CA`; a group by its countries, less those the map names on their own).
pub fn opt_in_regions(rule: &RegimeRule) -> Vec<String> {
    let RegimeRule::ByRegion { rules, .. } = rule else {
        return Vec::new();
    };
    let named_alone = |country: &str| rules.iter().any(|(k, _)| k == country);
    let mut out: Vec<String> = Vec::new();
    let mut add = |region: &str| {
        if !out.iter().any(|r| r == region) {
            out.push(region.to_owned());
        }
    };
    for (key, regime) in rules {
        if *regime != Regime::OptIn {
            continue;
        }
        if group_members(key).next().is_some() {
            group_members(key)
                .filter(|c| !named_alone(c))
                .for_each(&mut add);
        } else {
            add(key);
        }
    }
    out
}

/// What the page's first script pushes: each queue's default (what the visitor's regime gives
/// before a choice, `before_choice`), and an update when a choice is stored (`chosen`).
pub fn at_start(
    signals: &Signals,
    regime: &RegimeRule,
    before_choice: Grants,
    chosen: Option<Grants>,
) -> Option<String> {
    let mut c = Commands::new();
    if let Some(mode) = &signals.google_consent_mode {
        c.queue("gtag");
        let wait = (chosen.is_none() && mode.wait_for_update > 0).then(|| {
            let mut ms = String::new();
            push_decimal(&mut ms, mode.wait_for_update.into());
            ("wait_for_update", ms)
        });
        // Regions that require consent start with everything denied; the rest of the world with
        // what this visitor's regime gives (Google applies the most specific default).
        let regions = opt_in_regions(regime);
        if !regions.is_empty() {
            let list: Vec<String> = regions.iter().map(|r| string(r)).collect();
            let mut extra = vec![("region", ["[", &list.join(","), "]"].concat())];
            extra.extend(wait.clone());
            c.call(&[
                "\"consent\"",
                "\"default\"",
                &google_consent(&Grants::NONE, &extra),
            ]);
        }
        let extra: Vec<_> = wait.into_iter().collect();
        c.call(&[
            "\"consent\"",
            "\"default\"",
            &google_consent(&before_choice, &extra),
        ]);
        if mode.ads_data_redaction {
            c.call(&["\"set\"", "\"ads_data_redaction\"", "true"]);
        }
        if mode.url_passthrough {
            c.call(&["\"set\"", "\"url_passthrough\"", "true"]);
        }
        if let Some(g) = &chosen {
            c.call(&["\"consent\"", "\"update\"", &google_consent(g, &[])]);
        }
    }
    if signals.microsoft_uet {
        c.queue("uetq");
        c.call(&["\"consent\"", "\"default\"", &uet_consent(&before_choice)]);
        if let Some(g) = &chosen {
            c.call(&["\"consent\"", "\"update\"", &uet_consent(g)]);
        }
    }
    if signals.clarity {
        c.queue("clarity");
        c.call(&[
            "\"consentv2\"",
            &clarity_consent(&chosen.unwrap_or(before_choice)),
        ]);
    }
    c.finish()
}

/// What Google's and Microsoft's tags learn when the checkpoint cannot start: nothing granted,
/// no update coming. (`js/bootstrap.js` holds a copy, `DENIED_SIGNALS`, checked by a test.)
pub fn fail_closed() -> String {
    let mut c = Commands::new();
    c.queue("gtag");
    c.call(&[
        "\"consent\"",
        "\"default\"",
        &google_consent(&Grants::NONE, &[]),
    ]);
    c.call(&["\"set\"", "\"ads_data_redaction\"", "true"]);
    c.queue("uetq");
    c.call(&["\"consent\"", "\"default\"", &uet_consent(&Grants::NONE)]);
    c.finish().unwrap_or_default()
}

/// What a change of the consent in effect pushes: an update in each queue.
pub fn on_change(signals: &Signals, now: Grants) -> Option<String> {
    let mut c = Commands::new();
    if signals.google_consent_mode.is_some() {
        c.queue("gtag");
        c.call(&["\"consent\"", "\"update\"", &google_consent(&now, &[])]);
    }
    if signals.microsoft_uet {
        c.queue("uetq");
        c.call(&["\"consent\"", "\"update\"", &uet_consent(&now)]);
    }
    if signals.clarity {
        c.queue("clarity");
        c.call(&["\"consentv2\"", &clarity_consent(&now)]);
    }
    c.finish()
}

fn uet_consent(g: &Grants) -> String {
    ["{\"ad_storage\":\"", value(g.microsoft_ads), "\"}"].concat()
}

fn clarity_consent(g: &Grants) -> String {
    [
        "{\"ad_Storage\":\"",
        value(g.ads),
        "\",\"analytics_Storage\":\"",
        value(g.clarity),
        "\"}",
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    const ALL: Grants = Grants {
        google_ads: true,
        google_analytics: true,
        functional: true,
        microsoft_ads: true,
        clarity: true,
        ads: true,
    };

    fn parse(s: Option<String>) -> Value {
        serde_json::from_str(&s.expect("commands")).unwrap()
    }

    fn denied_but_security() -> Value {
        json!({"ad_storage":"denied","ad_user_data":"denied","ad_personalization":"denied",
               "analytics_storage":"denied","functionality_storage":"denied",
               "personalization_storage":"denied","security_storage":"granted"})
    }

    #[test]
    fn consent_mode_has_the_seven_types_each_granted_or_denied() {
        let types = consent_types(&Grants::NONE);
        let keys: Vec<&str> = types.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            [
                "ad_storage",
                "ad_user_data",
                "ad_personalization",
                "analytics_storage",
                "functionality_storage",
                "personalization_storage",
                "security_storage"
            ]
        );
        let v: Value = serde_json::from_str(&google_consent(&Grants::NONE, &[])).unwrap();
        assert_eq!(v, denied_but_security());
        let v: Value = serde_json::from_str(&google_consent(&ALL, &[])).unwrap();
        assert!(v.as_object().unwrap().values().all(|s| s == "granted"));
    }

    #[test]
    fn an_undecided_visitor_gets_defaults_that_wait_for_the_update() {
        let v = parse(at_start(
            &Signals::default(),
            &RegimeRule::Fixed(Regime::OptIn),
            Grants::NONE,
            None,
        ));
        let mut expected = denied_but_security();
        expected["wait_for_update"] = json!(500);
        assert_eq!(
            v["gtag"],
            json!([
                ["consent", "default", expected],
                ["set", "ads_data_redaction", true]
            ])
        );
        assert_eq!(
            v["uetq"],
            json!([["consent", "default", {"ad_storage": "denied"}]])
        );
        assert!(v.get("clarity").is_none(), "Clarity is off by default");
    }

    #[test]
    fn a_stored_choice_is_an_update_right_after_the_default_without_waiting() {
        let signals = Signals {
            clarity: true,
            ..Signals::default()
        };
        let v = parse(at_start(
            &signals,
            &RegimeRule::Fixed(Regime::OptIn),
            Grants::NONE,
            Some(ALL),
        ));
        let gtag = v["gtag"].as_array().unwrap();
        assert_eq!(gtag[0][2], denied_but_security(), "no wait_for_update");
        assert_eq!(gtag.last().unwrap()[1], "update");
        assert_eq!(gtag.last().unwrap()[2]["ad_user_data"], "granted");
        assert_eq!(
            v["uetq"][1],
            json!(["consent", "update", {"ad_storage": "granted"}])
        );
        assert_eq!(
            v["clarity"],
            json!([["consentv2", {"ad_Storage": "granted", "analytics_Storage": "granted"}]])
        );
    }

    #[test]
    fn regions_that_require_consent_get_their_own_denied_default_first() {
        let rule = RegimeRule::ByRegion {
            rules: vec![
                ("EEA".into(), Regime::OptIn),
                ("GB".into(), Regime::OptIn),
                ("CH".into(), Regime::OptIn),
                ("NO".into(), Regime::OptOut),
                ("US-CA".into(), Regime::OptIn),
                ("JP".into(), Regime::OptOut),
            ],
            default: Regime::OptOut,
        };
        let regions = opt_in_regions(&rule);
        assert_eq!(regions.len(), 27 + 2 + 1 + 2, "{regions:?}");
        for r in ["DE", "IS", "LI", "GB", "CH", "US-CA"] {
            assert!(regions.iter().any(|x| x == r), "{r}");
        }
        assert!(!regions.iter().any(|x| x == "NO" || x == "JP"));
        // This visitor is in Japan (opt-out): everything granted until refused.
        let v = parse(at_start(&Signals::default(), &rule, ALL, None));
        let defaults: Vec<&Value> = v["gtag"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c[1] == "default")
            .collect();
        assert_eq!(defaults.len(), 2);
        assert_eq!(
            defaults[0][2]["region"].as_array().unwrap().len(),
            regions.len()
        );
        assert_eq!(defaults[0][2]["ad_storage"], "denied");
        assert!(defaults[1][2].get("region").is_none());
        assert_eq!(defaults[1][2]["analytics_storage"], "granted");
    }

    #[test]
    fn options_redaction_passthrough_and_wait() {
        let signals = Signals {
            google_consent_mode: Some(ConsentMode {
                ads_data_redaction: false,
                url_passthrough: true,
                wait_for_update: 0,
                advanced: Vec::new(),
            }),
            microsoft_uet: false,
            clarity: false,
            tcf_bridge: false,
            tcf_vendors: Vec::new(),
        };
        let v = parse(at_start(
            &signals,
            &RegimeRule::Fixed(Regime::OptIn),
            Grants::NONE,
            None,
        ));
        assert_eq!(
            v,
            json!({"gtag": [["consent", "default", denied_but_security()],
                            ["set", "url_passthrough", true]]})
        );
    }

    #[test]
    fn every_change_is_an_update_in_each_queue() {
        let signals = Signals {
            clarity: true,
            ..Signals::default()
        };
        let g = Grants {
            google_analytics: true,
            ..Grants::NONE
        };
        let v = parse(on_change(&signals, g));
        assert_eq!(v["gtag"][0][1], "update");
        assert_eq!(v["gtag"][0][2]["analytics_storage"], "granted");
        assert_eq!(v["gtag"][0][2]["ad_storage"], "denied");
        assert_eq!(
            v["uetq"],
            json!([["consent", "update", {"ad_storage": "denied"}]])
        );
        assert_eq!(
            v["clarity"],
            json!([["consentv2", {"ad_Storage": "denied", "analytics_Storage": "denied"}]])
        );
    }

    #[test]
    fn no_signal_configured_writes_nothing() {
        let off = Signals {
            google_consent_mode: None,
            microsoft_uet: false,
            clarity: false,
            tcf_bridge: false,
            tcf_vendors: Vec::new(),
        };
        assert!(!off.any());
        assert_eq!(
            at_start(&off, &RegimeRule::Fixed(Regime::OptIn), ALL, None),
            None
        );
        assert_eq!(on_change(&off, ALL), None);
    }

    #[test]
    fn the_bootstrap_fails_closed_with_the_same_denied_default() {
        let bootstrap = include_str!("../../js/bootstrap.js");
        let copy = bootstrap
            .split("var DENIED_SIGNALS = '")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("js/bootstrap.js defines DENIED_SIGNALS");
        assert_eq!(copy, fail_closed());
    }

    #[test]
    fn advanced_mode_takes_the_google_tag_with_it() {
        let mut signals = Signals::default();
        assert!(!signals.loads_in_consent_mode("google-tag-manager"));
        signals.google_consent_mode.as_mut().unwrap().advanced = vec!["google-analytics".into()];
        assert!(signals.loads_in_consent_mode("google-analytics"));
        assert!(signals.loads_in_consent_mode("google-tag-manager"));
        assert!(!signals.loads_in_consent_mode("google-ads"));
        assert!(!signals.loads_in_consent_mode("meta-pixel"));
    }

    #[test]
    fn grants_follow_each_vendors_own_service() {
        let g = Grants::new(
            |id, category| id == "google-analytics" || category == Category::Ads,
            |c| c == Category::Functional,
        );
        assert!(g.google_analytics && g.google_ads && g.microsoft_ads && g.functional);
        assert!(!g.clarity && !g.ads);
    }
}
