//! Customer tokens: a shopper's identity, minted by the merchant's backend.
//!
//! A JWT (RFC 7519, JWS compact form) signed HS256, so any JWT library mints one:
//! `jwt.sign({ sub: "cus_1" }, identitySecret, { expiresIn: "5m" })`. The HMAC key is the
//! identity secret's UTF-8 bytes exactly as the dashboard shows it. The workspace and
//! environment are the key's: a token verifies only with that workspace's secrets.
//!
//! Verified by hand with the crates the edge already links (a JWT crate costs the Worker
//! 28–140 KB): strict base64url without padding, `alg` pinned to `HS256`, the signature checked
//! in constant time before any claim is read, then the claims: `sub` (a string, the customer
//! id), `exp` (required, at most 24 h ahead, 60 s leeway), `iat` (not in the future), `nbf`,
//! `aud` (when present, contains `tally`). `kid` in the header, when present, names the
//! secret; without it each live secret is tried (two at most, during a roll).
//!
//! [`Verified`] remembers the tokens an isolate has verified, as API gateways cache JWT
//! verifications (Envoy's `jwt_cache_config`): a shopper's next widget read with the same
//! token skips the HMAC and both JSON parses. A remembered token is accepted only while the
//! very secret that verified it is still live, compared in constant time with the token's
//! bytes, so it answers exactly what [`verify`] would.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::cache::Lru;
use crate::error::{ApiError, ErrorCode};
use crate::ids::validate_customer_id;

/// The longest lifetime a token may have: 24 hours.
pub const MAX_TTL_SECONDS: i64 = 24 * 3600;
/// Clock skew tolerated between the merchant's signer and the edge.
pub const LEEWAY_SECONDS: i64 = 60;
/// The longest string read as a token: 4 KB.
pub const MAX_TOKEN_LEN: usize = 4096;
/// Bytes of randomness in a newly generated identity secret.
pub const SECRET_LEN: usize = 32;
/// The audience a token may name (`aud` is optional).
pub const AUDIENCE: &str = "tally";

type HmacSha256 = Hmac<Sha256>;

/// What a verified token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// The merchant's customer id.
    pub sub: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// The optional `v` claim: the wallet `version` of the merchant's last write for this
    /// shopper, so `/v1/widget` answers at least that write (`crate::version`). 0 when absent.
    pub v: u64,
}

/// One identity secret of a workspace and environment.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentitySecret {
    /// Its id, which tokens may carry as `kid`.
    pub kid: String,
    /// The HMAC key: the secret's UTF-8 bytes as the dashboard shows it.
    pub secret: Vec<u8>,
    /// Unix seconds after which it no longer verifies (set when rolled), `None` for current.
    pub retires_at: Option<i64>,
}

impl std::fmt::Debug for IdentitySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentitySecret")
            .field("kid", &self.kid)
            .field("retires_at", &self.retires_at)
            .finish_non_exhaustive()
    }
}

/// Why a token is refused. Every reason but [`TokenError::Expired`] answers
/// `invalid_customer_token`; the message says which, for the merchant's developer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Absent.
    #[error("a customer token is required for this request")]
    Missing,
    /// Not three base64url parts of JSON, or longer than 4 KB.
    #[error("the customer token is not a JWT (three base64url parts, at most 4 KB)")]
    Malformed,
    /// `alg` is not `HS256` (`none`, HS384, RS256, …).
    #[error("customer tokens are signed HS256 with the identity secret")]
    Algorithm,
    /// The `kid` names no live identity secret.
    #[error("the customer token's kid names no current identity secret")]
    UnknownKid,
    /// The signature does not verify.
    #[error(
        "the customer token's signature does not verify with this workspace's identity secret"
    )]
    BadSignature,
    /// `sub` is missing, not a string, or not a customer id.
    #[error("the customer token's sub must be the customer id, as a string")]
    BadSubject,
    /// `exp` is missing or not a number.
    #[error("the customer token needs an exp claim (Unix seconds)")]
    NoExpiry,
    /// `exp` is further ahead than 24 hours.
    #[error("the customer token's lifetime exceeds 24 hours")]
    TooLong,
    /// `iat` or `nbf` is in the future.
    #[error("the customer token is not valid yet (iat or nbf in the future)")]
    NotYetValid,
    /// `aud` is present and does not name `tally`.
    #[error("the customer token's aud must include \"tally\" when present")]
    WrongAudience,
    /// For another customer than the one in the path.
    #[error("the customer token is for another customer")]
    WrongCustomer,
    /// Expired (after the leeway).
    #[error("the customer token has expired; mint a new one on your server")]
    Expired,
}

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        let code = match e {
            TokenError::Expired => ErrorCode::ExpiredCustomerToken,
            _ => ErrorCode::InvalidCustomerToken,
        };
        ApiError::with_message(code, e.to_string())
    }
}

