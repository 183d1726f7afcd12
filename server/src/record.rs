//! Consent records (docs/contracts.md §6): what a browser sends, checked field by field, and what
//! the server stores — the record plus `receivedAt`, its place in the consent's hash chain
//! (`seq`, `prevHash`), its `hash` and the server's Ed25519 signature (`sig`, `keyId`).
//!
//! A record is hashed and signed in its canonical form: JSON with object keys sorted, no
//! whitespace, strings escaped as serde_json writes them, numbers only integers (the schema has
//! no other kind) — RFC 8785 for this schema. `hash` = SHA-256 of the canonical stored record
//! without `hash`, `sig` and `keyId`; `sig` signs the 32 bytes of `hash`.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The schema this server accepts.
pub const SCHEMA: &str = "sekisho-record/1";

/// The largest body `POST /v1/records` reads (413 above).
pub const MAX_BODY: usize = 16 * 1024;

/// The events a record may be about.
pub const EVENTS: [&str; 9] = [
    "grant",
    "reject",
    "save",
    "withdraw",
    "gpc_opt_out",
    "expire",
    "always_allow",
    "adopt",
    "link",
];

/// How a choice was made.
pub const METHODS: [&str; 5] = ["banner", "preferences", "placeholder", "api", "signal"];

/// The consent categories (docs/contracts.md §2).
pub const CATEGORIES: [&str; 5] = ["necessary", "functional", "analytics", "ads", "sns"];

/// Fields the server adds: a browser may not send them.
const SERVER_FIELDS: [&str; 6] = ["receivedAt", "seq", "prevHash", "hash", "sig", "keyId"];

/// A record as a browser sent it, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Incoming {
    pub record_id: String,
    pub consent_id: String,
    pub site: String,
    /// The record as sent, checked (`subject` replaced by the server's pseudonym when present).
    pub body: Map<String, Value>,
}

impl Incoming {
    /// SHA-256 (hex) of the record as sent, canonical: what tells a duplicate (same content)
    /// from a conflict (same `recordId`, other content).
    pub fn content_hash(&self) -> String {
        sha256_hex(canonical(&Value::Object(self.body.clone())).as_bytes())
    }
}

/// Why a record is refused: the field and what is wrong, for the 400 answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub reason: String,
}

impl Invalid {
    fn new(field: &str, reason: impl Into<String>) -> Invalid {
        Invalid {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{}: {}", self.field, self.reason)
        }
    }
}

/// Reads a record from a request body: JSON, the schema's fields and nothing else.
pub fn parse(body: &[u8]) -> Result<Incoming, Invalid> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Invalid::new("", format!("not valid JSON ({e})")))?;
    let Value::Object(map) = value else {
        return Err(Invalid::new("", "expected a JSON object"));
    };
    check(map)
}

fn check(map: Map<String, Value>) -> Result<Incoming, Invalid> {
    for key in map.keys() {
        if SERVER_FIELDS.contains(&key.as_str()) {
            return Err(Invalid::new(key, "set by the server, not by the browser"));
        }
        if !is_known(key) {
            return Err(Invalid::new(key, "unknown field"));
        }
    }
    let text = |field: &str, max: usize| -> Result<&str, Invalid> {
        match map.get(field) {
            Some(Value::String(s)) if !s.is_empty() && s.len() <= max => Ok(s),
            Some(Value::String(_)) => Err(Invalid::new(field, format!("1 to {max} bytes"))),
            Some(_) => Err(Invalid::new(field, "expected a string")),
            None => Err(Invalid::new(field, "missing")),
        }
    };
    let optional_text = |field: &str, max: usize| -> Result<(), Invalid> {
        match map.get(field) {
            None | Some(Value::Null) => Ok(()),
            Some(_) => text(field, max).map(drop),
        }
    };
    if text("schema", 40)? != SCHEMA {
        return Err(Invalid::new("schema", format!("expected \"{SCHEMA}\"")));
    }
    let record_id = text("recordId", 36)?;
    if !is_uuid(record_id) {
        return Err(Invalid::new("recordId", "expected a UUID"));
    }
    let consent_id = text("consentId", 36)?;
    if !is_uuid(consent_id) {
        return Err(Invalid::new("consentId", "expected a UUID"));
    }
    let site = text("site", 200)?;
    if !is_origin(site) {
        return Err(Invalid::new(
            "site",
            "expected an origin (https://www.example.jp)",
        ));
    }
    whole_number("revision", map.get("revision"), u32::MAX.into())?;
    whole_number("clientTime", map.get("clientTime"), 1 << 53)?;
    one_of("event", text("event", 20)?, &EVENTS)?;
    one_of("method", text("method", 20)?, &METHODS)?;
    one_of("regime", text("regime", 10)?, &["opt-in", "opt-out"])?;
    optional_text("region", 10)?;
    text("lang", 35)?;
    text("sdkVersion", 40)?;
    for field in ["policySha256", "uiSha256"] {
        match map.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            }
            Some(_) => return Err(Invalid::new(field, "expected 64 hex digits (SHA-256)")),
        }
    }
    optional_text("subject", 2048)?;
    choices(map.get("choices"))?;
    recipients(map.get("recipients"))?;
    signals(map.get("signals"))?;
    Ok(Incoming {
        record_id: record_id.to_owned(),
        consent_id: consent_id.to_owned(),
        site: site.to_owned(),
        body: map,
    })
}

