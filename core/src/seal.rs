//! Secrets at rest: identity secrets and webhook signing secrets are stored sealed with
//! AES-256-GCM under a master key the database never sees.
//!
//! The edge must read these secrets back (it signs webhooks and checks customer tokens with
//! them), so unlike API keys they cannot be stored as hashes. Sealing them means a copy of
//! D1 (a backup, an export, a leaked local state directory) reveals nothing without the
//! Worker secret `TALLY_SECRETS_KEY`.
//!
//! - `TALLY_SECRETS_KEY` is one or more base64url 32-byte keys separated by commas. The
//!   first seals; every one of them opens. Rotating is: put a new key first, keep the old
//!   one after it until every value has been sealed again, then drop it.
//! - A sealed value is `sealed.v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`, where
//!   the key id (8 hex digits of a SHA-256 of the key) names the master key that sealed
//!   it, so opening never guesses.
//! - The associated data binds a value to its row ([`Purpose`]): a sealed secret copied into
//!   another workspace's row does not open.
//!
//! This module is the format; the edge seals with WebCrypto, and the `native-seal` feature
//! (for the seed tool and tests) with the `aes-gcm` crate, so each proves the other.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::rng::Csprng;

/// The prefix of every sealed value of this version.
pub const PREFIX: &str = "sealed.v1.";
/// AES-GCM nonce bytes.
pub const NONCE_LEN: usize = 12;
/// AES-GCM tag bytes.
pub const TAG_LEN: usize = 16;
/// Master key bytes (AES-256).
pub const KEY_LEN: usize = 32;

/// Why a master key or a sealed value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// `TALLY_SECRETS_KEY` is missing or not base64url 32-byte keys.
    #[error("TALLY_SECRETS_KEY must be one or more base64url 32-byte keys, comma separated")]
    MasterKey,
    /// Not a sealed value of this version.
    #[error("not a sealed value")]
    Format,
    /// Sealed under a master key that is not configured.
    #[error("sealed under a master key that is not configured")]
    UnknownKey,
    /// The ciphertext, the tag or the associated data does not check out.
    #[error("the sealed value does not open")]
    Open,
}

/// One master key and its id.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey {
    /// 8 hex digits naming the key in sealed values.
    pub id: String,
    /// The AES-256 key.
    pub bytes: [u8; KEY_LEN],
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id)
    }
}

impl MasterKey {
    /// Wraps raw key bytes.
    pub fn new(bytes: [u8; KEY_LEN]) -> Self {
        let digest = Sha256::new()
            .chain_update(b"tally-seal-key-id\0")
            .chain_update(bytes)
            .finalize();
        MasterKey {
            id: digest[..4].iter().map(|b| format!("{b:02x}")).collect(),
            bytes,
        }
    }
}

/// Parses `TALLY_SECRETS_KEY`: the first key seals, all open.
pub fn parse_master_keys(text: &str) -> Result<Vec<MasterKey>, SealError> {
    let keys = text
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| {
            let raw = URL_SAFE_NO_PAD
                .decode(k.trim_end_matches('='))
                .map_err(|_| SealError::MasterKey)?;
            let bytes: [u8; KEY_LEN] = raw.try_into().map_err(|_| SealError::MasterKey)?;
            Ok(MasterKey::new(bytes))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(SealError::MasterKey);
    }
    Ok(keys)
}

/// A new master key, as `TALLY_SECRETS_KEY` takes it.
pub fn generate_master_key(rng: &mut impl Csprng) -> String {
    let mut b = [0u8; KEY_LEN];
    rng.fill(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// What a sealed value is for: its associated data, binding it to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose<'a> {
    /// An identity secret of a workspace and environment, named by its `kid`.
    IdentitySecret {
        /// `ws_…`
        workspace_id: &'a str,
        /// `test` or `prod`.
        environment: &'a str,
        /// `ids_…`
        kid: &'a str,
    },
    /// A webhook endpoint's signing secret.
    WebhookSecret {
        /// `we_…`
        endpoint_id: &'a str,
    },
}

impl Purpose<'_> {
    /// The AES-GCM associated data.
    pub fn aad(&self) -> Vec<u8> {
        let parts: &[&str] = match self {
            Purpose::IdentitySecret {
                workspace_id,
                environment,
                kid,
            } => &["identity_secret", workspace_id, environment, kid],
            Purpose::WebhookSecret { endpoint_id } => &["webhook_secret", endpoint_id],
        };
        let mut out = b"tally-seal-v1".to_vec();
        for p in parts {
            // Length-prefixed, so no two part lists give the same bytes.
            out.extend_from_slice(&(p.len() as u32).to_be_bytes());
            out.extend_from_slice(p.as_bytes());
        }
        out
    }
}

