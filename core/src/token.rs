//! Customer tokens: a shopper's identity, minted by the merchant's backend.
//!
//! `v1.<base64url(json {ws, env, cid, exp, kid})>.<base64url(HMAC-SHA256(secret, "v1.<payload>"))>`
//!
//! A publishable key alone never reads a shopper's data: the widget also presents a token
//! signed with the workspace's identity secret for that environment. `kid` names the secret,
//! so a rolled secret keeps verifying its tokens until its overlap ends. `exp` is Unix
//! seconds, at most [`MAX_TTL_SECONDS`] ahead.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{ApiError, ErrorCode};
use crate::key::Environment;

/// The longest lifetime a token may have: 24 hours.
pub const MAX_TTL_SECONDS: i64 = 24 * 3600;
/// Clock skew tolerated between the merchant's signer and the edge.
pub const CLOCK_SKEW_SECONDS: i64 = 300;
/// The longest string parsed as a token.
pub const MAX_TOKEN_LEN: usize = 1024;
/// Bytes of a newly generated identity secret.
pub const SECRET_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Workspace id.
    pub ws: String,
    /// `test` or `prod`.
    pub env: String,
    /// The merchant's customer id.
    pub cid: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// The identity secret's id.
    pub kid: String,
}

/// One identity secret of a workspace and environment.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentitySecret {
    /// Its id, carried in tokens as `kid`.
    pub kid: String,
    /// The secret bytes.
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

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Absent.
    #[error("a customer token is required for this request")]
    Missing,
    /// Not `v1.<payload>.<signature>` or not decodable.
    #[error("the customer token is malformed")]
    Malformed,
    /// The `kid` names no live identity secret.
    #[error("the customer token was signed with an unknown or retired identity secret")]
    UnknownKid,
    /// The signature does not verify.
    #[error("the customer token's signature does not verify")]
    BadSignature,
    /// Signed for another workspace or environment than the key's.
    #[error("the customer token belongs to another workspace or environment")]
    WrongAudience,
    /// For another customer than the one in the path.
    #[error("the customer token is for another customer")]
    WrongCustomer,
    /// `exp` is further ahead than 24 hours.
    #[error("the customer token's lifetime exceeds 24 hours")]
    TooLong,
    /// Expired.
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

/// Signs claims with a secret.
pub fn sign(claims: &Claims, secret: &[u8]) -> String {
    // Serialising a struct of strings and integers cannot fail.
    let json = serde_json::to_vec(claims).unwrap_or_default();
    let mut token = String::from("v1.");
    URL_SAFE_NO_PAD.encode_string(json, &mut token);
    let sig = mac(secret, token.as_bytes()).finalize().into_bytes();
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(sig, &mut token);
    token
}

fn mac(secret: &[u8], data: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length.
    let mut m = <HmacSha256 as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    m.update(data);
    m
}

/// What a token must match to be accepted.
#[derive(Debug, Clone, Copy)]
pub struct Expectation<'a> {
    /// The key's workspace.
    pub workspace_id: &'a str,
    /// The key's environment.
    pub env: Environment,
    /// The customer in the path, when the route names one.
    pub customer_id: Option<&'a str>,
    /// Now, Unix seconds.
    pub now: i64,
}

