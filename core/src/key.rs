//! API keys: `<env>_<kind>_<body>`.
//!
//! `env` is `test` or `prod`; `kind` is `pk` (publishable, read-only, safe in a browser) or
//! `sk` (secret). `body` is [`RANDOM_LEN`] base62 symbols from a CSPRNG followed by a
//! [`CHECKSUM_LEN`]-symbol base62 CRC32 of everything before it. The checksum lets the edge
//! reject a typo or a truncated key without touching storage, and gives secret scanners a
//! way to tell a real key from a look-alike.
//!
//! Keys are stored as SHA-256 digests only ([`KeyHash`]); the plaintext exists once, in the
//! answer that creates (or rolls) the key.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::base62;
use crate::rng::Csprng;

/// Random symbols in a newly generated key body (~190 bits).
pub const RANDOM_LEN: usize = 32;
/// Symbols of the trailing checksum.
pub const CHECKSUM_LEN: usize = 6;
/// The longest string ever parsed as a key; anything longer is refused unread.
pub const MAX_KEY_LEN: usize = 128;

/// The environment a key (and the data it reaches) belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    /// Test mode: for development; test data only.
    Test,
    /// Production mode: live data; needs an approved workspace.
    Prod,
}

impl Environment {
    /// `test` or `prod`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Environment::Test => "test",
            Environment::Prod => "prod",
        }
    }

    /// Parses `test` or `prod`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "test" => Some(Environment::Test),
            "prod" => Some(Environment::Prod),
            _ => None,
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Publishable (read-only, browser-safe) or secret (server-only, may write).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `pk`: read-only, may be embedded in web pages.
    Publishable,
    /// `sk`: may hold write scopes; never leaves a server.
    Secret,
}

impl KeyKind {
    /// The prefix in the key string: `pk` or `sk`.
    pub const fn prefix(self) -> &'static str {
        match self {
            KeyKind::Publishable => "pk",
            KeyKind::Secret => "sk",
        }
    }

    /// The name used in the API: `publishable` or `secret`.
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyKind::Publishable => "publishable",
            KeyKind::Secret => "secret",
        }
    }

    /// Parses `pk`/`sk` or `publishable`/`secret`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pk" | "publishable" => Some(KeyKind::Publishable),
            "sk" | "secret" => Some(KeyKind::Secret),
            _ => None,
        }
    }
}

/// Why a string is not a well-formed key. Every variant answers `invalid_api_key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyFormatError {
    /// Longer than [`MAX_KEY_LEN`].
    #[error("the key is too long")]
    TooLong,
    /// Not `<env>_<kind>_<body>`.
    #[error("the key is not of the form <env>_<kind>_<body>")]
    Shape,
    /// The environment is neither `test` nor `prod`.
    #[error("unknown key environment")]
    Environment,
    /// The kind is neither `pk` nor `sk`.
    #[error("unknown key kind")]
    Kind,
    /// The body is too short or has a symbol outside base62.
    #[error("the key body is malformed")]
    Body,
    /// The checksum does not match: a typo or a truncated key.
    #[error("the key checksum does not match")]
    Checksum,
}

/// A string that passed the format and checksum check. Borrowed: it is never stored.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ParsedKey<'a> {
    text: &'a str,
    /// The key's environment.
    pub env: Environment,
    /// The key's kind.
    pub kind: KeyKind,
}

impl fmt::Debug for ParsedKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the key itself.
        write!(f, "ParsedKey({})", self.redacted())
    }
}

impl<'a> ParsedKey<'a> {
    /// The SHA-256 digest under which the key is stored.
    pub fn hash(&self) -> KeyHash {
        KeyHash::of(self.text)
    }

    /// The last four symbols, for display.
    pub fn last4(&self) -> &'a str {
        &self.text[self.text.len() - 4..]
    }

    /// `prod_sk_…wxyz`.
    pub fn redacted(&self) -> String {
        redact(self.env, self.kind, self.last4())
    }
}

/// Checks format and checksum without touching storage.
pub fn parse(text: &str) -> Result<ParsedKey<'_>, KeyFormatError> {
    if text.len() > MAX_KEY_LEN {
        return Err(KeyFormatError::TooLong);
    }
    let mut parts = text.splitn(3, '_');
    let (Some(env), Some(kind), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(KeyFormatError::Shape);
    };
    let env = Environment::parse(env).ok_or(KeyFormatError::Environment)?;
    let kind = match kind {
        "pk" => KeyKind::Publishable,
        "sk" => KeyKind::Secret,
        _ => return Err(KeyFormatError::Kind),
    };
    if body.len() < RANDOM_LEN + CHECKSUM_LEN || !body.bytes().all(base62::is_symbol) {
        return Err(KeyFormatError::Body);
    }
    let (signed, checksum) = text.split_at(text.len() - CHECKSUM_LEN);
    if checksum != checksum_of(signed) {
        return Err(KeyFormatError::Checksum);
    }
    Ok(ParsedKey { text, env, kind })
}