fn mac(secret: &[u8], signed: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length.
    let mut m = <HmacSha256 as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    m.update(signed);
    m
}

fn b64(bytes: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out);
}

/// Mints a token for `sub`, issued at `iat` and expiring at `exp` (Unix seconds), naming
/// the secret's `kid` in its header: what `POST /v1/customer-tokens` answers, and what any
/// JWT library produces from `{ sub, iat, exp }` with the same secret.
pub fn sign(sub: &str, iat: i64, exp: i64, kid: &str, secret: &[u8]) -> String {
    let header = serde_json::json!({ "alg": "HS256", "typ": "JWT", "kid": kid });
    let claims = serde_json::json!({ "sub": sub, "iat": iat, "exp": exp });
    let mut token = String::new();
    b64(header.to_string().as_bytes(), &mut token);
    token.push('.');
    b64(claims.to_string().as_bytes(), &mut token);
    let sig = mac(secret, token.as_bytes()).finalize().into_bytes();
    token.push('.');
    b64(&sig, &mut token);
    token
}

/// What a token must match to be accepted.
#[derive(Debug, Clone, Copy)]
pub struct Expectation<'a> {
    /// The customer in the path, when the route names one.
    pub customer_id: Option<&'a str>,
    /// Now, Unix seconds.
    pub now: i64,
}

fn object(part: &str) -> Result<Map<String, Value>, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(TokenError::Malformed),
    }
}

/// A NumericDate: a JSON number of seconds, fractions allowed (and dropped).
fn numeric_date(v: Option<&Value>) -> Result<Option<i64>, ()> {
    match v {
        None => Ok(None),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(Some(i)),
            #[allow(clippy::cast_possible_truncation)]
            (None, Some(f)) if f.is_finite() && f.abs() < 1e15 => Ok(Some(f.floor() as i64)),
            _ => Err(()),
        },
        Some(_) => Err(()),
    }
}

/// Verifies a token against the live identity secrets of the key's workspace and
/// environment.
///
/// The header is read for `alg` and `kid` only; the claims are read after the signature
/// verifies, and expiry is reported only for a token that is otherwise valid, so
/// `expired_customer_token` never tells anything about a forged one.
pub fn verify(
    token: &str,
    secrets: &[IdentitySecret],
    want: &Expectation<'_>,
) -> Result<Claims, TokenError> {
    verify_with(token, secrets, want).map(|(claims, _)| claims)
}

/// [`verify`], also naming the secret whose signature matched.
fn verify_with<'s>(
    token: &str,
    secrets: &'s [IdentitySecret],
    want: &Expectation<'_>,
) -> Result<(Claims, &'s IdentitySecret), TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header_b64), Some(claims_b64), Some(sig_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header = object(header_b64)?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(TokenError::Algorithm);
    }
    // Extensions this verifier does not implement must not be ignored (RFC 7515 4.1.11).
    if header.contains_key("crit") {
        return Err(TokenError::Malformed);
    }
    let sig = URL_SAFE_NO_PAD
        .decode(sig_b64)
        .map_err(|_| TokenError::Malformed)?;
    let live = secrets.iter().filter(|s| s.live(want.now));
    let candidates: Vec<&IdentitySecret> = match header.get("kid") {
        None => live.collect(),
        Some(Value::String(kid)) => live.filter(|s| &s.kid == kid).collect(),
        Some(_) => return Err(TokenError::Malformed),
    };
    if candidates.is_empty() {
        return Err(TokenError::UnknownKid);
    }
    let signed = &token.as_bytes()[..header_b64.len() + 1 + claims_b64.len()];
    // Each candidate in constant time; without a kid there are two at most.
    let verified = candidates.iter().fold(None, |found, s| {
        if mac(&s.secret, signed).verify_slice(&sig).is_ok() {
            Some(*s)
        } else {
            found
        }
    });
    let Some(secret) = verified else {
        return Err(TokenError::BadSignature);
    };

    let claims = object(claims_b64)?;
    let sub = match claims.get("sub") {
        Some(Value::String(s)) if validate_customer_id(s).is_ok() => s.clone(),
        _ => return Err(TokenError::BadSubject),
    };
    let exp = numeric_date(claims.get("exp"))
        .map_err(|()| TokenError::NoExpiry)?
        .ok_or(TokenError::NoExpiry)?;
    let iat = numeric_date(claims.get("iat")).map_err(|()| TokenError::Malformed)?;
    let nbf = numeric_date(claims.get("nbf")).map_err(|()| TokenError::Malformed)?;
    match claims.get("aud") {
        None => {}
        Some(Value::String(a)) if a == AUDIENCE => {}
        Some(Value::Array(list)) if list.iter().any(|a| a.as_str() == Some(AUDIENCE)) => {}
        Some(_) => return Err(TokenError::WrongAudience),
    }
    let horizon = want.now.saturating_add(LEEWAY_SECONDS);
    if iat.is_some_and(|t| t > horizon) || nbf.is_some_and(|t| t > horizon) {
        return Err(TokenError::NotYetValid);
    }
    if exp > horizon.saturating_add(MAX_TTL_SECONDS) {
        return Err(TokenError::TooLong);
    }
    still_valid(&sub, exp, want)?;
    let v = match claims.get("v") {
        None => 0,
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|v| *v <= crate::version::MAX_VERSION)
            .ok_or(TokenError::Malformed)?,
        Some(_) => return Err(TokenError::Malformed),
    };
    Ok((Claims { sub, exp, v }, secret))
}

