//! `sekisho-server verify <export.ndjson>`: checks an export offline. Every line must be a stored
//! record whose `hash` is the SHA-256 of its canonical form (without `hash`, `sig`, `keyId`),
//! whose `sig` verifies with the public key, and whose `prevHash` is the `hash` of the record
//! before it in its consent's chain (`seq` one less). A chain may start after its first record
//! (an export `since` a time, or records purged by retention): that is reported, not a break.

use std::collections::HashMap;

use serde_json::Value;

use crate::record::{canonical, sha256_hex};
use crate::sign::PublicKey;

/// What a verification found.
#[derive(Debug, Default, PartialEq)]
pub struct Report {
    pub records: usize,
    pub consents: usize,
    /// Chains whose first exported record is not their first record (seq > 1).
    pub partial_chains: usize,
    /// Each problem, with its line number (1-based).
    pub problems: Vec<String>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verifies the NDJSON `text` with `key`.
pub fn verify(text: &str, key: &PublicKey) -> Report {
    let mut report = Report::default();
    // consentId → (seq, hash) of its last record seen.
    let mut heads: HashMap<String, (u64, String)> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        report.records += 1;
        let mut bad = |what: String| report.problems.push(format!("line {n}: {what}"));
        let Ok(Value::Object(mut record)) = serde_json::from_str::<Value>(line) else {
            bad("not a JSON object".into());
            continue;
        };
        let field = |name: &str| record.get(name).and_then(Value::as_str).map(str::to_owned);
        let (Some(hash), Some(sig), Some(key_id), Some(consent)) = (
            field("hash"),
            field("sig"),
            field("keyId"),
            field("consentId"),
        ) else {
            bad("missing hash, sig, keyId or consentId".into());
            continue;
        };
        let seq = record.get("seq").and_then(Value::as_u64).unwrap_or(0);
        let prev = record
            .get("prevHash")
            .and_then(Value::as_str)
            .map(str::to_owned);
        record.remove("hash");
        record.remove("sig");
        record.remove("keyId");
        let computed = sha256_hex(canonical(&Value::Object(record)).as_bytes());
        if computed != hash {
            bad(format!(
                "the record does not match its hash (consent {consent}, seq {seq}): altered"
            ));
        }
        if key_id != key.id {
            bad(format!("signed by key {key_id}, not by {}", key.id));
        } else if !key.verifies(&hash, &sig) {
            bad(format!(
                "the signature does not verify (consent {consent}, seq {seq})"
            ));
        }
        match heads.get(&consent) {
            None => {
                if seq != 1 {
                    report.partial_chains += 1;
                } else if prev.is_some() {
                    bad(format!(
                        "consent {consent}'s first record names a previous one"
                    ));
                }
            }
            Some((last_seq, last_hash)) => {
                if seq != last_seq + 1 {
                    bad(format!("consent {consent}: seq {seq} follows {last_seq} (a record is missing or out of order)"));
                } else if prev.as_deref() != Some(last_hash.as_str()) {
                    bad(format!(
                        "consent {consent}, seq {seq}: prevHash is not the hash of seq {last_seq}"
                    ));
                }
            }
        }
        heads.insert(consent, (seq, hash));
    }
    report.consents = heads.len();
    report
}
