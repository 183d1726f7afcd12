//! The site's config, validated field by field.
//!
//! [`parse_config`] never fails: each invalid field yields a [`ConfigError`] naming it and falls
//! back to its fail-closed default (opt-in regime, unknown third parties blocked), while the
//! valid fields are kept. [`parse_config_quietly`] applies the same rules without building the
//! messages: the checkpoint runs it at start, the deferred module reports the problems later.

use super::catalog;
use super::category::Category;
use super::regime::{is_region_key, Regime, RegimeRule};
pub use super::signals::{ConsentMode, Signals};
use super::signals::{ADVANCED_CAPABLE, MAX_WAIT_FOR_UPDATE};
use super::value::Value;

/// Text in several languages: `(language, text)` pairs.
pub type Localized = Vec<(String, String)>;

#[derive(Clone, Debug, PartialEq)]
pub struct CategoryText {
    pub category: Category,
    pub label: Localized,
    pub description: Localized,
}

/// A service the site declares (it adds to or overrides the catalog). Listing a catalog
/// entry (`"ga4": {}`) also says the site uses it: the preference center and the 外部送信
/// disclosure list it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceDef {
    pub id: String,
    pub category: Category,
    pub name: Option<String>,
    pub hosts: Vec<String>,
    /// What the 外部送信 disclosure says about it: a catalog entry's own texts where the site
    /// gives none.
    pub disclosure: SiteDisclosure,
    /// A service of the site's own whose disclosure lacks a required field in Japanese: it
    /// matches its hosts, and is never allowed (it stays held whatever the visitor chooses).
    pub refused: bool,
}

/// A site service's 外部送信 disclosure (電気通信事業法 27条の12): config `recipient`, `sent`,
/// `purpose`, `recipientPurpose` (required in Japanese for a service not in the catalog),
/// `country`, `policy` and `optOut`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SiteDisclosure {
    /// The recipient's name, with the service's: 「Acme株式会社（Acme CRM）」.
    pub recipient: Localized,
    /// The information sent, item by item: a catalog vocabulary code (`ip`, `url`, …) as
    /// `[("", code)]`, or the site's own words.
    pub sent: Vec<Localized>,
    /// The site's purpose in sending it.
    pub purpose: Localized,
    /// The recipient's purpose.
    pub recipient_purpose: Localized,
    /// ISO 3166-1 alpha-2 code of the recipient's country.
    pub country: Option<String>,
    pub policy: Option<String>,
    pub opt_out: Option<String>,
}

/// The fields of [`SiteDisclosure`] a service outside the catalog must give in Japanese.
pub const REQUIRED_DISCLOSURE: [&str; 4] = ["recipient", "sent", "purpose", "recipientPurpose"];

/// Whether a text is there in Japanese: a `ja` text, or one given for every language.
pub fn has_japanese(text: &Localized) -> bool {
    text.iter()
        .any(|(lang, t)| (lang.is_empty() || lang == "ja") && !t.trim().is_empty())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownThirdParty {
    Allow,
    Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub revision: u32,
    pub languages: Vec<String>,
    pub default_language: String,
    pub regime: RegimeRule,
    /// Upper-case region hint (`JP`, `US-CA`).
    pub region: Option<String>,
    pub categories: Vec<CategoryText>,
    pub services: Vec<ServiceDef>,
    pub catalog: bool,
    pub unknown_third_party: UnknownThirdParty,
    pub sync_endpoint: Option<String>,
    pub consent_max_age_days: u32,
    pub signals: Signals,
    pub qa: bool,
    /// Reload the page when consent is withdrawn (stops code that is already running).
    pub reload_on_revoke: bool,
    /// The site's 外部送信 disclosure page (an http(s) or relative URL), linked from the UI.
    pub disclosure: Option<String>,
    /// The site's words for the UI, by language: `texts.<lang>.<key>` (the keys are the UI's:
    /// the deferred module names unknown ones).
    pub texts: Vec<(String, Vec<(String, String)>)>,
    /// What a visitor who has not chosen sees first.
    pub presentation: Presentation,
    /// Whether the UI draws its own "privacy settings" control when the page has none.
    pub reopen_control: bool,
    /// SHA-256 (hex, lower case) of the privacy policy in effect: each consent record names it.
    pub policy_sha256: Option<String>,
    /// How many held fire-and-forget requests (beacons, detached pixels, keepalive fetches) a page
    /// keeps, in order, to send once their service is allowed (0: none; they fail as blocked).
    pub beacon_queue: u32,
}

/// Config `presentation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presentation {
    /// A banner (opt-in) or a notice (opt-out) until the visitor chooses.
    Banner,
    /// Publication only (公表): no banner; a "privacy settings" control opens the preferences
    /// and the disclosure. Only for the opt-out regime: in opt-in, nothing is sent until a
    /// choice, so a banner is still shown there.
    Notice,
}

/// The most held fire-and-forget requests a page may keep (config `beaconQueue`).
pub const MAX_BEACON_QUEUE: u32 = 100;

/// The longest a choice may be kept, in days (about 13 months).
pub const MAX_CONSENT_AGE_DAYS: u32 = 395;

