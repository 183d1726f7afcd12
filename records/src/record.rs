//! Consent records (docs/contracts.md §6): a visitor's decision, as the bootstrap hands it over
//! (the state before and after, how it was made), made into the record `sekisho-server` stores.
//! Pure: the shell (`web::sync`) queues and sends the JSON text this returns.

use std::collections::BTreeMap;

use serde::Serialize;

use sekisho::core::config::Config;
use sekisho::core::json;
use sekisho::core::signals::{consent_types, Grants};
use sekisho::core::value::Value;

use sekisho_deferred::ui::{services_in_use_ids, Lang, CATEGORIES};

/// The record schema.
pub const SCHEMA: &str = "sekisho-record/1";

/// A decision, as the bootstrap hands it over (`window.sekisho` state before and after). Read
/// with the core's JSON parser (already in the module: serde_json's reader would add ≈100 KB of
/// Wasm); the record is written with serde.
#[derive(Debug)]
pub struct Decision {
    /// `acceptAll`, `rejectAll` or `set`.
    pub op: String,
    /// `banner`, `preferences`, `placeholder`, `api` or `signal`.
    pub method: String,
    pub before: Option<State>,
    pub after: State,
    /// Unix ms, the browser's clock.
    pub at: f64,
    /// The member's subject token (`identify`), if the page gave one.
    pub subject: Option<String>,
    /// What the page load decided is recorded once: the localStorage key that says it was.
    pub note: Option<String>,
    /// SHA-256 (hex) of the UI module the page showed (the build writes it), if it showed one.
    pub ui: Option<String>,
}

/// What a record needs of `window.sekisho.get()`.
#[derive(Debug)]
pub struct State {
    pub decided: bool,
    pub categories: BTreeMap<String, bool>,
    pub services: BTreeMap<String, bool>,
    pub revision: u32,
    pub consent_id: Option<String>,
    pub gpc: bool,
    pub regime: String,
    pub region: Option<String>,
}

impl Decision {
    /// Reads the bootstrap's JSON; `None` for anything else.
    pub fn parse(text: &str) -> Option<Decision> {
        let v = json::parse(text).ok()?;
        let text_of = |v: &Value, key: &str| match v.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        Some(Decision {
            op: text_of(&v, "op")?,
            method: text_of(&v, "method")?,
            before: v.get("before").and_then(State::read),
            after: State::read(v.get("after")?)?,
            at: match v.get("at") {
                Some(Value::Number(n)) => *n,
                _ => 0.0,
            },
            subject: text_of(&v, "subject"),
            note: text_of(&v, "note"),
            ui: text_of(&v, "ui").filter(|h| h.len() == 64),
        })
    }
}

impl State {
    fn read(v: &Value) -> Option<State> {
        let flags = |key: &str| -> BTreeMap<String, bool> {
            v.get(key)
                .into_iter()
                .flat_map(Value::bool_entries)
                .map(|(k, on)| (k.to_owned(), on))
                .collect()
        };
        let text = |key: &str| match v.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        Some(State {
            decided: matches!(v.get("decided"), Some(Value::Bool(true))),
            categories: flags("categories"),
            services: flags("services"),
            revision: match v.get("revision") {
                Some(Value::Number(n)) if *n >= 0.0 => *n as u32,
                _ => 0,
            },
            consent_id: text("consentId"),
            gpc: matches!(v.get("gpc"), Some(Value::Bool(true))),
            regime: text("regime")?,
            region: text("region"),
        })
    }

    fn granted(&self, category: &str) -> bool {
        self.categories.get(category).copied().unwrap_or(false)
    }