/// A sealed value, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The id of the master key that sealed it.
    pub key_id: String,
    /// The nonce.
    pub nonce: [u8; NONCE_LEN],
    /// Ciphertext followed by the tag (WebCrypto's and `aes-gcm`'s layout).
    pub ciphertext: Vec<u8>,
}

impl Sealed {
    /// The stored form.
    pub fn encode(&self) -> String {
        let mut body = self.nonce.to_vec();
        body.extend_from_slice(&self.ciphertext);
        format!("{PREFIX}{}.{}", self.key_id, URL_SAFE_NO_PAD.encode(body))
    }

    /// Parses the stored form.
    pub fn decode(text: &str) -> Result<Self, SealError> {
        let rest = text.strip_prefix(PREFIX).ok_or(SealError::Format)?;
        let (key_id, body) = rest.split_once('.').ok_or(SealError::Format)?;
        if key_id.len() != 8 || !key_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SealError::Format);
        }
        let body = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| SealError::Format)?;
        if body.len() < NONCE_LEN + TAG_LEN {
            return Err(SealError::Format);
        }
        let (nonce, ciphertext) = body.split_at(NONCE_LEN);
        let mut n = [0u8; NONCE_LEN];
        n.copy_from_slice(nonce);
        Ok(Sealed {
            key_id: key_id.to_owned(),
            nonce: n,
            ciphertext: ciphertext.to_vec(),
        })
    }

    /// The configured master key that sealed this value.
    pub fn key<'k>(&self, keys: &'k [MasterKey]) -> Result<&'k MasterKey, SealError> {
        keys.iter()
            .find(|k| k.id == self.key_id)
            .ok_or(SealError::UnknownKey)
    }
}

/// A fresh random nonce.
pub fn new_nonce(rng: &mut impl Csprng) -> [u8; NONCE_LEN] {
    let mut n = [0u8; NONCE_LEN];
    rng.fill(&mut n);
    n
}

/// Seals with the `aes-gcm` crate (native: the seed tool and tests).
#[cfg(feature = "native-seal")]
pub fn seal(
    keys: &[MasterKey],
    purpose: Purpose<'_>,
    plaintext: &[u8],
    rng: &mut impl Csprng,
) -> Result<String, SealError> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let key = keys.first().ok_or(SealError::MasterKey)?;
    let nonce = new_nonce(rng);
    let cipher =
        aes_gcm::Aes256Gcm::new_from_slice(&key.bytes).map_err(|_| SealError::MasterKey)?;
    let aad = purpose.aad();
    let ciphertext = cipher
        .encrypt(
            (&nonce).into(),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| SealError::Open)?;
    Ok(Sealed {
        key_id: key.id.clone(),
        nonce,
        ciphertext,
    }
    .encode())
}