/// Verifies a token: shape, `kid`, signature (constant time), audience, customer, lifetime.
///
/// The signature is checked before any claim is trusted; expiry is reported only for a
/// token that is otherwise valid, so `expired_customer_token` never leaks anything about a
/// forged one.
pub fn verify(
    token: &str,
    secrets: &[IdentitySecret],
    want: &Expectation<'_>,
) -> Result<Claims, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let rest = token.strip_prefix("v1.").ok_or(TokenError::Malformed)?;
    let (payload_b64, sig_b64) = rest.split_once('.').ok_or(TokenError::Malformed)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload_b64)
        .map_err(|_| TokenError::Malformed)?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig_b64)
        .map_err(|_| TokenError::Malformed)?;
    let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;

    let secret = secrets
        .iter()
        .find(|s| s.kid == claims.kid && s.retires_at.is_none_or(|r| want.now < r))
        .ok_or(TokenError::UnknownKid)?;
    let signed = &token[..3 + payload_b64.len()];
    mac(&secret.secret, signed.as_bytes())
        .verify_slice(&sig)
        .map_err(|_| TokenError::BadSignature)?;

    if claims.ws != want.workspace_id || claims.env != want.env.as_str() {
        return Err(TokenError::WrongAudience);
    }
    if let Some(cid) = want.customer_id {
        if claims.cid != cid {
            return Err(TokenError::WrongCustomer);
        }
    }
    if claims.exp > want.now + MAX_TTL_SECONDS + CLOCK_SKEW_SECONDS {
        return Err(TokenError::TooLong);
    }
    if claims.exp <= want.now {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn secret(kid: &str, byte: u8) -> IdentitySecret {
        IdentitySecret {
            kid: kid.to_owned(),
            secret: vec![byte; SECRET_LEN],
            retires_at: None,
        }
    }

    fn claims(cid: &str, exp: i64) -> Claims {
        Claims {
            ws: "ws_demo".into(),
            env: "test".into(),
            cid: cid.into(),
            exp,
            kid: "ids_1".into(),
        }
    }

    fn want(cid: Option<&str>) -> Expectation<'_> {
        Expectation {
            workspace_id: "ws_demo",
            env: Environment::Test,
            customer_id: cid,
            now: NOW,
        }
    }

    #[test]
    fn a_signed_token_verifies_and_has_the_documented_shape() {
        let s = secret("ids_1", 7);
        let token = sign(&claims("ada", NOW + 3600), &s.secret);
        assert!(token.starts_with("v1."));
        assert_eq!(token.split('.').count(), 3);
        let got = verify(&token, &[s], &want(Some("ada"))).expect("verifies");
        assert_eq!(got.cid, "ada");
    }

    #[test]
    fn a_token_signed_elsewhere_matches_this_implementation() {
        // Reference vector computed independently with Python's hmac/base64 modules.
        let token = sign(&claims("ada", 1_800_003_600), &[7u8; 32]);
        assert_eq!(
            token,
            "v1.eyJ3cyI6IndzX2RlbW8iLCJlbnYiOiJ0ZXN0IiwiY2lkIjoiYWRhIiwiZXhwIjoxODAwMDAzNjAwLCJraWQiOiJpZHNfMSJ9.sf1HNEbZ8GXXQCoy4k-i6L5vbMXQJ3sPV3fMPIDD6dA"
        );
    }

    #[test]
    fn tampering_with_any_part_is_refused() {
        let s = secret("ids_1", 7);
        let token = sign(&claims("ada", NOW + 3600), &s.secret);
        let forged_payload = sign(&claims("bob", NOW + 3600), &[8u8; 32]);
        let (_, forged_sig) = token.rsplit_once('.').expect("three parts");
        let (forged_head, _) = forged_payload.rsplit_once('.').expect("three parts");
        let swapped = format!("{forged_head}.{forged_sig}");
        assert_eq!(
            verify(&swapped, std::slice::from_ref(&s), &want(None)),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            verify(&forged_payload, std::slice::from_ref(&s), &want(None)),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            verify("v1.x", std::slice::from_ref(&s), &want(None)),
            Err(TokenError::Malformed)
        );
        assert_eq!(
            verify("v2.a.b", std::slice::from_ref(&s), &want(None)),
            Err(TokenError::Malformed)
        );
        assert_eq!(verify("", &[s], &want(None)), Err(TokenError::Malformed));
    }

    #[test]
    fn expiry_lifetime_customer_and_audience_are_enforced() {
        let s = secret("ids_1", 7);
        let expired = sign(&claims("ada", NOW - 1), &s.secret);
        assert_eq!(
            verify(&expired, std::slice::from_ref(&s), &want(None)),
            Err(TokenError::Expired)
        );
        let forever = sign(&claims("ada", NOW + 30 * 24 * 3600), &s.secret);
        assert_eq!(
            verify(&forever, std::slice::from_ref(&s), &want(None)),
            Err(TokenError::TooLong)
        );
        let ok = sign(&claims("ada", NOW + 60), &s.secret);
        assert_eq!(
            verify(&ok, std::slice::from_ref(&s), &want(Some("bob"))),
            Err(TokenError::WrongCustomer)
        );
        let prod = Expectation {
            env: Environment::Prod,
            ..want(None)
        };
        assert_eq!(
            verify(&ok, std::slice::from_ref(&s), &prod),
            Err(TokenError::WrongAudience)
        );
        let other_ws = Expectation {
            workspace_id: "ws_other",
            ..want(None)
        };
        assert_eq!(verify(&ok, &[s], &other_ws), Err(TokenError::WrongAudience));
    }

    #[test]
    fn rolled_secrets_verify_until_they_retire() {
        let old = IdentitySecret {
            retires_at: Some(NOW + 10),
            ..secret("ids_1", 7)
        };
        let new = secret("ids_2", 9);
        let token = sign(&claims("ada", NOW + 60), &old.secret);
        assert!(verify(&token, &[new.clone(), old.clone()], &want(None)).is_ok());
        let later = Expectation {
            now: NOW + 11,
            ..want(None)
        };
        assert_eq!(
            verify(&token, &[new, old], &later),
            Err(TokenError::UnknownKid)
        );
    }

    #[test]
    fn expired_maps_to_its_own_code() {
        assert_eq!(
            ApiError::from(TokenError::Expired).code,
            ErrorCode::ExpiredCustomerToken
        );
        assert_eq!(
            ApiError::from(TokenError::BadSignature).code,
            ErrorCode::InvalidCustomerToken
        );
    }
}