impl Default for Config {
    /// The defaults when a site sets nothing: opt-in everywhere, unknown third parties allowed
    /// (docs/contracts.md §1). A field that is present but invalid falls back to its strictest value.
    fn default() -> Config {
        Config {
            revision: 0,
            languages: vec!["ja".into(), "en".into()],
            default_language: "ja".into(),
            regime: RegimeRule::Fixed(Regime::OptIn),
            region: None,
            categories: Vec::new(),
            services: Vec::new(),
            catalog: true,
            unknown_third_party: UnknownThirdParty::Allow,
            sync_endpoint: None,
            consent_max_age_days: 180,
            signals: Signals::default(),
            qa: false,
            reload_on_revoke: false,
            disclosure: None,
            texts: Vec::new(),
            presentation: Presentation::Banner,
            reopen_control: true,
            policy_sha256: None,
            beacon_queue: 20,
        }
    }
}

impl Config {
    pub fn service(&self, id: &str) -> Option<&ServiceDef> {
        self.services.iter().find(|s| s.id == id)
    }

    /// Whether service `id` is one the config refused (see [`ServiceDef::refused`]).
    pub fn refuses(&self, id: &str) -> bool {
        self.services.iter().any(|s| s.refused && s.id == id)
    }
}

/// One problem in the config: `field` is a dotted path (`regime.JP`, `services.youtube.category`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub field: String,
    pub message: String,
}

pub use super::ids::is_valid_id;

/// A dotted path to a config field (`services.youtube.category`), joined only when a message is
/// written: the checkpoint's quiet parse builds no strings for it.
#[derive(Clone, Copy)]
struct Field<'a> {
    parts: [&'a str; 4],
    len: usize,
}