/// Opens with the `aes-gcm` crate (native: the seed tool and tests).
#[cfg(feature = "native-seal")]
pub fn open(keys: &[MasterKey], purpose: Purpose<'_>, text: &str) -> Result<Vec<u8>, SealError> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let sealed = Sealed::decode(text)?;
    let key = sealed.key(keys)?;
    let cipher =
        aes_gcm::Aes256Gcm::new_from_slice(&key.bytes).map_err(|_| SealError::MasterKey)?;
    let aad = purpose.aad();
    cipher
        .decrypt(
            (&sealed.nonce).into(),
            Payload {
                msg: &sealed.ciphertext,
                aad: &aad,
            },
        )
        .map_err(|_| SealError::Open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::tests::test_rng;

    #[cfg(feature = "native-seal")]
    fn keys(seed: u64) -> Vec<MasterKey> {
        parse_master_keys(&generate_master_key(&mut test_rng(seed))).expect("valid")
    }

    const WS: Purpose<'static> = Purpose::IdentitySecret {
        workspace_id: "ws_demo",
        environment: "test",
        kid: "ids_1",
    };

    #[test]
    fn master_keys_parse_in_order_and_refuse_garbage() {
        let a = generate_master_key(&mut test_rng(1));
        let b = generate_master_key(&mut test_rng(2));
        let both = parse_master_keys(&format!("{a}, {b}")).expect("two keys");
        assert_eq!(both.len(), 2);
        assert_eq!(both[0], parse_master_keys(&a).expect("a")[0]);
        assert_ne!(both[0].id, both[1].id);
        for bad in ["", " , ", "not base64!", "c2hvcnQ", &format!("{a},xyz")] {
            assert_eq!(parse_master_keys(bad), Err(SealError::MasterKey), "{bad:?}");
        }
        assert_eq!(
            format!("{:?}", both[0]),
            format!("MasterKey({})", both[0].id),
            "Debug shows the id, never the key"
        );
    }

    #[test]
    fn the_stored_form_round_trips_and_refuses_damage() {
        let s = Sealed {
            key_id: "0a1b2c3d".into(),
            nonce: [7; NONCE_LEN],
            ciphertext: vec![1; 40],
        };
        let text = s.encode();
        assert!(text.starts_with("sealed.v1.0a1b2c3d."));
        assert_eq!(Sealed::decode(&text), Ok(s));
        // The shortest sealed value: an empty secret is nonce and tag alone.
        let empty = Sealed {
            key_id: "0a1b2c3d".into(),
            nonce: [7; NONCE_LEN],
            ciphertext: vec![0; TAG_LEN],
        };
        assert_eq!(Sealed::decode(&empty.encode()), Ok(empty));
        for bad in [
            "plain-secret",
            "sealed.v1.0a1b2c3d",
            "sealed.v1.0a1b2c3.AAAA",
            "sealed.v1.zzzzzzzz.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "sealed.v1.0a1b2c3d.AAAA",
        ] {
            assert_eq!(Sealed::decode(bad), Err(SealError::Format), "{bad}");
        }
    }

    #[test]
    fn nonces_come_from_the_rng_and_never_repeat() {
        let mut rng = test_rng(11);
        let a = new_nonce(&mut rng);
        let b = new_nonce(&mut rng);
        assert_ne!(a, b, "AES-GCM must never reuse a nonce under one key");
        assert!(a != [0; NONCE_LEN] && a != [1; NONCE_LEN]);
    }

    #[test]
    fn associated_data_names_the_row() {
        let other_ws = Purpose::IdentitySecret {
            workspace_id: "ws_demox",
            environment: "test",
            kid: "ids_1",
        };
        let shifted = Purpose::IdentitySecret {
            workspace_id: "ws_demo",
            environment: "testids_1",
            kid: "",
        };
        assert_ne!(WS.aad(), other_ws.aad());
        assert_ne!(WS.aad(), shifted.aad());
        assert_ne!(
            WS.aad(),
            Purpose::WebhookSecret {
                endpoint_id: "ids_1"
            }
            .aad()
        );
    }

    #[cfg(feature = "native-seal")]
    #[test]
    fn sealing_round_trips_and_binds_key_and_row() {
        let k = keys(3);
        let sealed = seal(&k, WS, b"the secret", &mut test_rng(4)).expect("sealed");
        assert!(!sealed.contains("the secret"));
        assert_eq!(open(&k, WS, &sealed).as_deref(), Ok(&b"the secret"[..]));
        // Another row, another key, a flipped byte: none opens.
        let other = Purpose::WebhookSecret {
            endpoint_id: "we_1",
        };
        assert_eq!(open(&k, other, &sealed), Err(SealError::Open));
        assert_eq!(open(&keys(5), WS, &sealed), Err(SealError::UnknownKey));
        let mut damaged = Sealed::decode(&sealed).expect("parses");
        damaged.ciphertext[0] ^= 1;
        assert_eq!(open(&k, WS, &damaged.encode()), Err(SealError::Open));
        // Rotation: a new key first still opens what the old one sealed.
        let mut rotated = keys(6);
        rotated.extend(k.iter().cloned());
        assert_eq!(
            open(&rotated, WS, &sealed).as_deref(),
            Ok(&b"the secret"[..])
        );
        let resealed = seal(&rotated, WS, b"the secret", &mut test_rng(7)).expect("sealed");
        assert!(resealed.contains(&rotated[0].id));
    }
}