/// The kind a key string claims by its prefix, even when the rest is malformed.
///
/// Used to decide, before any check, whether a string in a URL must be refused as a
/// secret key (`sk`) and whether an error may carry CORS headers (`pk`).
pub fn claimed_kind(text: &str) -> Option<KeyKind> {
    let mut parts = text.splitn(3, '_');
    let _env = parts.next()?;
    match parts.next()? {
        "pk" => Some(KeyKind::Publishable),
        "sk" => Some(KeyKind::Secret),
        _ => None,
    }
}

fn checksum_of(signed: &str) -> String {
    base62::encode_fixed(u64::from(crc32fast::hash(signed.as_bytes())), CHECKSUM_LEN)
}

/// `prod_sk_…wxyz`: enough to recognise a key, never enough to use it.
pub fn redact(env: Environment, kind: KeyKind, last4: &str) -> String {
    format!("{}_{}_…{}", env.as_str(), kind.prefix(), last4)
}

/// A freshly generated key: the plaintext (to show once) and what is stored.
pub struct GeneratedKey {
    /// The full key. Shown once, never stored, never logged.
    pub plaintext: String,
    /// The environment.
    pub env: Environment,
    /// The kind.
    pub kind: KeyKind,
    /// The SHA-256 digest to store.
    pub hash: KeyHash,
    /// The last four symbols, stored for display.
    pub last4: String,
}

impl fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GeneratedKey({})",
            redact(self.env, self.kind, &self.last4)
        )
    }
}

/// Generates a new key from a CSPRNG.
pub fn generate(env: Environment, kind: KeyKind, rng: &mut impl Csprng) -> GeneratedKey {
    let mut plaintext = format!("{}_{}_", env.as_str(), kind.prefix());
    plaintext.push_str(&base62::random(rng, RANDOM_LEN));
    let checksum = checksum_of(&plaintext);
    plaintext.push_str(&checksum);
    let hash = KeyHash::of(&plaintext);
    let last4 = plaintext[plaintext.len() - 4..].to_owned();
    GeneratedKey {
        plaintext,
        env,
        kind,
        hash,
        last4,
    }
}

/// The SHA-256 digest of a key: what storage and caches are keyed by.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyHash(pub [u8; 32]);

impl KeyHash {
    /// Hashes a key string.
    pub fn of(text: &str) -> Self {
        KeyHash(Sha256::digest(text.as_bytes()).into())
    }