    /// A service's own choice, else its category's.
    fn service_granted(&self, id: &str, category: &str) -> bool {
        self.services
            .get(id)
            .copied()
            .unwrap_or_else(|| self.granted(category))
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    schema: &'static str,
    record_id: &'a str,
    consent_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    site: &'a str,
    revision: u32,
    event: &'static str,
    method: &'a str,
    choices: Choices<'a>,
    recipients: Vec<String>,
    signals: Signals,
    regime: &'a str,
    region: Option<&'a str>,
    lang: &'static str,
    client_time: u64,
    sdk_version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ui_sha256: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_sha256: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct Choices<'a> {
    categories: BTreeMap<&'static str, bool>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    services: &'a BTreeMap<String, bool>,
}

#[derive(Debug, Serialize)]
struct Signals {
    gpc: bool,
    /// What Google Consent Mode was told (`core::signals`), when the config sends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    gcm: Option<ConsentMode>,
}

/// Consent Mode's seven types and whether each was granted, written `{"ad_storage": "denied", …}`.
#[derive(Debug)]
struct ConsentMode([(&'static str, bool); 7]);

impl ConsentMode {
    /// The values the decision's state gives, as the checkpoint pushed them.
    fn of(after: &State) -> ConsentMode {
        ConsentMode(consent_types(&Grants::new(
            |id, category| after.service_granted(id, category.id()),
            |category| after.granted(category.id()),
        )))
    }
}

impl Serialize for ConsentMode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, granted) in self.0 {
            map.serialize_entry(key, if granted { "granted" } else { "denied" })?;
        }
        map.end()
    }
}

/// What a decision was: `grant` (accept all), `reject` (a first refusal), `withdraw` (anything
/// allowed before is not now), `always_allow` (an embed's button), `adopt` / `link` (a
/// member's choice from another device, or their identity, `identify`), else `save`.
pub fn event(d: &Decision) -> &'static str {
    let withdraws = d.before.as_ref().is_some_and(|before| {
        before.decided
            && (CATEGORIES
                .iter()
                .any(|c| before.granted(c) && !d.after.granted(c))
                || before
                    .services
                    .iter()
                    .any(|(id, on)| *on && d.after.services.get(id) == Some(&false)))
    });
    match d.op.as_str() {
        "acceptAll" => "grant",
        // A member's choice from another device, put in effect here (`identify`).
        "adopt" => "adopt",
        // What the page load decided: the stored choice lapsed; GPC withdrew the ads it granted.
        "expire" => "expire",
        "gpc_opt_out" => "gpc_opt_out",
        // A member's identity linked to the choice in effect (`identify`), nothing changed.
        "link" => "link",
        _ if withdraws => "withdraw",
        "rejectAll" => "reject",
        _ if d.method == "placeholder" => "always_allow",
        _ => "save",
    }
}

/// Where the record is made: the site, the language, the SDK.
pub struct Context<'a> {
    pub config: &'a Config,
    /// The services the checkpoint met on the page (`audit()`).
    pub met: &'a [String],
    /// `location.origin`.
    pub site: &'a str,
    pub lang: Lang,
    pub sdk_version: &'a str,
}

/// The record of decision `d` as JSON text, `None` when it cannot be one (no consent id).
pub fn record(d: &Decision, record_id: &str, cx: &Context<'_>) -> Option<String> {
    let consent_id = d.after.consent_id.as_deref()?;
    let mut categories = BTreeMap::new();
    for c in CATEGORIES {
        categories.insert(c, c == "necessary" || d.after.granted(c));
    }
    // The recipients the choice covers: the services in use it allows.
    let recipients = services_in_use_ids(cx.config, cx.met.iter().map(String::as_str))
        .into_iter()
        .filter(|(id, category, refused)| !refused && d.after.service_granted(id, category.id()))
        .map(|(id, _, _)| id)
        .collect();
    let record = Record {
        schema: SCHEMA,
        record_id,
        consent_id,
        subject: d.subject.as_deref(),
        site: cx.site,
        revision: d.after.revision,
        event: event(d),
        method: &d.method,
        choices: Choices {
            categories,
            services: &d.after.services,
        },
        recipients,
        signals: Signals {
            gpc: d.after.gpc,
            gcm: cx
                .config
                .signals
                .google_consent_mode
                .is_some()
                .then(|| ConsentMode::of(&d.after)),
        },
        regime: &d.after.regime,
        region: d.after.region.as_deref(),
        lang: cx.lang.tag(),
        client_time: d.at.max(0.0) as u64,
        sdk_version: cx.sdk_version,
        ui_sha256: d.ui.as_deref(),
        policy_sha256: cx.config.policy_sha256.as_deref(),
    };
    serde_json::to_string(&record).ok()
}

