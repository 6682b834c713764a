//! Member passwords and PINs: PBKDF2-HMAC-SHA256 with a per-secret random salt.
//!
//! Stored as `pbkdf2-sha256$<iterations>$<salt, base64url>$<digest, base64url>`, so the
//! iteration count can rise later without a migration. The edge derives with WebCrypto
//! (native code in workerd, which caps PBKDF2 at 100,000 iterations); this module holds the
//! format, a pure implementation (the `pbkdf2` crate: used natively by the seed tool, and to test
//! WebCrypto's answers against), and the constant-time comparison.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::rng::Csprng;

/// Iterations for new hashes: the most workerd's WebCrypto accepts.
pub const ITERATIONS: u32 = 100_000;
/// Salt bytes.
pub const SALT_LEN: usize = 16;
/// Digest bytes.
pub const DIGEST_LEN: usize = 32;
const SCHEME: &str = "pbkdf2-sha256";

/// A parsed stored hash.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash {
    /// PBKDF2 iterations.
    pub iterations: u32,
    /// The salt.
    pub salt: Vec<u8>,
    /// The derived digest.
    pub digest: [u8; DIGEST_LEN],
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PasswordHash({SCHEME}, {} iterations)", self.iterations)
    }
}

impl PasswordHash {
    /// Parses the stored form; `None` when it is not ours.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('$');
        if parts.next()? != SCHEME {
            return None;
        }
        let iterations: u32 = parts.next()?.parse().ok()?;
        let salt = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        let digest: [u8; DIGEST_LEN] = URL_SAFE_NO_PAD
            .decode(parts.next()?)
            .ok()?
            .try_into()
            .ok()?;
        if parts.next().is_some() || iterations == 0 || salt.is_empty() {
            return None;
        }
        Some(PasswordHash {
            iterations,
            salt,
            digest,
        })
    }

    /// The stored form.
    pub fn encode(&self) -> String {
        format!(
            "{SCHEME}${}${}${}",
            self.iterations,
            URL_SAFE_NO_PAD.encode(&self.salt),
            URL_SAFE_NO_PAD.encode(self.digest)
        )
    }

    /// Whether `derived` (PBKDF2 of the candidate with this salt and count) matches, in
    /// constant time.
    pub fn matches(&self, derived: &[u8]) -> bool {
        derived.len() == DIGEST_LEN && bool::from(self.digest.ct_eq(derived))
    }
}

/// A fresh random salt.
pub fn new_salt(rng: &mut impl Csprng) -> Vec<u8> {
    let mut salt = vec![0u8; SALT_LEN];
    rng.fill(&mut salt);
    salt
}

/// The salt and count used when the email is unknown, so a wrong email costs the same
/// derivation as a wrong password.
pub fn decoy() -> PasswordHash {
    PasswordHash {
        iterations: ITERATIONS,
        salt: b"tally-decoy-salt".to_vec(),
        digest: [0u8; DIGEST_LEN],
    }
}

/// PBKDF2-HMAC-SHA256 (RFC 8018), `DIGEST_LEN` bytes, by the `pbkdf2` crate.
pub fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32) -> [u8; DIGEST_LEN] {
    let mut out = [0u8; DIGEST_LEN];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out);
    out
}

/// Hashes a new password or PIN natively (the seed tool; tests).
pub fn hash_natively(secret: &str, rng: &mut impl Csprng) -> PasswordHash {
    let salt = new_salt(rng);
    let digest = pbkdf2_sha256(secret.as_bytes(), &salt, ITERATIONS);
    PasswordHash {
        iterations: ITERATIONS,
        salt,
        digest,
    }
}

/// Why a new password or PIN is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CredentialRule {
    /// Passwords are 12 to 200 characters.
    #[error("passwords are 12 to 200 characters")]
    PasswordLength,
    /// PINs are 6 to 12 digits.
    #[error("PINs are 6 to 12 digits")]
    PinFormat,
}

/// Checks a new password's length.
pub fn check_new_password(p: &str) -> Result<(), CredentialRule> {
    let n = p.chars().count();
    if (12..=200).contains(&n) {
        Ok(())
    } else {
        Err(CredentialRule::PasswordLength)
    }
}

