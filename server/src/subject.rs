//! Subject tokens: how a site's backend tells this server which member a browser belongs to
//! (`sekisho.identify(token)`), without the server ever storing the member id.
//!
//! A token is `<payload>.<mac>`, both base64url without padding: the payload is JSON
//! `{"sub": "<member id>", "site": "<origin>", "exp": <Unix seconds>}`, the mac is
//! HMAC-SHA-256 of the payload's base64url text with the key the site's backend and this server
//! share (`--subject-key-file`). The server keeps only a pseudonym: HMAC-SHA-256 of the member id
//! with the same key (`hmac:<hex>`), the same for one member on every device.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::record::hex;

type HmacSha256 = Hmac<Sha256>;

pub struct SubjectKey(Vec<u8>);

impl SubjectKey {
    /// The key in `path` (its bytes, trimmed; at least 32).
    pub fn load(path: &std::path::Path) -> Result<SubjectKey, String> {
        let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let key = text.trim_ascii().to_vec();
        if key.len() < 32 {
            return Err(format!(
                "{}: a subject key has at least 32 bytes",
                path.display()
            ));
        }
        Ok(SubjectKey(key))
    }

    pub fn new(key: &[u8]) -> SubjectKey {
        SubjectKey(key.to_vec())
    }

    fn mac(&self, data: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).unwrap_or_else(|_| {
            HmacSha256::new_from_slice(b"-").expect("HMAC takes keys of any length")
        });
        mac.update(data);
        mac
    }

    /// The pseudonym of the member a valid token names, for `site`, at `now` (Unix seconds).
    pub fn verify(&self, token: &str, site: &str, now: u64) -> Result<String, &'static str> {
        let (payload, mac) = token.split_once('.').ok_or("not a subject token")?;
        let mac = B64URL.decode(mac).map_err(|_| "not a subject token")?;
        self.mac(payload.as_bytes())
            .verify_slice(&mac)
            .map_err(|_| "the subject token's signature does not verify")?;
        let payload = B64URL.decode(payload).map_err(|_| "not a subject token")?;
        let claims: serde_json::Value =
            serde_json::from_slice(&payload).map_err(|_| "not a subject token")?;
        let sub = claims["sub"]
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or("the subject token names no subject")?;
        if claims["site"].as_str() != Some(site) {
            return Err("the subject token is for another site");
        }
        match claims["exp"].as_u64() {
            Some(exp) if exp > now => {}
            _ => return Err("the subject token has expired"),
        }
        Ok(self.pseudonym(sub))
    }

    /// `hmac:<hex>` of a member id.
    pub fn pseudonym(&self, sub: &str) -> String {
        let mut mac = self.mac(b"sekisho-subject/1:");
        mac.update(sub.as_bytes());
        ["hmac:", &hex(&mac.finalize().into_bytes())].concat()
    }

    /// A token, as a site's backend makes one (tests, and the README's example).
    pub fn issue(&self, sub: &str, site: &str, exp: u64) -> String {
        let payload = serde_json::json!({"sub": sub, "site": site, "exp": exp}).to_string();
        let payload = B64URL.encode(payload);
        let mac = B64URL.encode(self.mac(payload.as_bytes()).finalize().into_bytes());
        [payload, mac].join(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_member_by_a_pseudonym_only() {
        let key = SubjectKey::new(&[1; 32]);
        let site = "https://www.example.jp";
        let token = key.issue("member-42", site, 2_000);
        let p = key.verify(&token, site, 1_000).unwrap();
        assert!(p.starts_with("hmac:") && !p.contains("member-42"));
        assert_eq!(p, key.pseudonym("member-42"));
        assert_eq!(
            key.verify(&token, site, 3_000),
            Err("the subject token has expired")
        );
        assert_eq!(
            key.verify(&token, "https://other.jp", 1_000),
            Err("the subject token is for another site")
        );
        let forged = SubjectKey::new(&[2; 32]).issue("member-42", site, 2_000);
        assert_eq!(
            key.verify(&forged, site, 1_000),
            Err("the subject token's signature does not verify")
        );
        assert_eq!(
            key.verify("nonsense", site, 1_000),
            Err("not a subject token")
        );
    }
}
