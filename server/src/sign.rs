//! The server's Ed25519 key: generated on first start and kept in a file (mode 0600), its public
//! half served at `GET /v1/public-key`, so that an export verifies offline (`sekisho-server
//! verify`). A record's `sig` signs the 32 bytes of its `hash`; `keyId` names the key (the first
//! 8 bytes of the SHA-256 of the public key, hex), so keys can be rotated.

use std::path::Path;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::record::hex;

pub struct Key {
    signing: SigningKey,
    id: String,
}

impl Key {
    /// The key in `path`, or a new one written there when the file does not exist.
    pub fn load_or_create(path: &Path) -> Result<Key, String> {
        let show = path.display();
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = BASE64
                    .decode(text.trim())
                    .map_err(|e| format!("{show}: not a base64 key ({e})"))?;
                let secret: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| format!("{show}: expected a 32-byte Ed25519 secret key"))?;
                Ok(Key::from_secret(&secret))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let signing = SigningKey::generate(&mut rand::rngs::OsRng);
                write_private(path, &BASE64.encode(signing.to_bytes()))
                    .map_err(|e| format!("{show}: cannot write the new key ({e})"))?;
                tracing::info!(path = %show, "generated the server's signing key");
                Ok(Key::from_secret(&signing.to_bytes()))
            }
            Err(e) => Err(format!("{show}: {e}")),
        }
    }

    /// The key in `path`, which must exist (`verify` never creates one).
    pub fn load_existing(path: &Path) -> Result<Key, String> {
        if !path.exists() {
            return Err(format!("{} does not exist", path.display()));
        }
        Key::load_or_create(path)
    }

    pub fn from_secret(secret: &[u8; 32]) -> Key {
        let signing = SigningKey::from_bytes(secret);
        let id = key_id(&signing.verifying_key());
        Key { signing, id }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The public key, base64.
    pub fn public(&self) -> String {
        BASE64.encode(self.signing.verifying_key().to_bytes())
    }

    /// The signature of `hash` (hex), base64.
    pub fn sign(&self, hash_hex: &str) -> String {
        let bytes = from_hex(hash_hex).unwrap_or_default();
        BASE64.encode(self.signing.sign(&bytes).to_bytes())
    }
}

/// A public key read from its base64 form: verifies signatures.
pub struct PublicKey {
    key: VerifyingKey,
    pub id: String,
}

impl PublicKey {
    pub fn parse(base64: &str) -> Result<PublicKey, String> {
        let bytes = BASE64
            .decode(base64.trim())
            .map_err(|e| format!("not a base64 public key ({e})"))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "expected a 32-byte Ed25519 public key".to_string())?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|e| e.to_string())?;
        Ok(PublicKey {
            id: key_id(&key),
            key,
        })
    }

    /// Whether `sig` (base64) signs `hash` (hex).
    pub fn verifies(&self, hash_hex: &str, sig: &str) -> bool {
        let (Some(hash), Ok(sig)) = (from_hex(hash_hex), BASE64.decode(sig)) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(&sig) else {
            return false;
        };
        self.key.verify(&hash, &sig).is_ok()
    }
}

fn key_id(key: &VerifyingKey) -> String {
    hex(&Sha256::digest(key.to_bytes())[..8])
}

pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_the_public_key_only() {
        let key = Key::from_secret(&[7; 32]);
        let hash = crate::record::sha256_hex(b"record");
        let sig = key.sign(&hash);
        let public = PublicKey::parse(&key.public()).unwrap();
        assert_eq!(public.id, key.id());
        assert!(public.verifies(&hash, &sig));
        assert!(!public.verifies(&crate::record::sha256_hex(b"other"), &sig));
        let other = PublicKey::parse(&Key::from_secret(&[8; 32]).public()).unwrap();
        assert!(!other.verifies(&hash, &sig));
    }

    #[test]
    fn the_key_file_is_created_once_then_reused() {
        let dir = std::env::temp_dir().join(format!("sekisho-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("server.key");
        let a = Key::load_or_create(&path).unwrap();
        let b = Key::load_or_create(&path).unwrap();
        assert_eq!(a.public(), b.public());
        std::fs::write(&path, "not a key").unwrap();
        let refused = Key::load_or_create(&path).err().unwrap();
        assert!(refused.contains("not a base64 key"), "{refused}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