impl<'a> Field<'a> {
    fn root(name: &'a str) -> Field<'a> {
        Field {
            parts: [name, "", "", ""],
            len: 1,
        }
    }

    /// The field `name` inside this one (paths are at most four deep).
    fn child(self, name: &'a str) -> Field<'a> {
        let mut parts = self.parts;
        let len = (self.len + 1).min(parts.len());
        if let Some(slot) = parts.get_mut(len - 1) {
            *slot = name;
        }
        Field { parts, len }
    }

    fn path(&self) -> String {
        self.parts.get(..self.len).unwrap_or(&[]).join(".")
    }
}

/// What a field's problem is.
enum Problem<'a> {
    Says(&'a str),
    /// The value has the wrong JSON type.
    Expected(&'a str, &'a Value),
}

/// Where problems go: messages for the site's developers ([`parse_config`]), or nowhere
/// ([`parse_config_quietly`]: the same fallbacks, no message built).
trait Report {
    fn problem(&mut self, field: Field<'_>, problem: Problem<'_>);

    fn says(&mut self, field: Field<'_>, message: &str) {
        self.problem(field, Problem::Says(message));
    }

    fn expected(&mut self, field: Field<'_>, expected: &str, got: &Value) {
        self.problem(field, Problem::Expected(expected, got));
    }
}

impl Report for Vec<ConfigError> {
    fn problem(&mut self, field: Field<'_>, problem: Problem<'_>) {
        let message = match problem {
            Problem::Says(m) => m.to_string(),
            Problem::Expected(expected, got) => {
                ["expected ", expected, ", got ", got.kind()].concat()
            }
        };
        self.push(ConfigError {
            field: field.path(),
            message,
        });
    }
}

/// Counts problems without describing them.
struct Quiet(usize);

impl Report for Quiet {
    #[inline(always)]
    fn problem(&mut self, _: Field<'_>, _: Problem<'_>) {
        self.0 += 1;
    }
}

/// Validates `value` (the parsed config JSON, or `Null` when the page has none), with a message
/// for each problem.
pub fn parse_config(value: &Value) -> (Config, Vec<ConfigError>) {
    let mut errors = Vec::new();
    let config = parse(value, &mut errors);
    (config, errors)
}

/// The same config as [`parse_config`] gives, and how many problems it has, without the
/// messages: what the checkpoint runs at start (the deferred module reports the problems once the
/// page is parsed).
pub fn parse_config_quietly(value: &Value) -> (Config, usize) {
    let mut quiet = Quiet(0);
    let config = parse(value, &mut quiet);
    (config, quiet.0)
}

/// The config a module reads from the checkpoint's config text (`#sekisho-config`, `None`
/// without one), quietly: as the checkpoint applies it (text that is not JSON gives the
/// defaults, opt-in); the deferred module reports the problems.
pub fn from_text_quietly(text: Option<&str>) -> Config {
    match text.map(super::json::parse) {
        Some(Ok(value)) => parse_config_quietly(&value).0,
        None | Some(Err(_)) => Config::default(),
    }
}

fn parse(value: &Value, errors: &mut impl Report) -> Config {
    let mut config = Config::default();
    let entries = match value {
        Value::Null => return config,
        Value::Object(entries) => entries,
        other => {
            errors.expected(Field::root("config"), "an object", other);
            return config;
        }
    };
    for (key, v) in entries {
        let field = Field::root(key);
        match key.as_str() {
            "revision" => match v {
                Value::Number(n) if n.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(n) => {
                    config.revision = *n as u32
                }
                _ => errors.expected(field, "a whole number ≥ 0", v),
            },
            "languages" => {
                if let Some(langs) = string_list(field, v, errors) {
                    if langs.is_empty() || !langs.iter().all(|l| is_valid_id(l)) {
                        errors.says(
                            field,
                            "expected a non-empty list of language codes like \"ja\"",
                        );
                    } else {
                        config.languages = langs;
                    }
                }
            }
            "defaultLanguage" => match v {
                Value::String(s) if is_valid_id(s) => config.default_language = s.clone(),
                _ => errors.expected(field, "a language code like \"ja\"", v),
            },
            "regime" => {
                if let Some(rule) = regime_rule(v, errors) {
                    config.regime = rule;
                }
            }
            "region" => match v {
                Value::String(s) if is_region_key(&s.to_ascii_uppercase()) => {
                    config.region = Some(s.to_ascii_uppercase())
                }
                Value::Null => {}
                _ => errors.expected(field, "a region code like \"JP\" or \"US-CA\"", v),
            },
            "categories" => config.categories = category_texts(v, errors),
            "services" => config.services = services(v, errors),
            "catalog" | "qa" | "reloadOnRevoke" | "reopenControl" => match v {
                Value::Bool(b) if key == "qa" => config.qa = *b,
                Value::Bool(b) if key == "reopenControl" => config.reopen_control = *b,
                Value::Bool(b) if key == "reloadOnRevoke" => config.reload_on_revoke = *b,
                Value::Bool(b) => config.catalog = *b,
                _ => errors.expected(field, "true or false", v),
            },
            "unknownThirdParty" => match v {
                Value::String(s) if s == "allow" => {
                    config.unknown_third_party = UnknownThirdParty::Allow
                }
                Value::String(s) if s == "block" => {
                    config.unknown_third_party = UnknownThirdParty::Block
                }
                _ => {
                    config.unknown_third_party = UnknownThirdParty::Block;
                    errors.says(field, "expected \"allow\" or \"block\"; using \"block\"");
                }
            },
            "sync" => match v.get("endpoint") {
                Some(Value::String(s)) if !s.is_empty() => config.sync_endpoint = Some(s.clone()),
                _ => errors.says(field.child("endpoint"), "expected a non-empty URL string"),
            },
            "consentMaxAgeDays" => match v {
                Value::Number(n)
                    if n.fract() == 0.0 && (1.0..=MAX_CONSENT_AGE_DAYS as f64).contains(n) =>
                {
                    config.consent_max_age_days = *n as u32
                }
                _ => errors.expected(field, "a whole number of days from 1 to 395", v),
            },
            "beaconQueue" => match v {
                Value::Number(n)
                    if n.fract() == 0.0 && (0.0..=MAX_BEACON_QUEUE as f64).contains(n) =>
                {
                    config.beacon_queue = *n as u32
                }
                _ => errors.expected(field, "a whole number of requests from 0 to 100", v),
            },
            "signals" => signals(v, &mut config.signals, errors),
            "disclosure" => match v {
                Value::String(s) if is_page_url(s) => config.disclosure = Some(s.trim().to_owned()),
                _ => errors.expected(
                    field,
                    "the URL of the disclosure page (https: or relative)",
                    v,
                ),
            },
            "texts" => config.texts = site_texts(v, errors),
            "policySha256" => match v {
                Value::String(s) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    config.policy_sha256 = Some(s.to_ascii_lowercase())
                }
                _ => errors.expected(
                    field,
                    "the SHA-256 of the privacy policy (64 hex digits)",
                    v,
                ),
            },
            "presentation" => match v {
                Value::String(s) if s == "banner" => config.presentation = Presentation::Banner,
                Value::String(s) if s == "notice" => config.presentation = Presentation::Notice,
                _ => errors.says(field, "expected \"banner\" or \"notice\"; using \"banner\""),
            },
            _ => errors.says(field, "unknown field (ignored)"),
        }
    }
    refuse_undisclosed(&mut config, errors);
    if !config.languages.contains(&config.default_language) {
        errors.says(
            Field::root("defaultLanguage"),
            "is not one of `languages`; using the first",
        );
        if let Some(first) = config.languages.first() {
            config.default_language = first.clone();
        }
    }
    config
}

/// A URL a link may lead to: http(s) or relative, never `javascript:`, `data:` or another scheme.
fn is_page_url(s: &str) -> bool {
    let s = s.trim();
    let scheme = s
        .split_once(':')
        .map(|(head, _)| head)
        .filter(|head| !head.contains(['/', '?', '#']));
    !s.is_empty()
        && match scheme {
            None => true,
            Some(head) => head.eq_ignore_ascii_case("https") || head.eq_ignore_ascii_case("http"),
        }
}

// (Not inlined: Liftoff compiles a function the first time it runs, so the parser of a field
// a site does not set is never compiled at start.)
#[inline(never)]
fn string_list(field: Field<'_>, v: &Value, errors: &mut impl Report) -> Option<Vec<String>> {
    let Value::Array(items) = v else {
        errors.expected(field, "an array of strings", v);
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(s) => out.push(s.clone()),
            other => {
                errors.expected(field, "an array of strings", other);
                return None;
            }
        }
    }
    Some(out)
}