const KNOWN_FIELDS: [&str; 17] = [
    "schema",
    "recordId",
    "consentId",
    "subject",
    "site",
    "revision",
    "policySha256",
    "event",
    "method",
    "choices",
    "recipients",
    "signals",
    "regime",
    "region",
    "lang",
    "clientTime",
    "sdkVersion",
];

/// The record's last allowed field: `uiSha256` is checked with `policySha256`.
fn is_known(key: &str) -> bool {
    KNOWN_FIELDS.contains(&key) || key == "uiSha256"
}

fn whole_number(field: &str, v: Option<&Value>, max: u64) -> Result<u64, Invalid> {
    match v.and_then(Value::as_u64) {
        Some(n) if n <= max => Ok(n),
        _ => Err(Invalid::new(field, "expected a whole number ≥ 0")),
    }
}

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), Invalid> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Invalid::new(
            field,
            format!("expected one of {}", allowed.join(", ")),
        ))
    }
}

/// `choices`: `{"categories": {<each category>: bool}, "services": {<id>: bool}}`.
fn choices(v: Option<&Value>) -> Result<(), Invalid> {
    let Some(Value::Object(c)) = v else {
        return Err(Invalid::new("choices", "expected an object"));
    };
    for key in c.keys() {
        if key != "categories" && key != "services" {
            return Err(Invalid::new(&["choices.", key].concat(), "unknown field"));
        }
    }
    let Some(Value::Object(categories)) = c.get("categories") else {
        return Err(Invalid::new("choices.categories", "expected an object"));
    };
    for category in CATEGORIES {
        if !matches!(categories.get(category), Some(Value::Bool(_))) {
            return Err(Invalid::new(
                &["choices.categories.", category].concat(),
                "expected true or false",
            ));
        }
    }
    if let Some(key) = categories
        .keys()
        .find(|k| !CATEGORIES.contains(&k.as_str()))
    {
        return Err(Invalid::new(
            &["choices.categories.", key].concat(),
            "unknown category",
        ));
    }
    match c.get("services") {
        None => Ok(()),
        Some(Value::Object(services)) if services.len() <= 200 => {
            for (id, granted) in services {
                if !is_service_id(id) || !granted.is_boolean() {
                    return Err(Invalid::new(
                        &["choices.services.", id].concat(),
                        "expected a service id ([a-z0-9_-]) and true or false",
                    ));
                }
            }
            Ok(())
        }
        Some(_) => Err(Invalid::new(
            "choices.services",
            "expected an object of at most 200 services",
        )),
    }
}

/// `recipients`: the services the choice covers, by id (APPI art. 31: a grant names them).
fn recipients(v: Option<&Value>) -> Result<(), Invalid> {
    match v {
        None => Ok(()),
        Some(Value::Array(ids)) if ids.len() <= 200 => {
            if ids.iter().all(|id| id.as_str().is_some_and(is_service_id)) {
                Ok(())
            } else {
                Err(Invalid::new("recipients", "expected service ids"))
            }
        }
        Some(_) => Err(Invalid::new(
            "recipients",
            "expected an array of at most 200 service ids",
        )),
    }
}

/// `signals`: `{"gpc": bool, "gcm": {<consent type>: "granted"|"denied"}}`.
fn signals(v: Option<&Value>) -> Result<(), Invalid> {
    let Some(Value::Object(s)) = v else {
        return Err(Invalid::new("signals", "expected an object"));
    };
    for (key, value) in s {
        let field = ["signals.", key].concat();
        match (key.as_str(), value) {
            ("gpc", Value::Bool(_)) => {}
            ("gcm", Value::Object(types)) if types.len() <= 10 => {
                for (t, state) in types {
                    let ok = t.len() <= 40
                        && t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                        && matches!(state.as_str(), Some("granted" | "denied"));
                    if !ok {
                        return Err(Invalid::new(
                            &[field.as_str(), ".", t].concat(),
                            "expected \"granted\" or \"denied\"",
                        ));
                    }
                }
            }
            ("gpc" | "gcm", _) => return Err(Invalid::new(&field, "wrong type")),
            _ => return Err(Invalid::new(&field, "unknown signal")),
        }
    }
    if !matches!(s.get("gpc"), Some(Value::Bool(_))) {
        return Err(Invalid::new("signals.gpc", "expected true or false"));
    }
    Ok(())
}

/// `8-4-4-4-12` hex digits.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn is_service_id(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// `scheme://host[:port]`, nothing after.
pub fn is_origin(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    matches!(scheme, "https" | "http")
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
}

/// The canonical JSON of `value` (keys sorted: serde_json's maps are ordered by key).
pub fn canonical(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// A record as stored: the browser's, then what the server adds.
pub struct Chained<'a> {
    pub received_at: u64,
    /// 1 for a consent's first record.
    pub seq: u64,
    pub prev_hash: Option<&'a str>,
}