/// A UUID (version 4) from 16 random bytes.
pub fn uuid(bytes: [u8; 16]) -> String {
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.into_iter().enumerate() {
        let b = match i {
            6 => (b & 0x0f) | 0x40, // version 4
            8 => (b & 0x3f) | 0x80, // the RFC 4122 variant
            _ => b,
        };
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        for nibble in [b >> 4, b & 15] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sekisho::core::config::parse_config;
    use sekisho::core::json;

    fn state(bits: [bool; 5], services: &[(&str, bool)]) -> String {
        let categories: Vec<String> = CATEGORIES
            .iter()
            .zip(bits)
            .map(|(c, on)| format!("\"{c}\":{on}"))
            .collect();
        let services: Vec<String> = services
            .iter()
            .map(|(id, on)| format!("\"{id}\":{on}"))
            .collect();
        format!(
            r#"{{"decided":true,"categories":{{{}}},"services":{{{}}},"revision":2,"consentId":"7df3f352-046c-4343-ae94-28d0584de477","updatedAt":1,"gpc":false,"regime":"opt-in","region":"JP"}}"#,
            categories.join(","),
            services.join(",")
        )
    }

    fn decision(op: &str, method: &str, before: Option<String>, after: String) -> Decision {
        let before = before.unwrap_or_else(|| "null".into());
        Decision::parse(&format!(
            r#"{{"op":"{op}","method":"{method}","before":{before},"after":{after},"at":1796583627000,"ui":"{}"}}"#,
            "a".repeat(64)
        ))
        .unwrap()
    }

    const NONE: [bool; 5] = [true, false, false, false, false];
    const ALL: [bool; 5] = [true; 5];
    const ANALYTICS: [bool; 5] = [true, false, true, false, false];

    #[test]
    fn each_decision_says_what_it_was() {
        let undecided = r#"{"decided":false,"categories":{"necessary":true},"services":{},"revision":2,"consentId":null,"gpc":false,"regime":"opt-in","region":null}"#;
        let cases = [
            (
                "acceptAll",
                "banner",
                Some(undecided.to_string()),
                state(ALL, &[]),
                "grant",
            ),
            (
                "rejectAll",
                "banner",
                Some(undecided.to_string()),
                state(NONE, &[]),
                "reject",
            ),
            (
                "set",
                "preferences",
                Some(undecided.to_string()),
                state(ANALYTICS, &[]),
                "save",
            ),
            (
                "rejectAll",
                "preferences",
                Some(state(ANALYTICS, &[])),
                state(NONE, &[]),
                "withdraw",
            ),
            (
                "set",
                "api",
                Some(state(ALL, &[])),
                state(ANALYTICS, &[]),
                "withdraw",
            ),
            (
                "set",
                "preferences",
                Some(state(ANALYTICS, &[])),
                state(ALL, &[]),
                "save",
            ),
            (
                "set",
                "placeholder",
                Some(state(NONE, &[])),
                state(NONE, &[("youtube", true)]),
                "always_allow",
            ),
            (
                "set",
                "preferences",
                Some(state(NONE, &[("youtube", true)])),
                state(NONE, &[("youtube", false)]),
                "withdraw",
            ),
            (
                "adopt",
                "signal",
                Some(state(NONE, &[])),
                state(ALL, &[]),
                "adopt",
            ),
            ("link", "signal", None, state(ANALYTICS, &[]), "link"),
            ("expire", "signal", None, state(NONE, &[]), "expire"),
            (
                "gpc_opt_out",
                "signal",
                None,
                state(ALL, &[]),
                "gpc_opt_out",
            ),
        ];
        for (op, method, before, after, expected) in cases {
            assert_eq!(
                event(&decision(op, method, before, after)),
                expected,
                "{op} {method}"
            );
        }
    }

    #[test]
    fn a_record_has_the_fields_the_server_takes() {
        let config = parse_config(
            &json::parse(&format!(
                r#"{{"services":{{"google-analytics":{{}},"meta-pixel":{{}}}},"policySha256":"{}"}}"#,
                "B".repeat(64)
            ))
            .unwrap(),
        )
        .0;
        let met = vec!["youtube".to_string()];
        let cx = Context {
            config: &config,
            met: &met,
            site: "https://www.example.jp",
            lang: Lang::Ja,
            sdk_version: "0.1.0",
        };
        let d = decision(
            "set",
            "preferences",
            None,
            state(ANALYTICS, &[("youtube", true)]),
        );
        let text = record(&d, "0192f7c4-7a1e-4b2c-9d3e-4f5a6b7c8d9e", &cx).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!(v["consentId"], "7df3f352-046c-4343-ae94-28d0584de477");
        assert_eq!(v["event"], "save");
        assert_eq!(v["method"], "preferences");
        assert_eq!(v["revision"], 2);
        assert_eq!(v["choices"]["categories"]["analytics"], true);
        assert_eq!(v["choices"]["categories"]["ads"], false);
        assert_eq!(v["choices"]["services"]["youtube"], true);
        // Google Analytics (analytics, allowed) and YouTube (allowed on its own); not Meta Pixel.
        assert_eq!(
            v["recipients"],
            serde_json::json!(["google-analytics", "youtube"])
        );
        assert_eq!(v["signals"]["gpc"], false);
        // What Consent Mode was told (on by default): analytics granted, ads not.
        assert_eq!(v["signals"]["gcm"]["analytics_storage"], "granted");
        assert_eq!(v["signals"]["gcm"]["ad_storage"], "denied");
        assert_eq!(v["signals"]["gcm"]["security_storage"], "granted");
        assert_eq!(v["signals"]["gcm"].as_object().unwrap().len(), 7);
        assert_eq!(v["lang"], "ja");
        assert_eq!(v["clientTime"], 1796583627000u64);
        assert_eq!(v["region"], "JP");
        assert_eq!(v["uiSha256"], "a".repeat(64));
        assert_eq!(v["policySha256"], "b".repeat(64));
        assert!(v.get("ip").is_none() && v.get("subject").is_none());
        // Without a consent id there is nothing to record.
        let undecided = r#"{"decided":false,"categories":{},"services":{},"revision":0,"consentId":null,"gpc":false,"regime":"opt-in","region":null}"#;
        assert!(record(&decision("set", "api", None, undecided.into()), "x", &cx).is_none());
    }

    #[test]
    fn record_ids_are_version_4_uuids() {
        let id = uuid([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid([0; 16]), "00000000-0000-4000-8000-000000000000");
    }
}