#[inline(never)]
fn regime_rule(v: &Value, errors: &mut impl Report) -> Option<RegimeRule> {
    const EXPECTED: &str = "expected \"opt-in\" or \"opt-out\"";
    let field = Field::root("regime");
    match v {
        Value::String(s) if s == "regional" => Some(RegimeRule::regional()),
        Value::String(s) => match Regime::from_id(s) {
            Some(r) => Some(RegimeRule::Fixed(r)),
            None => {
                errors.says(field, "expected \"opt-in\", \"opt-out\" or \"regional\"");
                None
            }
        },
        Value::Object(entries) => {
            let mut rules = Vec::new();
            let mut default = None;
            for (key, rv) in entries {
                let Some(regime) = (match rv {
                    Value::String(s) => Regime::from_id(s),
                    _ => None,
                }) else {
                    // A region whose regime is unreadable gets the strictest one.
                    errors.says(field.child(key), EXPECTED);
                    if key == "default" {
                        default = Some(Regime::OptIn);
                    } else {
                        rules.push((key.to_ascii_uppercase(), Regime::OptIn));
                    }
                    continue;
                };
                if key == "default" {
                    default = Some(regime);
                } else if is_region_key(&key.to_ascii_uppercase()) {
                    rules.push((key.to_ascii_uppercase(), regime));
                } else {
                    errors.says(
                        field.child(key),
                        "is not a region code (\"JP\", \"US-CA\", \"EEA\")",
                    );
                }
            }
            let default = default.unwrap_or_else(|| {
                errors.says(field.child("default"), "missing; using \"opt-in\"");
                Regime::OptIn
            });
            Some(RegimeRule::ByRegion { rules, default })
        }
        other => {
            errors.expected(field, "\"opt-in\", \"opt-out\" or a map of regions", other);
            None
        }
    }
}

#[inline(never)]
fn localized(field: Field<'_>, v: Option<&Value>, errors: &mut impl Report) -> Localized {
    match v {
        None => Vec::new(),
        Some(Value::String(s)) => vec![(String::new(), s.clone())],
        Some(Value::Object(entries)) => entries
            .iter()
            .filter_map(|(lang, text)| match text {
                Value::String(s) => Some((lang.clone(), s.clone())),
                other => {
                    errors.expected(field.child(lang), "a string", other);
                    None
                }
            })
            .collect(),
        Some(other) => {
            errors.expected(field, "a string or {\"ja\": …, \"en\": …}", other);
            Vec::new()
        }
    }
}