/// Checks a new PIN: 6 to 12 ASCII digits.
pub fn check_new_pin(p: &str) -> Result<(), CredentialRule> {
    if (6..=12).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(CredentialRule::PinFormat)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_hash_shows_its_scheme_never_its_salt_or_digest() {
        let h = PasswordHash {
            iterations: 1000,
            salt: b"pepper-and-salt!".to_vec(),
            digest: [7u8; DIGEST_LEN],
        };
        let shown = format!("{h:?}");
        assert_eq!(shown, "PasswordHash(pbkdf2-sha256, 1000 iterations)");
        assert_eq!(PasswordHash::parse(&h.encode()), Some(h));
    }

    #[test]
    fn a_stored_hash_that_is_not_whole_is_not_ours() {
        let good = PasswordHash {
            iterations: 1000,
            salt: vec![1; SALT_LEN],
            digest: [2u8; DIGEST_LEN],
        }
        .encode();
        assert!(PasswordHash::parse(&good).is_some());
        let zero = good.replacen("$1000$", "$0$", 1);
        let extra = format!("{good}$more");
        let (head, digest) = good.rsplit_once('$').unwrap();
        let (scheme_and_count, _) = head.rsplit_once('$').unwrap();
        let no_salt = format!("{scheme_and_count}$${digest}");
        for bad in [zero, extra, no_salt] {
            assert_eq!(PasswordHash::parse(&bad), None, "{bad}");
        }
    }

    #[test]
    fn each_salt_is_sixteen_fresh_random_bytes() {
        let mut next = 0u8;
        let mut rng = |b: &mut [u8]| {
            for x in b.iter_mut() {
                next = next.wrapping_add(1);
                *x = next;
            }
        };
        let a = new_salt(&mut rng);
        let b = new_salt(&mut rng);
        assert_eq!(a, (1..=16).collect::<Vec<u8>>());
        assert_eq!(b, (17..=32).collect::<Vec<u8>>());
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn pbkdf2_matches_the_published_test_vectors() {
        // RFC 7914 section 11 (PBKDF2-HMAC-SHA-256), first 32 bytes.
        assert_eq!(
            hex(&pbkdf2_sha256(b"passwd", b"salt", 1)),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
        // Widely published vector: P="password", S="salt", c=4096.
        assert_eq!(
            hex(&pbkdf2_sha256(b"password", b"salt", 4096)),
            "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"
        );
    }

    #[test]
    fn a_hash_round_trips_and_only_the_right_secret_matches() {
        let mut n = 0u8;
        let mut rng = |b: &mut [u8]| {
            for x in b {
                n = n.wrapping_add(31);
                *x = n;
            }
        };
        let h = hash_natively("correct horse battery", &mut rng);
        let parsed = PasswordHash::parse(&h.encode()).unwrap();
        assert_eq!(parsed, h);
        let again = pbkdf2_sha256(b"correct horse battery", &parsed.salt, parsed.iterations);
        assert!(parsed.matches(&again));
        let wrong = pbkdf2_sha256(b"correct horse batterz", &parsed.salt, parsed.iterations);
        assert!(!parsed.matches(&wrong));
        assert!(!parsed.matches(&again[..31]));
    }

    #[test]
    fn foreign_or_damaged_hashes_do_not_parse() {
        for s in [
            "",
            "bcrypt$10$abc$def",
            "pbkdf2-sha256$0$c2FsdA$AAAA",
            "pbkdf2-sha256$100000$$AAAA",
            "pbkdf2-sha256$100000$c2FsdA$c2hvcnQ",
            "pbkdf2-sha256$x$c2FsdA$AAAA",
        ] {
            assert!(PasswordHash::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn new_credentials_follow_the_rules() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("twelve chars").is_ok());
        assert!(check_new_pin("12345").is_err());
        assert!(check_new_pin("123456").is_ok());
        assert!(check_new_pin("12345a").is_err());
        assert!(check_new_pin("1234567890123").is_err());
    }
}