/// The stored record without its hash and signature, and its hash (hex).
pub fn chain(incoming: &Incoming, at: &Chained<'_>) -> (Map<String, Value>, String) {
    let mut stored = incoming.body.clone();
    stored.insert("receivedAt".into(), at.received_at.into());
    stored.insert("seq".into(), at.seq.into());
    stored.insert(
        "prevHash".into(),
        at.prev_hash.map_or(Value::Null, |h| h.into()),
    );
    let hash = sha256_hex(canonical(&Value::Object(stored.clone())).as_bytes());
    (stored, hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        serde_json::json!({
            "schema": SCHEMA,
            "recordId": "0192f7c4-7a1e-7b2c-9d3e-4f5a6b7c8d9e",
            "consentId": "7df3f352-046c-4343-ae94-28d0584de477",
            "site": "https://www.example.jp",
            "revision": 1,
            "event": "save",
            "method": "preferences",
            "choices": {
                "categories": {"necessary": true, "functional": false, "analytics": true, "ads": false, "sns": false},
                "services": {"youtube": true}
            },
            "recipients": ["google-analytics", "youtube"],
            "signals": {"gpc": false, "gcm": {"analytics_storage": "granted", "ad_storage": "denied"}},
            "regime": "opt-in",
            "region": "JP",
            "lang": "ja",
            "clientTime": 1796583627000u64,
            "sdkVersion": "0.1.0",
            "policySha256": null,
            "uiSha256": "a".repeat(64),
        })
    }

    fn with(f: impl FnOnce(&mut Map<String, Value>)) -> Result<Incoming, Invalid> {
        let Value::Object(mut map) = sample() else {
            unreachable!()
        };
        f(&mut map);
        parse(serde_json::to_string(&map).unwrap().as_bytes())
    }

    #[test]
    fn a_complete_record_is_read() {
        let r = with(|_| {}).unwrap();
        assert_eq!(r.consent_id, "7df3f352-046c-4343-ae94-28d0584de477");
        assert_eq!(r.site, "https://www.example.jp");
        assert_eq!(r.content_hash().len(), 64);
    }

    #[test]
    fn each_problem_names_its_field() {
        let field = |f: fn(&mut Map<String, Value>)| with(f).unwrap_err().field;
        assert_eq!(field(|m| drop(m.remove("consentId"))), "consentId");
        assert_eq!(
            field(|m| drop(m.insert("recordId".into(), "x".into()))),
            "recordId"
        );
        assert_eq!(
            field(|m| drop(m.insert("ip".into(), "1.2.3.4".into()))),
            "ip"
        );
        assert_eq!(
            field(|m| drop(m.insert("hash".into(), "00".into()))),
            "hash"
        );
        assert_eq!(
            field(|m| drop(m.insert("revision".into(), (-1).into()))),
            "revision"
        );
        assert_eq!(
            field(|m| drop(m.insert("event".into(), "maybe".into()))),
            "event"
        );
        assert_eq!(
            field(|m| m["choices"]["categories"]["ads"] = "yes".into()),
            "choices.categories.ads"
        );
        assert_eq!(
            field(|m| m["choices"]["categories"]["marketing"] = true.into()),
            "choices.categories.marketing"
        );
        assert_eq!(
            field(|m| m["choices"]["services"]["Bad Id"] = true.into()),
            "choices.services.Bad Id"
        );
        assert_eq!(
            field(|m| m["signals"]["gcm"]["ad_storage"] = "maybe".into()),
            "signals.gcm.ad_storage"
        );
        assert_eq!(
            field(|m| drop(m.insert("site".into(), "https://x.jp/path".into()))),
            "site"
        );
        assert_eq!(
            field(|m| drop(m.insert("uiSha256".into(), "abc".into()))),
            "uiSha256"
        );
        assert_eq!(parse(b"[1]").unwrap_err().reason, "expected a JSON object");
        assert!(parse(b"{")
            .unwrap_err()
            .reason
            .starts_with("not valid JSON"));
    }

    #[test]
    fn the_canonical_form_sorts_keys_and_has_no_whitespace() {
        let v: Value = serde_json::from_str(r#"{ "b": 1, "a": {"d": [1, 2], "c": "x"} }"#).unwrap();
        assert_eq!(canonical(&v), r#"{"a":{"c":"x","d":[1,2]},"b":1}"#);
    }

    #[test]
    fn the_chain_links_each_record_to_the_one_before() {
        let r = with(|_| {}).unwrap();
        let (first, h1) = chain(
            &r,
            &Chained {
                received_at: 1,
                seq: 1,
                prev_hash: None,
            },
        );
        assert_eq!(first["prevHash"], Value::Null);
        let (second, h2) = chain(
            &r,
            &Chained {
                received_at: 2,
                seq: 2,
                prev_hash: Some(&h1),
            },
        );
        assert_eq!(second["prevHash"], Value::String(h1.clone()));
        assert_ne!(h1, h2);
        assert_eq!(h2, sha256_hex(canonical(&Value::Object(second)).as_bytes()));
    }
}