#[inline(never)]
fn category_texts(v: &Value, errors: &mut impl Report) -> Vec<CategoryText> {
    let Value::Object(entries) = v else {
        errors.expected(
            Field::root("categories"),
            "an object keyed by category id",
            v,
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, cv) in entries {
        let field = Field::root("categories").child(key);
        let Some(category) = Category::from_id(key) else {
            errors.says(
                field,
                "unknown category (necessary, functional, analytics, ads, sns)",
            );
            continue;
        };
        if !matches!(cv, Value::Object(_)) {
            errors.expected(field, "an object", cv);
            continue;
        }
        out.push(CategoryText {
            category,
            label: localized(field.child("label"), cv.get("label"), errors),
            description: localized(field.child("description"), cv.get("description"), errors),
        });
    }
    out
}

#[inline(never)]
fn services(v: &Value, errors: &mut impl Report) -> Vec<ServiceDef> {
    let Value::Object(entries) = v else {
        errors.expected(Field::root("services"), "an object keyed by service id", v);
        return Vec::new();
    };
    let mut out = Vec::new();
    for (id, sv) in entries {
        let field = Field::root("services").child(id);
        if !is_valid_id(id) {
            errors.says(field, "service ids use a-z, 0-9, '-' and '_' (1–40)");
            continue;
        }
        let Value::Object(fields) = sv else {
            errors.expected(field, "an object", sv);
            continue;
        };
        // A catalog entry keeps its category unless the site gives one.
        let category = match sv.get("category") {
            Some(Value::String(c)) => Category::from_id(c),
            None => catalog::entry(id).map(catalog::Entry::category),
            _ => None,
        };
        let Some(category) = category else {
            // Without a category the service could never be granted by one: skip it (fail closed).
            errors.says(field.child("category"), "expected a category id");
            continue;
        };
        let mut def = ServiceDef {
            id: id.clone(),
            category,
            name: None,
            hosts: Vec::new(),
            disclosure: SiteDisclosure::default(),
            refused: false,
        };
        for (key, v) in fields {
            let f = field.child(key);
            let d = &mut def.disclosure;
            match key.as_str() {
                "category" => {}
                "name" => match v {
                    Value::String(s) if !s.trim().is_empty() => def.name = Some(s.clone()),
                    _ => errors.expected(f, "a non-empty string", v),
                },
                "hosts" => def.hosts = string_list(f, v, errors).unwrap_or_default(),
                "recipient" => d.recipient = localized(f, Some(v), errors),
                "purpose" => d.purpose = localized(f, Some(v), errors),
                "recipientPurpose" => d.recipient_purpose = localized(f, Some(v), errors),
                "sent" => d.sent = sent_items(f, v, errors),
                "country" => match v {
                    Value::String(s)
                        if catalog::country_name(s).is_some() || is_country_code(s) =>
                    {
                        d.country = Some(s.clone())
                    }
                    _ => errors.expected(f, "an ISO 3166-1 country code like \"JP\"", v),
                },
                "policy" | "optOut" => match v {
                    Value::String(s) if is_page_url(s) => {
                        let url = Some(s.trim().to_owned());
                        if key == "policy" {
                            d.policy = url;
                        } else {
                            d.opt_out = url;
                        }
                    }
                    _ => errors.expected(f, "an https: URL", v),
                },
                _ => errors.says(f, "unknown field (ignored)"),
            }
        }
        out.push(def);
    }
    out
}

/// `texts`: `{"<lang>": {"<key>": "text", …}, …}`.
#[inline(never)]
fn site_texts(v: &Value, errors: &mut impl Report) -> Vec<(String, Vec<(String, String)>)> {
    let field = Field::root("texts");
    let Value::Object(langs) = v else {
        errors.expected(field, "an object keyed by language", v);
        return Vec::new();
    };
    let mut out = Vec::new();
    for (lang, texts) in langs {
        let field = field.child(lang);
        let Value::Object(entries) = texts else {
            errors.expected(field, "an object of texts", texts);
            continue;
        };
        let mut list = Vec::new();
        for (key, text) in entries {
            match text {
                Value::String(s) if !s.trim().is_empty() => list.push((key.clone(), s.clone())),
                _ => errors.expected(field.child(key), "a non-empty string", text),
            }
        }
        out.push((lang.clone(), list));
    }
    out
}

/// `sent`: each item a catalog vocabulary code (`"ip"`) or the site's own text.
#[inline(never)]
fn sent_items(field: Field<'_>, v: &Value, errors: &mut impl Report) -> Vec<Localized> {
    let Value::Array(items) = v else {
        errors.expected(field, "an array of items", v);
        return Vec::new();
    };
    items
        .iter()
        .map(|item| localized(field, Some(item), errors))
        .filter(|item| !item.is_empty())
        .collect()
}

fn is_country_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// A service the catalog does not describe must describe itself, in Japanese, for the 外部送信
/// disclosure; one that does not is refused: it matches its hosts and stays held.
#[inline(never)]
fn refuse_undisclosed(config: &mut Config, errors: &mut impl Report) {
    for def in &mut config.services {
        if config.catalog && catalog::entry(&def.id).is_some() {
            continue;
        }
        let d = &def.disclosure;
        let present = [
            has_japanese(&d.recipient),
            !d.sent.is_empty() && d.sent.iter().all(has_japanese),
            has_japanese(&d.purpose),
            has_japanese(&d.recipient_purpose),
        ];
        for (name, present) in REQUIRED_DISCLOSURE.iter().zip(present) {
            if !present {
                def.refused = true;
                errors.says(
                    Field::root("services").child(&def.id).child(name),
                    "missing in Japanese (the 外部送信 disclosure needs it): the service stays held",
                );
            }
        }
    }
}

#[inline(never)]
fn signals(v: &Value, signals: &mut Signals, errors: &mut impl Report) {
    let Value::Object(entries) = v else {
        errors.expected(Field::root("signals"), "an object", v);
        return;
    };
    for (key, sv) in entries {
        let field = Field::root("signals").child(key);
        let slot = match key.as_str() {
            "googleConsentMode" => {
                signals.google_consent_mode = consent_mode(field, sv, errors);
                continue;
            }
            "tcfBridge" if matches!(sv, Value::Object(_)) => {
                signals.tcf_bridge = true;
                signals.tcf_vendors = tcf_vendors(field, sv, errors);
                continue;
            }
            "microsoftUet" => &mut signals.microsoft_uet,
            "clarity" => &mut signals.clarity,
            "tcfBridge" => &mut signals.tcf_bridge,
            _ => {
                errors.says(field, "unknown signal (ignored)");
                continue;
            }
        };
        match sv {
            Value::Bool(b) => *slot = *b,
            other => errors.expected(field, "true or false", other),
        }
    }
}

/// `signals.tcfBridge` as an object: `{"vendors": {"<service id>": <GVL vendor id>}}`.
fn tcf_vendors(field: Field<'_>, v: &Value, errors: &mut impl Report) -> Vec<(String, u16)> {
    let mut out = Vec::new();
    let Value::Object(entries) = v else {
        return out;
    };
    for (key, ov) in entries {
        let f = field.child(key);
        if key != "vendors" {
            errors.says(f, "unknown field (ignored)");
            continue;
        }
        let Value::Object(vendors) = ov else {
            errors.expected(f, "an object of service ids and vendor ids", ov);
            continue;
        };
        for (id, n) in vendors {
            match n {
                Value::Number(n)
                    if is_valid_id(id) && n.fract() == 0.0 && (1.0..=65535.0).contains(n) =>
                {
                    out.push((id.clone(), *n as u16))
                }
                _ => errors.says(
                    f.child(id),
                    "expected a service id and its vendor id in the Global Vendor List (1–65535)",
                ),
            }
        }
    }
    out
}

/// `signals.googleConsentMode`: `true`, `false`, or `{advanced, adsDataRedaction, urlPassthrough,
/// waitForUpdate}`. A wrong field keeps its default (no service in advanced mode: held).
fn consent_mode(field: Field<'_>, v: &Value, errors: &mut impl Report) -> Option<ConsentMode> {
    let mut mode = ConsentMode::default();
    let entries = match v {
        Value::Bool(false) => return None,
        Value::Bool(true) => return Some(mode),
        Value::Object(entries) => entries,
        other => {
            errors.expected(field, "true, false or an object", other);
            return Some(mode);
        }
    };
    for (key, ov) in entries {
        let f = field.child(key);
        match (key.as_str(), ov) {
            ("advanced", _) => {
                let ids = string_list(f, ov, errors).unwrap_or_default();
                if ids.iter().all(|id| ADVANCED_CAPABLE.contains(&id.as_str())) {
                    mode.advanced = ids;
                } else {
                    errors.says(f, "expected Google service ids (google-analytics, google-ads, google-marketing-platform, google-tag-manager); their tags stay held until consent");
                }
            }
            ("adsDataRedaction", Value::Bool(b)) => mode.ads_data_redaction = *b,
            ("urlPassthrough", Value::Bool(b)) => mode.url_passthrough = *b,
            ("adsDataRedaction" | "urlPassthrough", _) => errors.expected(f, "true or false", ov),
            ("waitForUpdate", Value::Number(n))
                if n.fract() == 0.0 && (0.0..=MAX_WAIT_FOR_UPDATE as f64).contains(n) =>
            {
                mode.wait_for_update = *n as u32
            }
            ("waitForUpdate", _) => {
                errors.expected(f, "a whole number of milliseconds from 0 to 10000", ov)
            }
            _ => errors.says(f, "unknown field (ignored)"),
        }
    }
    Some(mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> (Config, Vec<ConfigError>) {
        parse_config(&serde_json::from_str(json).unwrap())
    }

    fn fields(errors: &[ConfigError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn no_config_gives_fail_closed_defaults_without_errors() {
        let (c, e) = parse_config(&Value::Null);
        assert!(e.is_empty());
        assert_eq!(c.regime, RegimeRule::Fixed(Regime::OptIn));
        assert_eq!(c.consent_max_age_days, 180);
        assert_eq!(c, Config::default());
    }

    #[test]
    fn a_site_service_describes_itself_in_japanese_or_is_refused() {
        let (c, e) = parse(
            r#"{"services":{"crm":{"category":"analytics","hosts":["crm.acme.example"],
                "name":"Acme CRM","recipient":{"ja":"Acme株式会社（Acme CRM）","en":"Acme Inc. (Acme CRM)"},
                "sent":["ip",{"ja":"会員ID","en":"member ID"}],"purpose":"会員の行動分析",
                "recipientPurpose":{"ja":"サービスの提供"},"country":"JP",
                "policy":"https://acme.example/privacy","optOut":"https://acme.example/opt-out"}}}"#,
        );
        assert!(e.is_empty(), "{e:?}");
        let crm = c.service("crm").unwrap();
        assert!(!crm.refused);
        assert_eq!(crm.disclosure.sent.len(), 2);
        assert_eq!(crm.disclosure.sent[0], [(String::new(), "ip".to_string())]);
        assert_eq!(crm.disclosure.country.as_deref(), Some("JP"));
        assert_eq!(
            crm.disclosure.opt_out.as_deref(),
            Some("https://acme.example/opt-out")
        );

        // Each missing field is named; an English-only text is missing in Japanese.
        let (c, e) = parse(
            r#"{"services":{"crm":{"category":"analytics","recipient":{"en":"Acme"},
                "sent":[{"en":"member ID"}],"purpose":"x"}}}"#,
        );
        assert_eq!(
            fields(&e),
            [
                "services.crm.recipient",
                "services.crm.sent",
                "services.crm.recipientPurpose"
            ]
        );
        assert!(e[0].message.contains("stays held"), "{}", e[0].message);
        assert!(c.refuses("crm"));

        // A catalog entry needs nothing (its category too comes from the catalog)…
        let (c, e) = parse(r#"{"services":{"google-analytics":{},"youtube":{"category":"sns"}}}"#);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(
            c.service("google-analytics").unwrap().category,
            Category::Analytics
        );
        assert_eq!(c.service("youtube").unwrap().category, Category::Sns);
        // …unless the catalog is off.
        let (c, e) = parse(r#"{"catalog":false,"services":{"google-analytics":{}}}"#);
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(c.refuses("google-analytics"));

        // Bad values name their field and are dropped.
        let (_, e) = parse(
            r#"{"services":{"youtube":{"policy":"javascript:x","country":"Japan","sent":"ip","colour":1}}}"#,
        );
        assert_eq!(
            fields(&e),
            [
                "services.youtube.policy",
                "services.youtube.country",
                "services.youtube.sent",
                "services.youtube.colour"
            ]
        );
    }

    #[test]
    fn the_ui_settings_parse_and_bad_ones_fall_back() {
        let (c, e) = parse(
            r#"{"texts":{"ja":{"title":"Cookieについて"},"en":{"title":"About cookies"}},
            "presentation":"notice","reopenControl":false,"policySha256":"ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789"}"#,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(c.presentation, Presentation::Notice);
        assert!(!c.reopen_control);
        assert_eq!(
            c.policy_sha256.as_deref(),
            Some("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")
        );
        assert_eq!(
            c.texts[1],
            ("en".into(), vec![("title".into(), "About cookies".into())])
        );
        let (c, e) = parse(
            r#"{"texts":{"ja":{"title":1},"en":"x"},"presentation":"popup","reopenControl":"no","policySha256":"abc"}"#,
        );
        assert_eq!(
            fields(&e),
            [
                "texts.ja.title",
                "texts.en",
                "presentation",
                "reopenControl",
                "policySha256"
            ]
        );
        assert_eq!(c.presentation, Presentation::Banner);
        assert!(c.reopen_control);
        assert_eq!(c.texts, [("ja".to_string(), vec![])]);
    }

    #[test]
    fn the_beacon_queue_is_bounded_and_may_be_off() {
        assert_eq!(parse("{}").0.beacon_queue, 20);
        for (json, want) in [("0", 0), ("100", 100), ("7", 7)] {
            let (c, e) = parse(&["{\"beaconQueue\":", json, "}"].concat());
            assert!(e.is_empty(), "{e:?}");
            assert_eq!(c.beacon_queue, want);
        }
        for bad in ["101", "-1", "2.5", "\"20\"", "true"] {
            let (c, e) = parse(&["{\"beaconQueue\":", bad, "}"].concat());
            assert_eq!(fields(&e), ["beaconQueue"], "{bad}");
            assert!(e[0].message.contains("0 to 100"), "{e:?}");
            assert_eq!(c.beacon_queue, 20, "{bad}");
        }
    }

    #[test]
    fn the_disclosure_is_a_page_a_link_may_lead_to() {
        for ok in [
            "https://example.jp/gaibu-soshin",
            "/privacy#external",
            "privacy.html",
            "HTTP://x.jp/a?b=c:d",
        ] {
            let (c, e) = parse(&["{\"disclosure\":\"", ok, "\"}"].concat());
            assert!(e.is_empty(), "{ok}: {e:?}");
            assert_eq!(c.disclosure.as_deref(), Some(ok));
        }
        for bad in [
            "\"javascript:alert(1)\"",
            "\" data:text/html,x\"",
            "\"\"",
            "1",
        ] {
            let (c, e) = parse(&["{\"disclosure\":", bad, "}"].concat());
            assert_eq!(fields(&e), ["disclosure"], "{bad}");
            assert_eq!(c.disclosure, None);
        }
    }

    #[test]
    fn full_config_parses() {
        let (c, e) = parse(
            r#"{"revision":3,"languages":["ja","en"],"defaultLanguage":"en",
            "regime":{"JP":"opt-out","eea":"opt-in","default":"opt-in"},"region":"jp",
            "categories":{"analytics":{"label":{"ja":"分析","en":"Analytics"},"description":"Stats"}},
            "services":{"youtube":{"category":"sns","name":"YouTube","hosts":["youtube.com"],
              "recipient":{"ja":"Google LLC（YouTube）"},"sent":["ip","url"],"purpose":"動画の埋め込み",
              "recipientPurpose":"広告"}},
            "catalog":false,"unknownThirdParty":"block","sync":{"endpoint":"/v1/records"},
            "consentMaxAgeDays":90,"signals":{"clarity":true,"googleConsentMode":false},"qa":true,
            "reloadOnRevoke":true}"#,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(c.revision, 3);
        assert_eq!(c.default_language, "en");
        assert_eq!(
            c.regime,
            RegimeRule::ByRegion {
                rules: vec![("JP".into(), Regime::OptOut), ("EEA".into(), Regime::OptIn)],
                default: Regime::OptIn
            }
        );
        assert_eq!(c.region.as_deref(), Some("JP"));
        assert_eq!(c.categories[0].category, Category::Analytics);
        assert_eq!(c.categories[0].label[0], ("ja".into(), "分析".into()));
        assert_eq!(c.categories[0].description[0].1, "Stats");
        let yt = c.service("youtube").unwrap();
        assert_eq!((yt.category, yt.hosts.len()), (Category::Sns, 1));
        assert!(!c.catalog && c.qa && c.signals.clarity && c.signals.google_consent_mode.is_none());
        assert!(c.reload_on_revoke);
        assert_eq!(c.unknown_third_party, UnknownThirdParty::Block);
        assert_eq!(c.sync_endpoint.as_deref(), Some("/v1/records"));
        assert_eq!(c.consent_max_age_days, 90);
    }

    #[test]
    fn each_bad_field_is_named_and_falls_back_alone() {
        let (c, e) = parse(
            r#"{"revision":"2","regime":"sometimes","consentMaxAgeDays":9999,
            "unknownThirdParty":"maybe","services":{"Bad Id":{"category":"sns"},"x":{"category":"marketing"},"ok":{"category":"ads",
              "recipient":"送信先","sent":["ip"],"purpose":"広告","recipientPurpose":"広告"}},
            "categories":{"marketing":{}},"signals":{"gcm":true},"colour":"red","languages":["ja"]}"#,
        );
        assert_eq!(
            fields(&e),
            [
                "revision",
                "regime",
                "consentMaxAgeDays",
                "unknownThirdParty",
                "services.Bad Id",
                "services.x.category",
                "categories.marketing",
                "signals.gcm",
                "colour"
            ]
        );
        assert!(e[0].message.contains("got a string"), "{}", e[0].message);
        assert_eq!(c.revision, 0);
        assert_eq!(c.regime, RegimeRule::Fixed(Regime::OptIn));
        assert_eq!(c.consent_max_age_days, 180);
        assert_eq!(c.unknown_third_party, UnknownThirdParty::Block);
        assert_eq!(c.services.len(), 1);
        assert_eq!(c.languages, ["ja"]);
    }

    #[test]
    fn consent_mode_options_and_their_problems() {
        let (c, e) = parse(
            r#"{"signals":{"googleConsentMode":{"advanced":["google-analytics","google-ads"],
                "adsDataRedaction":false,"urlPassthrough":true,"waitForUpdate":2000}}}"#,
        );
        assert!(e.is_empty(), "{e:?}");
        let mode = c.signals.google_consent_mode.unwrap();
        assert_eq!(mode.advanced, ["google-analytics", "google-ads"]);
        assert!(!mode.ads_data_redaction && mode.url_passthrough);
        assert_eq!(mode.wait_for_update, 2000);

        let (c, e) = parse(
            r#"{"signals":{"googleConsentMode":{"advanced":["meta-pixel"],"waitForUpdate":-1,
                "urlPassthrough":"yes","mode":"advanced"}}}"#,
        );
        assert_eq!(
            fields(&e),
            [
                "signals.googleConsentMode.advanced",
                "signals.googleConsentMode.waitForUpdate",
                "signals.googleConsentMode.urlPassthrough",
                "signals.googleConsentMode.mode"
            ]
        );
        assert_eq!(c.signals.google_consent_mode, Some(ConsentMode::default()));
    }

    #[test]
    fn a_modules_config_from_text_is_the_checkpoints() {
        assert_eq!(from_text_quietly(None), Config::default());
        assert_eq!(from_text_quietly(Some("{not json")), Config::default());
        let c = from_text_quietly(Some(r#"{"revision":7,"regime":"sometimes"}"#));
        assert_eq!(
            (c.revision, c.regime.clone()),
            (7, RegimeRule::Fixed(Regime::OptIn))
        );
    }

    #[test]
    fn the_regional_regime_preset() {
        let (c, e) = parse(r#"{"regime":"regional"}"#);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(c.regime, RegimeRule::regional());
    }

    #[test]
    fn the_tcf_bridge_takes_vendor_ids() {
        let (c, e) = parse(r#"{"signals":{"tcfBridge":{"vendors":{"criteo":91,"x":0}}}}"#);
        assert_eq!(fields(&e), ["signals.tcfBridge.vendors.x"]);
        assert!(c.signals.tcf_bridge);
        assert_eq!(c.signals.tcf_vendors, [("criteo".to_string(), 91)]);
        let (c, e) = parse(r#"{"signals":{"tcfBridge":true}}"#);
        assert!(e.is_empty() && c.signals.tcf_bridge && c.signals.tcf_vendors.is_empty());
    }

    #[test]
    fn unreadable_region_regimes_are_strictest() {
        let (c, e) = parse(r#"{"regime":{"JP":"whatever","Tokyo":"opt-out"}}"#);
        assert_eq!(fields(&e), ["regime.JP", "regime.Tokyo", "regime.default"]);
        assert_eq!(
            c.regime,
            RegimeRule::ByRegion {
                rules: vec![("JP".into(), Regime::OptIn)],
                default: Regime::OptIn
            }
        );
    }

    #[test]
    fn default_language_must_be_listed() {
        let (c, e) = parse(r#"{"languages":["en","ja"],"defaultLanguage":"fr"}"#);
        assert_eq!(fields(&e), ["defaultLanguage"]);
        assert_eq!(c.default_language, "en");
    }

    #[test]
    fn non_object_config_is_an_error() {
        let (c, e) = parse("[1]");
        assert_eq!(fields(&e), ["config"]);
        assert_eq!(c, Config::default());
    }

    #[test]
    fn the_quiet_parse_gives_the_same_config() {
        for json in [
            "{}",
            r#"{"revision":"2","regime":"sometimes","consentMaxAgeDays":9999,"unknownThirdParty":"maybe"}"#,
            r#"{"regime":{"JP":"whatever","Tokyo":"opt-out"},"services":{"Bad Id":{},"ok":{"category":"ads","hosts":["a.example"]}}}"#,
            r#"{"languages":["en","ja"],"defaultLanguage":"fr","categories":{"ads":{"label":{"ja":1}}}}"#,
            "[1]",
        ] {
            let value = serde_json::from_str(json).unwrap();
            let (full, errors) = parse_config(&value);
            assert_eq!(parse_config_quietly(&value), (full, errors.len()), "{json}");
        }
    }

    #[test]
    fn fields_are_dotted_paths() {
        let (_, e) = parse(r#"{"categories":{"ads":{"label":{"ja":1}}}}"#);
        assert_eq!(fields(&e), ["categories.ads.label.ja"]);
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("meta-pixel") && is_valid_id("ga4") && is_valid_id("a_b"));
        assert!(
            !is_valid_id("") && !is_valid_id("A") && !is_valid_id("a.b") && !is_valid_id("a~b")
        );
        assert!(!is_valid_id(&"a".repeat(41)));
    }
}