/// The checks that depend on the request and the clock, last: the customer in the path,
/// then expiry. Everything before them holds for a token's whole life once it held.
fn still_valid(sub: &str, exp: i64, want: &Expectation<'_>) -> Result<(), TokenError> {
    if want.customer_id.is_some_and(|cid| cid != sub) {
        return Err(TokenError::WrongCustomer);
    }
    if want.now > exp.saturating_add(LEEWAY_SECONDS) {
        return Err(TokenError::Expired);
    }
    Ok(())
}

impl IdentitySecret {
    /// Whether it still verifies at `now` (Unix seconds).
    fn live(&self, now: i64) -> bool {
        self.retires_at.is_none_or(|r| now < r)
    }
}

/// A token an isolate has verified: what [`Verified`] keeps.
struct Seen {
    /// The token's header and claims, as signed.
    signed: Box<str>,
    /// The secret whose signature matched: its kid and the SHA-256 of its bytes (no copy
    /// of a secret outlives the identity cache's).
    kid: Box<str>,
    secret_digest: [u8; 32],
    claims: Claims,
}

/// The tokens an isolate has verified, by signature, at most `capacity`, each until it
/// expires: a shopper's page views with one token pay for one verification.
///
/// A remembered token is answered only when its header and claims are byte for byte the
/// ones verified (in constant time) and the secret that verified it is still live with the
/// same bytes (a rolled or deleted secret ends it at once); then the customer and expiry
/// are checked as [`verify`] checks them, in the same order. Anything else, or a token not
/// seen, is verified in full. Refused tokens are never remembered, so a flood of forged
/// ones costs what it costs without the cache and evicts nothing but idle entries.
pub struct Verified {
    seen: Lru<[u8; 32], std::rc::Rc<Seen>>,
}

impl Verified {
    /// An empty cache of at most `capacity` tokens.
    pub fn new(capacity: usize) -> Self {
        Verified {
            seen: Lru::new(capacity),
        }
    }

    /// Tokens remembered (expired ones included until touched or evicted).
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether none is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// [`verify`], answered from memory for a token verified before.
    pub fn verify(
        &mut self,
        token: &str,
        secrets: &[IdentitySecret],
        want: &Expectation<'_>,
    ) -> Result<Claims, TokenError> {
        let Some((signed, signature)) = split_signature(token) else {
            return verify(token, secrets, want);
        };
        let now_ms = want.now.saturating_mul(1000);
        if let Some(seen) = self.seen.get(&signature, now_ms) {
            // Slices of different lengths compare unequal (lengths are not secret).
            let same_token = bool::from(seen.signed.as_bytes().ct_eq(signed.as_bytes()));
            let same_secret = || {
                secrets.iter().any(|s| {
                    *s.kid == *seen.kid
                        && s.live(want.now)
                        && bool::from(digest(&s.secret).ct_eq(&seen.secret_digest))
                })
            };
            if same_token && same_secret() {
                still_valid(&seen.claims.sub, seen.claims.exp, want)?;
                return Ok(seen.claims.clone());
            }
        }
        let (claims, secret) = verify_with(token, secrets, want)?;
        // Kept until the token expires (after which `verify` answers `Expired` anyway).
        let until = claims
            .exp
            .saturating_add(LEEWAY_SECONDS)
            .saturating_add(1)
            .saturating_mul(1000);
        self.seen.put(
            signature,
            std::rc::Rc::new(Seen {
                signed: signed.into(),
                kid: secret.kid.as_str().into(),
                secret_digest: digest(&secret.secret),
                claims: claims.clone(),
            }),
            until,
        );
        Ok(claims)
    }
}

fn digest(secret: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    Sha256::digest(secret).into()
}