    /// Lower-case hex, as stored.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(char::from(HEX[(b >> 4) as usize]));
            s.push(char::from(HEX[(b & 15) as usize]));
        }
        s
    }

    /// Constant-time equality, for comparing a presented key with a stored digest.
    pub fn ct_eq(&self, other: &KeyHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyHash({}…)", &self.to_hex()[..8])
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A deterministic generator for tests (never for real keys).
    pub(crate) fn test_rng(seed: u64) -> impl FnMut(&mut [u8]) {
        let mut state = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        move |buf: &mut [u8]| {
            for b in buf {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = (state >> 24) as u8;
            }
        }
    }

    #[test]
    fn kinds_and_environments_have_the_apis_names() {
        // The key object's `kind` and `environment` fields, and the key's own prefix.
        assert_eq!(KeyKind::Publishable.as_str(), "publishable");
        assert_eq!(KeyKind::Secret.as_str(), "secret");
        assert_eq!(
            KeyKind::parse(KeyKind::Secret.as_str()),
            Some(KeyKind::Secret)
        );
        assert_eq!(format!("{}", Environment::Prod), "prod");
        assert_eq!(format!("{}", Environment::Test), "test");
    }

    #[test]
    fn debug_output_names_a_key_by_its_redacted_form_only() {
        // Anything that logs a key with `{:?}` shows which key, never the key.
        let key = generate(Environment::Test, KeyKind::Secret, &mut test_rng(9));
        let shown = format!("{key:?}");
        assert_eq!(
            shown,
            format!("GeneratedKey({})", redact(key.env, key.kind, &key.last4))
        );
        assert!(!shown.contains(&key.plaintext));
        let parsed = parse(&key.plaintext).expect("a generated key parses");
        let shown = format!("{parsed:?}");
        assert_eq!(shown, format!("ParsedKey({})", parsed.redacted()));
        assert!(shown.starts_with("ParsedKey(test_sk_…") && !shown.contains(&key.plaintext));
    }

    #[test]
    fn a_digest_shows_only_its_first_eight_hex_digits() {
        let hash = KeyHash::of("test_sk_anything");
        let hex = hash.to_hex();
        assert_eq!(format!("{hash:?}"), format!("KeyHash({}…)", &hex[..8]));
    }

    #[test]
    fn the_length_limit_is_inclusive() {
        // Up to MAX_KEY_LEN, a key is read and refused for what is wrong with it; beyond, it
        // is refused unread.
        let at_limit = format!("test_sk_{}", "a".repeat(MAX_KEY_LEN - "test_sk_".len()));
        assert_eq!(at_limit.len(), MAX_KEY_LEN);
        assert!(!matches!(parse(&at_limit), Err(KeyFormatError::TooLong)));
        let over = format!("{at_limit}a");
        assert!(matches!(parse(&over), Err(KeyFormatError::TooLong)));
    }

    #[test]
    fn generated_keys_have_the_documented_shape_and_parse_back() {
        let key = generate(Environment::Prod, KeyKind::Secret, &mut test_rng(1));
        assert!(key.plaintext.starts_with("prod_sk_"));
        assert_eq!(
            key.plaintext.len(),
            "prod_sk_".len() + RANDOM_LEN + CHECKSUM_LEN
        );
        let parsed = parse(&key.plaintext).expect("a generated key parses");
        assert_eq!(parsed.env, Environment::Prod);
        assert_eq!(parsed.kind, KeyKind::Secret);
        assert_eq!(parsed.hash(), key.hash);
        assert_eq!(parsed.last4(), key.last4);
        assert_eq!(parsed.redacted(), format!("prod_sk_…{}", key.last4));
    }

    #[test]
    fn two_generated_keys_differ() {
        let mut rng = test_rng(2);
        let a = generate(Environment::Test, KeyKind::Publishable, &mut rng);
        let b = generate(Environment::Test, KeyKind::Publishable, &mut rng);
        assert_ne!(a.plaintext, b.plaintext);
        assert_ne!(a.hash, b.hash);
    }

    #[test]
    fn a_single_typo_fails_the_checksum() {
        let key = generate(Environment::Test, KeyKind::Secret, &mut test_rng(3)).plaintext;
        for i in "test_sk_".len()..key.len() {
            let mut bytes = key.clone().into_bytes();
            bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
            let typo = String::from_utf8(bytes).expect("ascii");
            assert!(parse(&typo).is_err(), "typo at {i} accepted");
        }
    }

    #[test]
    fn truncated_and_extended_keys_are_refused() {
        let key = generate(Environment::Test, KeyKind::Publishable, &mut test_rng(4)).plaintext;
        assert_eq!(parse(&key[..key.len() - 1]), Err(KeyFormatError::Body));
        let longer_body = format!("{}{}", &key[..key.len() - 6], "0000000");
        assert_eq!(parse(&longer_body), Err(KeyFormatError::Checksum));
        assert_eq!(parse(&format!("{key}0")), Err(KeyFormatError::Checksum));
        assert_eq!(parse(&key[..20]), Err(KeyFormatError::Body));
    }

    #[test]
    fn wrong_prefixes_are_refused() {
        assert_eq!(parse("live_sk_x"), Err(KeyFormatError::Environment));
        assert_eq!(parse("test_xk_x"), Err(KeyFormatError::Kind));
        assert_eq!(parse("test"), Err(KeyFormatError::Shape));
        assert_eq!(parse(""), Err(KeyFormatError::Shape));
        assert_eq!(
            parse(&"a".repeat(MAX_KEY_LEN + 1)),
            Err(KeyFormatError::TooLong)
        );
        let key = generate(Environment::Test, KeyKind::Secret, &mut test_rng(5)).plaintext;
        let with_symbol = format!("{}-{}", &key[..20], &key[21..]);
        assert_eq!(parse(&with_symbol), Err(KeyFormatError::Body));
    }

    #[test]
    fn claimed_kind_reads_the_prefix_even_of_broken_keys() {
        assert_eq!(claimed_kind("prod_sk_garbage"), Some(KeyKind::Secret));
        assert_eq!(claimed_kind("test_pk_"), Some(KeyKind::Publishable));
        assert_eq!(claimed_kind("sk_live_x"), None);
    }

    #[test]
    fn debug_output_never_contains_the_key() {
        let key = generate(Environment::Prod, KeyKind::Secret, &mut test_rng(6));
        let parsed = parse(&key.plaintext).expect("parses");
        assert!(!format!("{parsed:?}").contains(&key.plaintext[8..20]));
        assert!(!format!("{key:?}").contains(&key.plaintext[8..20]));
    }

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(
            KeyHash::of("abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(KeyHash::of("a").ct_eq(&KeyHash::of("a")));
        assert!(!KeyHash::of("a").ct_eq(&KeyHash::of("b")));
    }
}