/// A token's signed part and its 32-byte signature; `None` when it has no such signature
/// (which [`verify`] then refuses with its reason). Too long a token is refused by `verify`
/// before anything is kept.
fn split_signature(token: &str) -> Option<(&str, [u8; 32])> {
    let (signed, sig_b64) = token.rsplit_once('.')?;
    let mut signature = [0u8; 32];
    match URL_SAFE_NO_PAD.decode_slice(sig_b64, &mut signature) {
        Ok(32) => Some((signed, signature)),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const NOW: i64 = 1_800_000_000;
    /// An identity secret as the dashboard shows it.
    const SHOWN: &str = "q7Vb2Nx9Kp4Lm8Zt1Wc6Rj3Hs5Dy0Fa2Gu7Ie4Ok9Pw";

    fn secret(kid: &str, shown: &str) -> IdentitySecret {
        IdentitySecret {
            kid: kid.to_owned(),
            secret: shown.as_bytes().to_vec(),
            retires_at: None,
        }
    }

    fn want(cid: Option<&str>) -> Expectation<'_> {
        Expectation {
            customer_id: cid,
            now: NOW,
        }
    }

    /// A token assembled from raw header and claims JSON, signed with `key`.
    fn raw(header: &str, claims: &str, key: &[u8]) -> String {
        let mut t = String::new();
        b64(header.as_bytes(), &mut t);
        t.push('.');
        b64(claims.as_bytes(), &mut t);
        let sig = mac(key, t.as_bytes()).finalize().into_bytes();
        t.push('.');
        b64(&sig, &mut t);
        t
    }

    fn hs256(claims: &str) -> String {
        raw(r#"{"alg":"HS256","typ":"JWT"}"#, claims, SHOWN.as_bytes())
    }

    fn check(token: &str) -> Result<Claims, TokenError> {
        verify(token, &[secret("ids_1", SHOWN)], &want(Some("ada")))
    }

    #[test]
    fn a_minted_token_verifies_and_is_a_standard_jwt() {
        let token = sign("ada", NOW, NOW + 300, "ids_1", SHOWN.as_bytes());
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "HS256");
        assert_eq!(header["kid"], "ids_1");
        assert_eq!(
            check(&token),
            Ok(Claims {
                sub: "ada".into(),
                exp: NOW + 300,
                v: 0
            })
        );
    }

    #[test]
    fn a_token_from_a_jwt_library_verifies() {
        // Computed independently with Python's hmac and base64 modules (the same bytes PyJWT
        // produces for `{"sub": "ada", "iat": 1800000000, "exp": 1800000300}`); the end-to-end
        // tests mint with PyJWT and npm jsonwebtoken themselves.
        let token = hs256(r#"{"sub":"ada","iat":1800000000,"exp":1800000300}"#);
        assert_eq!(
            token,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGEiLCJpYXQiOjE4MDAwMDAwMDAsImV4cCI6MTgwMDAwMDMwMH0.HuxZ7DC_6lGKWiF-5PhmVERBNw3ViSC2nBg8AGTgfF0"
        );
        assert!(check(&token).is_ok());
    }

    #[test]
    fn only_hs256_is_accepted() {
        let claims = r#"{"sub":"ada","exp":1800000300}"#;
        for header in [
            r#"{"alg":"none"}"#,
            r#"{"alg":"HS512","typ":"JWT"}"#,
            r#"{"alg":"HS384"}"#,
            r#"{"alg":"RS256"}"#,
            r#"{"alg":"hs256"}"#,
            r#"{"typ":"JWT"}"#,
        ] {
            assert_eq!(
                check(&raw(header, claims, SHOWN.as_bytes())),
                Err(TokenError::Algorithm),
                "{header}"
            );
        }
        // `alg: none` with an empty signature.
        let mut none = String::new();
        b64(br#"{"alg":"none"}"#, &mut none);
        none.push('.');
        b64(claims.as_bytes(), &mut none);
        none.push('.');
        assert_eq!(check(&none), Err(TokenError::Algorithm));
        let crit = raw(
            r#"{"alg":"HS256","crit":["exp"]}"#,
            claims,
            SHOWN.as_bytes(),
        );
        assert_eq!(check(&crit), Err(TokenError::Malformed));
    }

    #[test]
    fn a_token_may_carry_the_version_of_the_merchants_last_write() {
        let ok = |c: &str| check(&hs256(c)).map(|c| c.v);
        assert_eq!(ok(r#"{"sub":"ada","exp":1800000300}"#), Ok(0));
        assert_eq!(ok(r#"{"sub":"ada","exp":1800000300,"v":42}"#), Ok(42));
        assert_eq!(
            ok(r#"{"sub":"ada","exp":1800000300,"v":999999999999999}"#),
            Ok(crate::version::MAX_VERSION)
        );
        for bad in [
            r#"{"sub":"ada","exp":1800000300,"v":-1}"#,
            r#"{"sub":"ada","exp":1800000300,"v":1.5}"#,
            r#"{"sub":"ada","exp":1800000300,"v":"42"}"#,
            r#"{"sub":"ada","exp":1800000300,"v":1000000000000000}"#,
        ] {
            assert_eq!(ok(bad), Err(TokenError::Malformed), "{bad}");
        }
    }

    #[test]
    fn the_claims_are_checked_as_the_spec_says() {
        let ok = |c: &str| check(&hs256(c));
        assert!(ok(r#"{"sub":"ada","exp":1800000300,"aud":"tally"}"#).is_ok());
        assert!(ok(r#"{"sub":"ada","exp":1800000300,"aud":["shop","tally"]}"#).is_ok());
        assert!(ok(r#"{"sub":"ada","exp":1800000300.9}"#).is_ok());
        assert_eq!(
            ok(r#"{"sub":"ada","exp":1800000300,"aud":"other"}"#),
            Err(TokenError::WrongAudience)
        );
        assert_eq!(
            ok(r#"{"sub":"ada","exp":1800000300,"aud":["other"]}"#),
            Err(TokenError::WrongAudience)
        );
        assert_eq!(
            ok(r#"{"sub":7,"exp":1800000300}"#),
            Err(TokenError::BadSubject)
        );
        assert_eq!(ok(r#"{"exp":1800000300}"#), Err(TokenError::BadSubject));
        assert_eq!(
            ok(r#"{"sub":"a/b","exp":1800000300}"#),
            Err(TokenError::BadSubject)
        );
        assert_eq!(ok(r#"{"sub":"ada"}"#), Err(TokenError::NoExpiry));
        assert_eq!(
            ok(r#"{"sub":"ada","exp":"1800000300"}"#),
            Err(TokenError::NoExpiry)
        );
        assert_eq!(
            ok(r#"{"sub":"bob","exp":1800000300}"#),
            Err(TokenError::WrongCustomer)
        );
        // Lifetime: 24 hours (and the leeway) at most; 48 hours is refused.
        assert!(ok(&format!(
            r#"{{"sub":"ada","exp":{}}}"#,
            NOW + MAX_TTL_SECONDS
        ))
        .is_ok());
        assert_eq!(
            ok(&format!(
                r#"{{"sub":"ada","exp":{}}}"#,
                NOW + 2 * MAX_TTL_SECONDS
            )),
            Err(TokenError::TooLong)
        );
        // Issued in the future beyond the leeway.
        assert!(ok(&format!(
            r#"{{"sub":"ada","iat":{},"exp":{}}}"#,
            NOW + 60,
            NOW + 600
        ))
        .is_ok());
        assert_eq!(
            ok(&format!(
                r#"{{"sub":"ada","iat":{},"exp":{}}}"#,
                NOW + 61,
                NOW + 600
            )),
            Err(TokenError::NotYetValid)
        );
        assert_eq!(
            ok(&format!(
                r#"{{"sub":"ada","nbf":{},"exp":{}}}"#,
                NOW + 120,
                NOW + 600
            )),
            Err(TokenError::NotYetValid)
        );
    }

    #[test]
    fn a_day_long_token_is_accepted_and_a_longer_one_is_not() {
        // The spec's numbers, written out: 24 hours, plus a minute of clock skew.
        let ok = |c: String| check(&hs256(&c));
        assert!(ok(format!(r#"{{"sub":"ada","exp":{}}}"#, NOW + 86_400)).is_ok());
        assert!(ok(format!(r#"{{"sub":"ada","exp":{}}}"#, NOW + 86_460)).is_ok());
        assert_eq!(
            ok(format!(r#"{{"sub":"ada","exp":{}}}"#, NOW + 86_461)),
            Err(TokenError::TooLong)
        );
    }

    #[test]
    fn debug_output_names_an_identity_secret_without_its_value() {
        let s = secret("ids_1", SHOWN);
        let shown = format!("{s:?}");
        assert_eq!(
            shown,
            r#"IdentitySecret { kid: "ids_1", retires_at: None, .. }"#
        );
        assert!(!shown.contains(SHOWN));
    }

    #[test]
    fn a_token_of_exactly_4_kb_verifies_and_one_byte_more_does_not() {
        // Grow a claim until the token is the longest allowed; base64url skips some lengths,
        // so a second claim evens it out.
        let token = |n: usize, m: usize| {
            hs256(&format!(
                r#"{{"sub":"ada","exp":{},"a":"{}","b":"{}"}}"#,
                NOW + 600,
                "x".repeat(n),
                "y".repeat(m)
            ))
        };
        let exact = (0..3200)
            .flat_map(|n| (0..3).map(move |m| (n, m)))
            .map(|(n, m)| token(n, m))
            .find(|t| t.len() == MAX_TOKEN_LEN)
            .expect("some claim length gives exactly 4096 bytes");
        assert!(check(&exact).is_ok());
        let longer = (0..3200)
            .map(|n| token(n, 0))
            .find(|t| t.len() > MAX_TOKEN_LEN)
            .unwrap();
        assert_eq!(check(&longer), Err(TokenError::Malformed));
    }

    #[test]
    fn the_limits_are_inclusive_where_the_spec_says_at_most() {
        let ok = |c: String| check(&hs256(&c));
        // exp at most 24 h (and the leeway) ahead; nbf and iat at most the leeway ahead.
        let longest = NOW + LEEWAY_SECONDS + MAX_TTL_SECONDS;
        assert!(ok(format!(r#"{{"sub":"ada","exp":{longest}}}"#)).is_ok());
        assert_eq!(
            ok(format!(r#"{{"sub":"ada","exp":{}}}"#, longest + 1)),
            Err(TokenError::TooLong)
        );
        assert!(ok(format!(
            r#"{{"sub":"ada","nbf":{},"exp":{}}}"#,
            NOW + 60,
            NOW + 600
        ))
        .is_ok());
        assert_eq!(
            ok(format!(
                r#"{{"sub":"ada","nbf":{},"exp":{}}}"#,
                NOW + 61,
                NOW + 600
            )),
            Err(TokenError::NotYetValid)
        );
        // A number JSON can hold but no date can be: refused, not saturated.
        for exp in ["1e15", "1e300", "-1e300"] {
            assert_eq!(
                ok(format!(r#"{{"sub":"ada","exp":{exp}}}"#)),
                Err(TokenError::NoExpiry),
                "{exp}"
            );
        }
    }

    #[test]
    fn a_secret_retires_at_its_second_and_any_live_match_verifies() {
        let claims = r#"{"sub":"ada","exp":1800000300}"#;
        let old = IdentitySecret {
            retires_at: Some(NOW),
            ..secret("ids_old", "the old secret")
        };
        let by_old = raw(r#"{"alg":"HS256"}"#, claims, b"the old secret");
        assert_eq!(
            verify(&by_old, std::slice::from_ref(&old), &want(None)),
            Err(TokenError::UnknownKid),
            "retired at now"
        );
        // The same value under two ids (a roll that reused it): both match, still valid.
        let twins = [secret("ids_a", SHOWN), secret("ids_b", SHOWN)];
        assert!(verify(&hs256(claims), &twins, &want(None)).is_ok());
    }

    #[test]
    fn expiry_has_sixty_seconds_of_leeway_and_its_own_code() {
        let at = |exp: i64| check(&hs256(&format!(r#"{{"sub":"ada","exp":{exp}}}"#)));
        assert!(at(NOW - 60).is_ok());
        assert_eq!(at(NOW - 61), Err(TokenError::Expired));
        assert_eq!(
            ApiError::from(TokenError::Expired).code,
            ErrorCode::ExpiredCustomerToken
        );
        assert_eq!(
            ApiError::from(TokenError::BadSignature).code,
            ErrorCode::InvalidCustomerToken
        );
        // A forged, expired token is a bad signature, never "expired".
        let forged = raw(
            r#"{"alg":"HS256"}"#,
            r#"{"sub":"ada","exp":1}"#,
            b"another secret",
        );
        assert_eq!(check(&forged), Err(TokenError::BadSignature));
    }

    #[test]
    fn the_key_is_the_secret_as_shown_and_kid_picks_among_live_secrets() {
        let claims = r#"{"sub":"ada","exp":1800000300}"#;
        // Keyed by the decoded bytes of the shown string: refused.
        let decoded = URL_SAFE_NO_PAD.decode(SHOWN).unwrap();
        assert_eq!(
            check(&raw(r#"{"alg":"HS256"}"#, claims, &decoded)),
            Err(TokenError::BadSignature)
        );
        let old = IdentitySecret {
            retires_at: Some(NOW + 10),
            ..secret("ids_old", "the old secret")
        };
        let new = secret("ids_new", SHOWN);
        let both = [new.clone(), old.clone()];
        let by_old = raw(r#"{"alg":"HS256"}"#, claims, b"the old secret");
        let by_new = hs256(claims);
        // Without a kid, each live secret is tried.
        assert!(verify(&by_old, &both, &want(None)).is_ok());
        assert!(verify(&by_new, &both, &want(None)).is_ok());
        // With one, only that secret.
        let old_kid = raw(
            r#"{"alg":"HS256","kid":"ids_old"}"#,
            claims,
            b"the old secret",
        );
        assert!(verify(&old_kid, &both, &want(None)).is_ok());
        let wrong_kid = raw(
            r#"{"alg":"HS256","kid":"ids_new"}"#,
            claims,
            b"the old secret",
        );
        assert_eq!(
            verify(&wrong_kid, &both, &want(None)),
            Err(TokenError::BadSignature)
        );
        let unknown = raw(r#"{"alg":"HS256","kid":"ids_x"}"#, claims, SHOWN.as_bytes());
        assert_eq!(
            verify(&unknown, &both, &want(None)),
            Err(TokenError::UnknownKid)
        );
        // After the overlap, only the new secret.
        let later = Expectation {
            now: NOW + 11,
            ..want(None)
        };
        assert_eq!(
            verify(&by_old, &both, &later),
            Err(TokenError::BadSignature)
        );
        assert_eq!(verify(&old_kid, &both, &later), Err(TokenError::UnknownKid));
        assert!(verify(&by_new, &[new, old], &later).is_ok());
    }

    #[test]
    fn shape_and_size_are_strict() {
        let good = hs256(r#"{"sub":"ada","exp":1800000300}"#);
        assert!(check(&good).is_ok());
        for bad in [
            String::new(),
            "a.b".into(),
            format!("{good}.x"),
            format!("{good}="),
            good.replacen('.', "=.", 1),
            good.replace('-', "+"),
            " ".to_owned() + &good,
        ] {
            if bad == good {
                continue;
            }
            assert!(check(&bad).is_err(), "{bad}");
        }
        let padding = "x".repeat(MAX_TOKEN_LEN);
        let big = hs256(&format!(
            r#"{{"sub":"ada","exp":1800000300,"pad":"{padding}"}}"#
        ));
        assert_eq!(check(&big), Err(TokenError::Malformed));
    }

    /// A token for `sub` expiring at `exp`, with a kid, signed with `key`.
    fn minted(sub: &str, exp: i64, kid: &str, key: &str) -> String {
        sign(sub, NOW, exp, kid, key.as_bytes())
    }

    #[test]
    fn a_remembered_token_is_answered_from_memory() {
        let mut cache = Verified::new(8);
        let token = minted("ada", NOW + 300, "ids_1", SHOWN);
        let secrets = [secret("ids_1", SHOWN)];
        let first = cache.verify(&token, &secrets, &want(Some("ada"))).unwrap();
        assert_eq!(cache.len(), 1);
        assert!(!cache.is_empty());
        assert_eq!(
            cache.verify(&token, &secrets, &want(Some("ada"))),
            Ok(first)
        );
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn another_tokens_claims_under_a_remembered_signature_are_refused() {
        let mut cache = Verified::new(8);
        let secrets = [secret("ids_1", SHOWN)];
        let ada = minted("ada", NOW + 300, "ids_1", SHOWN);
        cache.verify(&ada, &secrets, &want(None)).unwrap();
        // Bob's header and claims, glued to Ada's signature.
        let bob = minted("bob", NOW + 300, "ids_1", SHOWN);
        let (bob_signed, _) = bob.rsplit_once('.').unwrap();
        let (_, ada_sig) = ada.rsplit_once('.').unwrap();
        let forged = format!("{bob_signed}.{ada_sig}");
        assert_eq!(
            cache.verify(&forged, &secrets, &want(None)),
            Err(TokenError::BadSignature)
        );
        // Same length, one byte off: refused too.
        let mut bytes = ada.clone().into_bytes();
        let at = ada.find('.').unwrap() + 3;
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(cache.verify(&tampered, &secrets, &want(None)).is_err());
    }

    #[test]
    fn a_rolled_or_replaced_secret_ends_its_remembered_tokens_at_once() {
        let mut cache = Verified::new(8);
        let token = minted("ada", NOW + 300, "ids_1", SHOWN);
        cache
            .verify(&token, &[secret("ids_1", SHOWN)], &want(None))
            .unwrap();
        // Deleted: no live secret has the kid.
        assert_eq!(
            cache.verify(&token, &[secret("ids_2", "another secret")], &want(None)),
            Err(TokenError::UnknownKid)
        );
        // The same kid with other bytes is not the secret that verified it.
        assert_eq!(
            cache.verify(&token, &[secret("ids_1", "another secret")], &want(None)),
            Err(TokenError::BadSignature)
        );
        // Retiring: live until its second, then gone.
        let retiring = IdentitySecret {
            retires_at: Some(NOW + 10),
            ..secret("ids_1", SHOWN)
        };
        let at = |now| Expectation {
            customer_id: None,
            now,
        };
        let retiring = std::slice::from_ref(&retiring);
        assert!(cache.verify(&token, retiring, &at(NOW + 9)).is_ok());
        assert_eq!(
            cache.verify(&token, retiring, &at(NOW + 10)),
            Err(TokenError::UnknownKid)
        );
    }

    #[test]
    fn a_remembered_token_naming_a_kid_needs_that_kid_not_only_its_bytes() {
        // A roll that reused the value under a new id, then the old id deleted: the token
        // names the old id, so `verify` refuses it, and so must the cache.
        let mut cache = Verified::new(8);
        let token = minted("ada", NOW + 300, "ids_a", SHOWN);
        let twins = [secret("ids_a", SHOWN), secret("ids_b", SHOWN)];
        cache.verify(&token, &twins, &want(None)).unwrap();
        let only_b = [secret("ids_b", SHOWN)];
        assert_eq!(
            cache.verify(&token, &only_b, &want(None)),
            Err(TokenError::UnknownKid)
        );
        assert_eq!(
            verify(&token, &only_b, &want(None)),
            Err(TokenError::UnknownKid)
        );
    }

    #[test]
    fn customer_and_expiry_are_checked_on_every_answer_from_memory() {
        let mut cache = Verified::new(8);
        let secrets = [secret("ids_1", SHOWN)];
        let token = minted("ada", NOW + 300, "ids_1", SHOWN);
        cache.verify(&token, &secrets, &want(Some("ada"))).unwrap();
        assert_eq!(
            cache.verify(&token, &secrets, &want(Some("bob"))),
            Err(TokenError::WrongCustomer)
        );
        let at = |now| Expectation {
            customer_id: Some("ada"),
            now,
        };
        assert!(cache.verify(&token, &secrets, &at(NOW + 360)).is_ok());
        assert_eq!(
            cache.verify(&token, &secrets, &at(NOW + 361)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn refused_tokens_are_never_remembered() {
        let mut cache = Verified::new(8);
        let secrets = [secret("ids_1", SHOWN)];
        for token in [
            minted("ada", NOW + 300, "ids_1", "another secret"),
            minted("ada", NOW - 100, "ids_1", SHOWN),
            minted("ada", NOW + 300, "ids_9", SHOWN),
            "a.b.c".to_owned(),
            String::new(),
        ] {
            assert!(cache.verify(&token, &secrets, &want(None)).is_err());
        }
        assert!(cache.is_empty());
        // Nor one that verified for another customer than the path's.
        let bob = minted("bob", NOW + 300, "ids_1", SHOWN);
        assert!(cache.verify(&bob, &secrets, &want(Some("ada"))).is_err());
        assert!(cache.is_empty());
    }

    #[test]
    fn the_cache_holds_at_most_its_capacity() {
        let mut cache = Verified::new(2);
        let secrets = [secret("ids_1", SHOWN)];
        for sub in ["ada", "bob", "cyd"] {
            let token = minted(sub, NOW + 300, "ids_1", SHOWN);
            cache.verify(&token, &secrets, &want(None)).unwrap();
        }
        assert_eq!(cache.len(), 2);
    }

    proptest! {
        /// Whatever the order of tokens, secrets, customers and (forward-moving) clock, the
        /// cache answers exactly what `verify` answers.
        #[test]
        fn the_cache_answers_what_verify_answers(
            steps in proptest::collection::vec((0usize..6, 0usize..5, 0usize..3, 0i64..120), 1..40)
        ) {
            let ada = minted("ada", NOW + 300, "ids_1", SHOWN);
            let bob = sign("bob", NOW, NOW + 200, "ids_1", SHOWN.as_bytes());
            let no_kid = hs256(r#"{"sub":"ada","exp":1800000100}"#);
            let (bob_signed, _) = bob.rsplit_once('.').unwrap();
            let (_, ada_sig) = ada.rsplit_once('.').unwrap();
            let swapped = format!("{bob_signed}.{ada_sig}");
            let other = minted("ada", NOW + 300, "ids_2", "the next secret");
            let tokens = [ada, bob, no_kid, swapped, other, "x.y.z".to_owned()];
            let sets: [Vec<IdentitySecret>; 5] = [
                vec![secret("ids_1", SHOWN)],
                vec![],
                vec![secret("ids_1", "replaced")],
                vec![
                    IdentitySecret { retires_at: Some(NOW + 150), ..secret("ids_1", SHOWN) },
                    secret("ids_2", "the next secret"),
                ],
                vec![secret("ids_2", "the next secret")],
            ];
            let customers = [None, Some("ada"), Some("bob")];
            let mut cache = Verified::new(3);
            let mut now = NOW;
            for (t, set, c, dt) in steps {
                now += dt;
                let want = Expectation { customer_id: customers[c], now };
                prop_assert_eq!(
                    cache.verify(&tokens[t], &sets[set], &want),
                    verify(&tokens[t], &sets[set], &want),
                    "token {} secrets {} customer {:?} at +{}", t, set, customers[c], now - NOW
                );
            }
        }

        /// Any single-byte change to a valid token is refused.
        #[test]
        fn any_single_byte_change_is_refused(i in 0usize..400, byte in 0u8..=255) {
            let token = sign("ada", NOW, NOW + 300, "ids_1", SHOWN.as_bytes());
            let mut bytes = token.clone().into_bytes();
            let i = i % bytes.len();
            prop_assume!(bytes[i] != byte);
            bytes[i] = byte;
            if let Ok(changed) = String::from_utf8(bytes) {
                prop_assert!(check(&changed).is_err(), "{changed}");
            }
        }

        /// Arbitrary strings never panic and never verify.
        #[test]
        fn arbitrary_strings_never_verify(s in ".{0,300}") {
            prop_assert!(check(&s).is_err());
        }
    }
}
