//! The verifier: one decision, in a fixed order, for every request that carries a key.
//!
//! 1. Extract the key (`Authorization: Bearer`; the `key` query parameter only for `pk`).
//!    A `sk` key in a URL is refused (`secret_key_in_url`) and recorded as an exposure.
//! 2. Check format and checksum without storage.
//! 3. (The edge looks the hash up.) Unknown, revoked, expired, other workspace.
//! 0. (Before routing, on every path: [`crate::screen`].)
//! 4. Classify the caller. A secret-kind key from a browser, whatever its scopes, is refused
//!    on every route, reads included, before any data is read or written, and recorded as
//!    an exposure.
//! 5. A publishable key from a browser must come from one of its allowed origins.
//! 6. Scopes.
//! 7. Customer token, where the route needs one ([`check_customer_token`]).
//! 8. (The edge applies the rate limits named by [`Grant::rate_limit_subjects`].)
//!
//! Steps 1–2 are [`extract`], 3–6 are [`authorize`]; both are pure, so the order is tested
//! here, natively, including by property tests.

use crate::caller::{BrowserSignals, CallerClass};
use crate::error::{ApiError, ErrorCode};
use crate::key::{self, Environment, KeyHash, KeyKind, ParsedKey};
use crate::route::{Operation, TokenNeed};
use crate::scope::ScopeSet;
use crate::time::UnixMillis;
use crate::token::{self, Claims, Expectation, IdentitySecret, TokenError};

/// Where credentials may come from in a request, as raw strings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Credentials<'a> {
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
    /// The `key` query parameter.
    pub query_key: Option<&'a str>,
    /// The `X-Workspace-Id` header.
    pub workspace_header: Option<&'a str>,
    /// The `ws` query parameter.
    pub workspace_query: Option<&'a str>,
}

/// Where the key was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// `Authorization: Bearer …`
    Header,
    /// `?key=…` (publishable keys only).
    Query,
}

/// A key that passed steps 1 and 2.
#[derive(Debug, Clone, Copy)]
pub struct Presented<'a> {
    /// The parsed key.
    pub key: ParsedKey<'a>,
    /// Its SHA-256, computed once: the lookup key and what the record must match.
    pub hash: KeyHash,
    /// Where it came from.
    pub source: KeySource,
}

/// Why an exposure is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExposureKind {
    /// A secret-kind key used from a browser.
    Browser,
    /// A secret key sent in a URL.
    Url,
}

impl ExposureKind {
    /// `browser` or `url`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ExposureKind::Browser => "browser",
            ExposureKind::Url => "url",
        }
    }
}

/// What a workspace does when one of its keys is exposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExposureAction {
    /// Record it and alert (webhook `api_key.exposed`). The default.
    #[default]
    Alert,
    /// Record, alert, and revoke the key at once.
    AlertAndRevoke,
}

impl ExposureAction {
    /// `alert` or `alert_and_revoke`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ExposureAction::Alert => "alert",
            ExposureAction::AlertAndRevoke => "alert_and_revoke",
        }
    }

    /// Parses the stored value; anything unknown is the safe default, `alert`.
    pub fn parse(s: &str) -> Self {
        match s {
            "alert_and_revoke" => ExposureAction::AlertAndRevoke,
            _ => ExposureAction::Alert,
        }
    }
}

/// A refusal: the error to answer with, and what else the edge must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// The answer.
    pub error: ApiError,
    /// Record an exposure of this kind.
    pub exposure: Option<ExposureKind>,
    /// Revoke the key now (`alert_and_revoke`).
    pub revoke: bool,
}

impl Denial {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Denial {
            error: ApiError::with_message(code, message),
            exposure: None,
            revoke: false,
        }
    }
}

impl From<ApiError> for Denial {
    fn from(error: ApiError) -> Self {
        Denial {
            error,
            exposure: None,
            revoke: false,
        }
    }
}

/// Steps 1 and 2: find the key and check its format, without storage.
pub fn extract<'a>(c: &Credentials<'a>) -> Result<Presented<'a>, Denial> {
    // A secret key in a URL is refused whatever else the request carries, and whether or
    // not the rest of it is well formed: it is already in somebody's logs.
    if let Some(q) = c.query_key {
        if key::claimed_kind(q) == Some(KeyKind::Secret) {
            return Err(Denial {
                exposure: Some(ExposureKind::Url),
                ..Denial::new(
                    ErrorCode::SecretKeyInUrl,
                    ErrorCode::SecretKeyInUrl.default_message(),
                )
            });
        }
    }
    let (text, source) = match (c.authorization, c.query_key) {
        (Some(h), _) => (bearer(h)?, KeySource::Header),
        (None, Some(q)) => (q, KeySource::Query),
        (None, None) => {
            return Err(Denial::new(
                ErrorCode::InvalidApiKey,
                "No API key: send `Authorization: Bearer <key>` (or `key=<publishable key>` in the query).",
            ))
        }
    };
    let key = key::parse(text)
        .map_err(|e| Denial::new(ErrorCode::InvalidApiKey, format!("Invalid API key: {e}.")))?;
    Ok(Presented {
        hash: key.hash(),
        key,
        source,
    })
}

fn bearer(header: &str) -> Result<&str, Denial> {
    let header = header.trim();
    match header.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(Denial::new(
            ErrorCode::InvalidApiKey,
            "The Authorization header must be `Bearer <key>`.",
        )),
    }
}

/// A stored key, as the verifier needs it (the edge loads it by hash, from cache or D1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// `key_…`
    pub id: String,
    /// The digest it is stored under.
    pub hash: KeyHash,
    /// The owning workspace.
    pub workspace_id: String,
    /// Its environment.
    pub env: Environment,
    /// Its kind.
    pub kind: KeyKind,
    /// What it may do.
    pub scopes: ScopeSet,
    /// When it stops working (expiry, or the end of a roll's overlap).
    pub expires_at: Option<UnixMillis>,
    /// When it was revoked.
    pub revoked_at: Option<UnixMillis>,
    /// Origins a publishable key may be used from; empty means any.
    pub allowed_origins: Vec<String>,
    /// The workspace's exposure policy.
    pub exposure_action: ExposureAction,
}

/// Facts about the request the decision depends on.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// Browser signals.
    pub signals: BrowserSignals<'a>,
    /// The credentials (for the workspace id).
    pub credentials: Credentials<'a>,
    /// Now.
    pub now: UnixMillis,
}

/// Which CORS headers the answer carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cors {
    /// None: every secret-key answer.
    None,
    /// `Access-Control-Allow-Origin: *` (a publishable key with no origin list).
    Any,
    /// `Access-Control-Allow-Origin: <origin>` and `Vary: Origin`.
    Origin(String),
}

/// An allowed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The key's id (for logs; never the key).
    pub key_id: String,
    /// The workspace.
    pub workspace_id: String,
    /// The environment (data is partitioned by it).
    pub env: Environment,
    /// The key's kind.
    pub kind: KeyKind,
    /// The effective scopes.
    pub scopes: ScopeSet,
    /// Browser or server.
    pub caller: CallerClass,
    /// CORS headers to send.
    pub cors: Cors,
}

/// A rate-limit bucket to charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateSubject {
    /// Per key.
    Key(String),
    /// Per key and client ip (publishable keys: one abusive shopper cannot drain the
    /// storefront's whole allowance).
    KeyAndIp(String, String),
}

impl Grant {
    /// The buckets to charge for this request (step 8).
    pub fn rate_limit_subjects(&self, ip: Option<&str>) -> Vec<RateSubject> {
        let mut subjects = vec![RateSubject::Key(self.key_id.clone())];
        if self.kind == KeyKind::Publishable {
            if let Some(ip) = ip {
                subjects.push(RateSubject::KeyAndIp(self.key_id.clone(), ip.to_owned()));
            }
        }
        subjects
    }
}

/// The workspace id the request names: the header, or `ws` in the query when the key came
/// from the query (the widget's simple GET, which cannot set headers without a preflight).
fn requested_workspace<'a>(c: &Credentials<'a>, source: KeySource) -> Result<&'a str, Denial> {
    let query = if source == KeySource::Query {
        c.workspace_query
    } else {
        None
    };
    match (c.workspace_header, query) {
        (Some(h), Some(q)) if h != q => Err(Denial::new(
            ErrorCode::WorkspaceMismatch,
            "X-Workspace-Id and the ws parameter name different workspaces.",
        )),
        (Some(w), _) | (None, Some(w)) => Ok(w),
        (None, None) => Err(Denial::new(
            ErrorCode::WorkspaceMismatch,
            "Send the workspace id in the X-Workspace-Id header (or ws= with a publishable key).",
        )),
    }
}

/// Steps 3 to 6, given the stored record for the presented key (`None`: not on file).
pub fn authorize(
    presented: &Presented<'_>,
    record: Option<&KeyRecord>,
    facts: &RequestFacts<'_>,
    op: Operation,
) -> Result<Grant, Denial> {
    // 3. Lookup result.
    let record = match record {
        Some(r)
            if r.hash.ct_eq(&presented.hash)
                && r.kind == presented.key.kind
                && r.env == presented.key.env =>
        {
            r
        }
        _ => {
            return Err(Denial::new(
                ErrorCode::InvalidApiKey,
                "Invalid API key: not recognised.",
            ))
        }
    };
    if record.revoked_at.is_some_and(|t| t <= facts.now) {
        return Err(Denial::new(
            ErrorCode::RevokedApiKey,
            ErrorCode::RevokedApiKey.default_message(),
        ));
    }
    if record.expires_at.is_some_and(|t| t <= facts.now) {
        return Err(Denial::new(
            ErrorCode::ExpiredApiKey,
            ErrorCode::ExpiredApiKey.default_message(),
        ));
    }
    let workspace = requested_workspace(&facts.credentials, presented.source)?;
    if workspace != record.workspace_id {
        return Err(Denial::new(
            ErrorCode::WorkspaceMismatch,
            ErrorCode::WorkspaceMismatch.default_message(),
        ));
    }

    // A publishable key never writes, whatever storage says.
    let scopes = match record.kind {
        KeyKind::Publishable => ScopeSet::from_iter(record.scopes.iter().filter(|s| !s.is_write())),
        KeyKind::Secret => record.scopes,
    };

    // 4. Caller class.
    let caller = facts.signals.classify();
    // Every secret-kind key is server-only, whatever its scopes: a read-only `sk` still
    // reads every shopper without a customer token. (Write-capable keys are all `sk`.)
    if caller == CallerClass::Browser && record.kind == KeyKind::Secret {
        return Err(Denial {
            exposure: Some(ExposureKind::Browser),
            revoke: record.exposure_action == ExposureAction::AlertAndRevoke,
            ..Denial::new(
                ErrorCode::SecretKeyInBrowser,
                ErrorCode::SecretKeyInBrowser.default_message(),
            )
        });
    }

    // 5. Origins and CORS: publishable keys only.
    let cors = match record.kind {
        KeyKind::Secret => Cors::None,
        KeyKind::Publishable => publishable_cors(record, &facts.signals, caller)?,
    };

    // 6. Scopes.
    if op.secret_only() && record.kind != KeyKind::Secret {
        return Err(Denial::new(
            ErrorCode::SecretKeyRequired,
            ErrorCode::SecretKeyRequired.default_message(),
        ));
    }
    if let Some(missing) = op.required_scopes().iter().find(|s| !scopes.contains(**s)) {
        return Err(Denial::new(
            ErrorCode::InsufficientScope,
            format!("This route needs the `{missing}` scope, which this key does not hold."),
        ));
    }

    Ok(Grant {
        key_id: record.id.clone(),
        workspace_id: record.workspace_id.clone(),
        env: record.env,
        kind: record.kind,
        scopes,
        caller,
        cors,
    })
}

fn publishable_cors(
    record: &KeyRecord,
    signals: &BrowserSignals<'_>,
    caller: CallerClass,
) -> Result<Cors, Denial> {
    if record.allowed_origins.is_empty() {
        // An Origin header makes the caller a browser (`BrowserSignals::classify`).
        return Ok(match signals.origin {
            Some(o) => Cors::Origin(o.to_owned()),
            None => Cors::Any,
        });
    }
    match signals.origin {
        Some(origin) if record.allowed_origins.iter().any(|p| origin_matches(p, origin)) => {
            Ok(Cors::Origin(origin.to_owned()))
        }
        // Same-origin GETs carry no Origin; the browser vouches with Sec-Fetch-Site.
        None if caller == CallerClass::Server || signals.is_same_origin() => Ok(Cors::None),
        _ => Err(Denial::new(
            ErrorCode::OriginNotAllowed,
            format!(
                "This publishable key is not allowed on {}; add the origin to the key's allowed origins.",
                signals.origin.unwrap_or("this page")
            ),
        )),
    }
}

/// `pattern` is an exact origin (`https://shop.example`) or a subdomain wildcard
/// (`https://*.shop.example`, which does not match the bare domain).
pub fn origin_matches(pattern: &str, origin: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    if pattern.eq_ignore_ascii_case(origin) {
        return true;
    }
    let Some((scheme, rest)) = pattern.split_once("://*.") else {
        return false;
    };
    let Some(host) = origin
        .strip_prefix(scheme)
        .and_then(|o| o.strip_prefix("://"))
    else {
        return false;
    };
    let suffix = format!(".{rest}");
    host.len() > suffix.len()
        && host
            .to_ascii_lowercase()
            .ends_with(&suffix.to_ascii_lowercase())
}

/// The CORS headers of an answer given before a key is accepted (a refusal, a preflight):
/// an error about a publishable key may be read by the page that sent it (the storefront
/// shows why its widget failed); anything about another credential, or none, gets nothing.
/// `claimed`: the kind the presented key claims by its prefix.
pub fn early_cors(claimed: Option<KeyKind>, origin: Option<&str>) -> Cors {
    match (claimed, origin) {
        (Some(KeyKind::Publishable), Some(o)) => Cors::Origin(o.to_owned()),
        (Some(KeyKind::Publishable), None) => Cors::Any,
        _ => Cors::None,
    }
}

/// Whether an exposure of a key on file revokes it now: the verifier said so, or the
/// workspace chose `alert_and_revoke` (whatever the kind of exposure: the key may now be in
/// somebody else's hands).
pub fn revokes_on_exposure(denial: &Denial, record: &KeyRecord) -> bool {
    denial.exposure.is_some()
        && (denial.revoke || record.exposure_action == ExposureAction::AlertAndRevoke)
}

/// True when `op` called with a key of `kind` needs a customer token.
pub fn token_required(op: Operation, kind: KeyKind) -> bool {
    match op.token_need() {
        TokenNeed::Never => false,
        TokenNeed::Always => true,
        TokenNeed::ForPublishable => kind == KeyKind::Publishable,
    }
}

/// Step 7: the customer token, where the route needs one. Returns the customer the request
/// may act for (`None` when no token is needed). `verified` is the isolate's memory of tokens
/// it verified before ([`token::Verified`]).
pub fn check_customer_token(
    grant: &Grant,
    op: Operation,
    path_customer: Option<&str>,
    token: Option<&str>,
    secrets: &[IdentitySecret],
    now: UnixMillis,
    verified: &mut token::Verified,
) -> Result<Option<Claims>, ApiError> {
    if !token_required(op, grant.kind) {
        return Ok(None);
    }
    let token = token.filter(|t| !t.is_empty()).ok_or(TokenError::Missing)?;
    let claims = verified.verify(
        token,
        secrets,
        &Expectation {
            customer_id: path_customer,
            now: now.div_euclid(1000),
        },
    )?;
    Ok(Some(claims))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::key::tests::test_rng;
    use crate::key::GeneratedKey;
    use crate::route::Operation;
    use crate::scope::Scope;

    const NOW: UnixMillis = 1_800_000_000_000;

    fn key(kind: KeyKind, seed: u64) -> GeneratedKey {
        key::generate(Environment::Test, kind, &mut test_rng(seed))
    }

    fn record(k: &GeneratedKey, scopes: ScopeSet) -> KeyRecord {
        KeyRecord {
            id: "key_1".into(),
            hash: k.hash,
            workspace_id: "ws_demo".into(),
            env: k.env,
            kind: k.kind,
            scopes,
            expires_at: None,
            revoked_at: None,
            allowed_origins: vec![],
            exposure_action: ExposureAction::Alert,
        }
    }

    fn header_creds(k: &str) -> (String, Credentials<'static>) {
        (
            format!("Bearer {k}"),
            Credentials {
                workspace_header: Some("ws_demo"),
                ..Default::default()
            },
        )
    }

    fn decide(
        k: &GeneratedKey,
        rec: Option<&KeyRecord>,
        signals: BrowserSignals<'_>,
        op: Operation,
    ) -> Result<Grant, ErrorCode> {
        let (auth, mut creds) = header_creds(&k.plaintext);
        creds.authorization = Some(&auth);
        let presented = extract(&creds).map_err(|d| d.error.code)?;
        let facts = RequestFacts {
            signals,
            credentials: creds,
            now: NOW,
        };
        authorize(&presented, rec, &facts, op).map_err(|d| d.error.code)
    }

    #[test]
    fn exposure_names_are_the_ones_stored_and_announced() {
        // The exposure log's `kind`, the `api_key.exposed` payload, the workspace setting.
        assert_eq!(ExposureKind::Browser.as_str(), "browser");
        assert_eq!(ExposureKind::Url.as_str(), "url");
        for a in [ExposureAction::Alert, ExposureAction::AlertAndRevoke] {
            assert_eq!(ExposureAction::parse(a.as_str()), a);
        }
        assert_eq!(ExposureAction::AlertAndRevoke.as_str(), "alert_and_revoke");
        assert_eq!(ExposureAction::Alert.as_str(), "alert");
        assert_eq!(
            ExposureAction::parse("revoke"),
            ExposureAction::Alert,
            "unknown: the safe default"
        );
    }

    #[test]
    fn only_a_bearer_scheme_with_a_key_carries_a_key() {
        let sk = key(KeyKind::Secret, 41);
        for header in [
            format!("Basic {}", sk.plaintext),
            format!("Token {}", sk.plaintext),
            "Bearer ".to_owned(),
            "Bearer    ".to_owned(),
            sk.plaintext.clone(),
        ] {
            let c = Credentials {
                authorization: Some(&header),
                ..Default::default()
            };
            assert_eq!(
                extract(&c).map(|p| p.key.kind).map_err(|d| d.error.code),
                Err(ErrorCode::InvalidApiKey),
                "{header:?}"
            );
        }
        for header in [
            format!("Bearer {}", sk.plaintext),
            format!("bearer {}", sk.plaintext),
            format!("  BEARER   {}  ", sk.plaintext),
        ] {
            let c = Credentials {
                authorization: Some(&header),
                ..Default::default()
            };
            assert_eq!(
                extract(&c).map(|p| p.key.kind).ok(),
                Some(KeyKind::Secret),
                "{header:?}"
            );
        }
    }

    #[test]
    fn rate_limits_charge_the_key_and_a_publishable_keys_shopper_address() {
        let grant = |kind| Grant {
            key_id: "key_1".into(),
            workspace_id: "ws_1".into(),
            env: Environment::Test,
            kind,
            scopes: ScopeSet::read_only(),
            caller: CallerClass::Server,
            cors: Cors::None,
        };
        assert_eq!(
            grant(KeyKind::Secret).rate_limit_subjects(Some("203.0.113.9")),
            vec![RateSubject::Key("key_1".into())],
            "a merchant's server shares one bucket per key"
        );
        assert_eq!(
            grant(KeyKind::Publishable).rate_limit_subjects(Some("203.0.113.9")),
            vec![
                RateSubject::Key("key_1".into()),
                RateSubject::KeyAndIp("key_1".into(), "203.0.113.9".into())
            ]
        );
        assert_eq!(
            grant(KeyKind::Publishable).rate_limit_subjects(None),
            vec![RateSubject::Key("key_1".into())]
        );
    }

    #[test]
    fn a_missing_or_malformed_key_is_invalid_before_storage() {
        let err = extract(&Credentials::default()).expect_err("no key");
        assert_eq!(err.error.code, ErrorCode::InvalidApiKey);
        let bad = Credentials {
            authorization: Some("Bearer test_sk_nope"),
            ..Default::default()
        };
        assert_eq!(
            extract(&bad).expect_err("bad").error.code,
            ErrorCode::InvalidApiKey
        );
        let basic = Credentials {
            authorization: Some("Basic abc"),
            ..Default::default()
        };
        assert_eq!(
            extract(&basic).expect_err("basic").error.code,
            ErrorCode::InvalidApiKey
        );
    }

    #[test]
    fn a_secret_key_in_the_url_is_refused_and_recorded_even_with_a_header() {
        let sk = key(KeyKind::Secret, 1);
        let pk = key(KeyKind::Publishable, 2);
        let auth = format!("Bearer {}", pk.plaintext);
        let creds = Credentials {
            authorization: Some(&auth),
            query_key: Some(&sk.plaintext),
            ..Default::default()
        };
        let d = extract(&creds).expect_err("refused");
        assert_eq!(d.error.code, ErrorCode::SecretKeyInUrl);
        assert_eq!(d.exposure, Some(ExposureKind::Url));
        let broken = Credentials {
            query_key: Some("prod_sk_123"),
            ..Default::default()
        };
        assert_eq!(
            extract(&broken).expect_err("refused").error.code,
            ErrorCode::SecretKeyInUrl
        );
    }

    #[test]
    fn a_publishable_key_may_come_from_the_query() {
        let pk = key(KeyKind::Publishable, 3);
        let creds = Credentials {
            query_key: Some(&pk.plaintext),
            ..Default::default()
        };
        let p = extract(&creds).expect("accepted");
        assert_eq!(p.source, KeySource::Query);
    }

    #[test]
    fn unknown_revoked_expired_and_foreign_keys_fail_in_order() {
        let sk = key(KeyKind::Secret, 4);
        let op = Operation::GetCoins;
        let server = BrowserSignals::default();
        assert_eq!(decide(&sk, None, server, op), Err(ErrorCode::InvalidApiKey));
        let mut rec = record(&sk, ScopeSet::all());
        rec.revoked_at = Some(NOW - 1);
        rec.expires_at = Some(NOW - 1);
        assert_eq!(
            decide(&sk, Some(&rec), server, op),
            Err(ErrorCode::RevokedApiKey)
        );
        rec.revoked_at = Some(NOW + 1_000);
        assert_eq!(
            decide(&sk, Some(&rec), server, op),
            Err(ErrorCode::ExpiredApiKey)
        );
        rec.expires_at = Some(NOW + 1);
        assert!(decide(&sk, Some(&rec), server, op).is_ok());
        rec.workspace_id = "ws_other".into();
        assert_eq!(
            decide(&sk, Some(&rec), server, op),
            Err(ErrorCode::WorkspaceMismatch)
        );
        // A record for another key (a cache bug) is never trusted.
        let other = key(KeyKind::Secret, 5);
        let rec = record(&other, ScopeSet::all());
        assert_eq!(
            decide(&sk, Some(&rec), server, op),
            Err(ErrorCode::InvalidApiKey)
        );
    }

    #[test]
    fn the_workspace_comes_from_the_header_or_with_a_query_key_from_ws() {
        // `X-Workspace-Id`, or `ws=` for a key sent in the query (the widget's simple GET).
        // Both, naming different workspaces, is a mismatch; `ws=` next to a header-borne key
        // is not read at all.
        let pk = key(KeyKind::Publishable, 12);
        let rec = record(&pk, ScopeSet::read_only());
        let op = Operation::ValidateReferralCode;
        let bearer = format!("Bearer {}", pk.plaintext);
        let run = |from_query: bool, header: Option<&str>, ws: Option<&str>| {
            let creds = Credentials {
                authorization: (!from_query).then_some(bearer.as_str()),
                query_key: from_query.then_some(pk.plaintext.as_str()),
                workspace_header: header,
                workspace_query: ws,
            };
            let presented = extract(&creds).expect("a well-formed key");
            let facts = RequestFacts {
                signals: BrowserSignals::default(),
                credentials: creds,
                now: NOW,
            };
            authorize(&presented, Some(&rec), &facts, op)
                .map(|g| g.workspace_id)
                .map_err(|d| d.error.code)
        };
        let ok = Ok("ws_demo".to_owned());
        assert_eq!(run(true, None, Some("ws_demo")), ok, "ws= with a query key");
        assert_eq!(
            run(true, Some("ws_demo"), Some("ws_demo")),
            ok,
            "both, agreeing"
        );
        assert_eq!(run(true, Some("ws_demo"), None), ok, "the header alone");
        assert_eq!(
            run(true, Some("ws_demo"), Some("ws_other")),
            Err(ErrorCode::WorkspaceMismatch),
            "both, disagreeing"
        );
        assert_eq!(
            run(true, Some("ws_other"), Some("ws_demo")),
            Err(ErrorCode::WorkspaceMismatch)
        );
        assert_eq!(
            run(false, Some("ws_demo"), Some("ws_other")),
            ok,
            "ws= is not read for a header key"
        );
        assert_eq!(
            run(false, None, Some("ws_demo")),
            Err(ErrorCode::WorkspaceMismatch),
            "a header key needs the header"
        );
        assert_eq!(
            run(true, Some("ws_other"), None),
            Err(ErrorCode::WorkspaceMismatch),
            "a key of another workspace"
        );
    }

    #[test]
    fn a_missing_workspace_id_is_a_mismatch() {
        let sk = key(KeyKind::Secret, 6);
        let rec = record(&sk, ScopeSet::all());
        let auth = format!("Bearer {}", sk.plaintext);
        let creds = Credentials {
            authorization: Some(&auth),
            ..Default::default()
        };
        let presented = extract(&creds).expect("ok");
        let facts = RequestFacts {
            signals: BrowserSignals::default(),
            credentials: creds,
            now: NOW,
        };
        let d =
            authorize(&presented, Some(&rec), &facts, Operation::GetCoins).expect_err("refused");
        assert_eq!(d.error.code, ErrorCode::WorkspaceMismatch);
    }

    #[test]
    fn a_secret_key_from_a_browser_is_refused_on_reads_too_and_recorded() {
        let sk = key(KeyKind::Secret, 7);
        let rec = record(&sk, ScopeSet::all());
        let origin = BrowserSignals {
            origin: Some("https://evil.example"),
            ..Default::default()
        };
        let site_only = BrowserSignals {
            sec_fetch_site: Some("same-origin"),
            ..Default::default()
        };
        for signals in [origin, site_only] {
            for op in [
                Operation::GetCoins,
                Operation::DebitCoins,
                Operation::Widget,
            ] {
                assert_eq!(
                    decide(&sk, Some(&rec), signals, op),
                    Err(ErrorCode::SecretKeyInBrowser)
                );
            }
        }
        let (auth, mut creds) = header_creds(&sk.plaintext);
        creds.authorization = Some(&auth);
        let p = extract(&creds).expect("ok");
        let facts = RequestFacts {
            signals: origin,
            credentials: creds,
            now: NOW,
        };
        let d = authorize(&p, Some(&rec), &facts, Operation::GetCoins).expect_err("refused");
        assert_eq!(d.exposure, Some(ExposureKind::Browser));
        assert!(!d.revoke);
        let revoking = KeyRecord {
            exposure_action: ExposureAction::AlertAndRevoke,
            ..rec
        };
        let d = authorize(&p, Some(&revoking), &facts, Operation::GetCoins).expect_err("refused");
        assert!(d.revoke);
    }

    #[test]
    fn node_fetch_with_a_secret_key_is_a_server_and_allowed() {
        let sk = key(KeyKind::Secret, 8);
        let rec = record(&sk, ScopeSet::all());
        let node = BrowserSignals {
            sec_fetch_mode: Some("cors"),
            ..Default::default()
        };
        let grant = decide(&sk, Some(&rec), node, Operation::DebitCoins).expect("allowed");
        assert_eq!(grant.caller, CallerClass::Server);
        assert_eq!(grant.cors, Cors::None);
    }

    #[test]
    fn a_read_only_secret_key_is_still_refused_from_a_browser() {
        let sk = key(KeyKind::Secret, 9);
        let rec = record(&sk, ScopeSet::read_only());
        let browser = BrowserSignals {
            sec_fetch_site: Some("same-origin"),
            ..Default::default()
        };
        for op in [
            Operation::GetCoins,
            Operation::Widget,
            Operation::CreateCustomerToken,
        ] {
            assert_eq!(
                decide(&sk, Some(&rec), browser, op),
                Err(ErrorCode::SecretKeyInBrowser)
            );
        }
        // From a server it reads, and gets no CORS headers.
        let grant = decide(
            &sk,
            Some(&rec),
            BrowserSignals::default(),
            Operation::GetCoins,
        )
        .expect("allowed");
        assert_eq!(grant.cors, Cors::None, "no CORS for a secret key, ever");
        assert_eq!(
            decide(
                &sk,
                Some(&rec),
                BrowserSignals::default(),
                Operation::DebitCoins
            ),
            Err(ErrorCode::InsufficientScope)
        );
    }

    #[test]
    fn publishable_keys_get_cors_and_origin_checks() {
        let pk = key(KeyKind::Publishable, 10);
        let mut rec = record(&pk, ScopeSet::read_only());
        let from = |o| BrowserSignals {
            origin: Some(o),
            sec_fetch_site: Some("cross-site"),
            ..Default::default()
        };
        let g = decide(
            &pk,
            Some(&rec),
            from("https://shop.example"),
            Operation::GetCoins,
        )
        .expect("ok");
        assert_eq!(g.cors, Cors::Origin("https://shop.example".into()));
        assert_eq!(
            decide(
                &pk,
                Some(&rec),
                BrowserSignals::default(),
                Operation::GetCoins
            )
            .expect("ok")
            .cors,
            Cors::Any
        );
        rec.allowed_origins = vec![
            "https://shop.example".into(),
            "https://*.brand.example".into(),
        ];
        assert!(decide(
            &pk,
            Some(&rec),
            from("https://shop.example"),
            Operation::GetCoins
        )
        .is_ok());
        assert!(decide(
            &pk,
            Some(&rec),
            from("https://eu.brand.example"),
            Operation::GetCoins
        )
        .is_ok());
        assert_eq!(
            decide(
                &pk,
                Some(&rec),
                from("https://brand.example"),
                Operation::GetCoins
            ),
            Err(ErrorCode::OriginNotAllowed)
        );
        assert_eq!(
            decide(
                &pk,
                Some(&rec),
                from("https://evil.example"),
                Operation::GetCoins
            ),
            Err(ErrorCode::OriginNotAllowed)
        );
        assert_eq!(
            decide(
                &pk,
                Some(&rec),
                from("http://shop.example"),
                Operation::GetCoins
            ),
            Err(ErrorCode::OriginNotAllowed)
        );
        let same = BrowserSignals {
            sec_fetch_site: Some("same-origin"),
            ..Default::default()
        };
        assert!(decide(&pk, Some(&rec), same, Operation::GetCoins).is_ok());
        let cross_no_origin = BrowserSignals {
            sec_fetch_site: Some("cross-site"),
            ..Default::default()
        };
        assert_eq!(
            decide(&pk, Some(&rec), cross_no_origin, Operation::GetCoins),
            Err(ErrorCode::OriginNotAllowed)
        );
    }

    #[test]
    fn publishable_keys_cannot_write_or_mint_tokens_even_if_storage_says_so() {
        let pk = key(KeyKind::Publishable, 11);
        let rec = record(&pk, ScopeSet::all());
        let server = BrowserSignals::default();
        assert_eq!(
            decide(&pk, Some(&rec), server, Operation::DebitCoins),
            Err(ErrorCode::InsufficientScope)
        );
        assert_eq!(
            decide(&pk, Some(&rec), server, Operation::CreateCustomerToken),
            Err(ErrorCode::SecretKeyRequired)
        );
        let browser = BrowserSignals {
            origin: Some("https://shop.example"),
            ..Default::default()
        };
        assert_eq!(
            decide(&pk, Some(&rec), browser, Operation::CreditCoins),
            Err(ErrorCode::InsufficientScope)
        );
    }

    #[test]
    fn scope_errors_name_the_missing_scope() {
        let sk = key(KeyKind::Secret, 12);
        let rec = record(&sk, [Scope::CoinsRead].into_iter().collect());
        let (auth, mut creds) = header_creds(&sk.plaintext);
        creds.authorization = Some(&auth);
        let p = extract(&creds).expect("ok");
        let facts = RequestFacts {
            signals: BrowserSignals::default(),
            credentials: creds,
            now: NOW,
        };
        let d = authorize(&p, Some(&rec), &facts, Operation::DebitCoins).expect_err("refused");
        assert!(
            d.error.message.contains("coins_write"),
            "{}",
            d.error.message
        );
    }

    #[test]
    fn customer_tokens_are_required_for_publishable_customer_reads() {
        let secret = IdentitySecret {
            kid: "ids_1".into(),
            secret: b"the identity secret".to_vec(),
            retires_at: None,
        };
        let grant = |kind| Grant {
            key_id: "key_1".into(),
            workspace_id: "ws_demo".into(),
            env: Environment::Test,
            kind,
            scopes: ScopeSet::read_only(),
            caller: CallerClass::Browser,
            cors: Cors::Any,
        };
        let pk = grant(KeyKind::Publishable);
        let sk = grant(KeyKind::Secret);
        let token = token::sign("ada", NOW / 1000, NOW / 1000 + 60, "ids_1", &secret.secret);
        let secrets = std::slice::from_ref(&secret);
        let mut verified = token::Verified::new(4);
        let mut check = |g: &Grant, op, cid, t| {
            check_customer_token(g, op, cid, t, secrets, NOW, &mut verified).map_err(|e| e.code)
        };
        assert_eq!(
            check(&pk, Operation::GetCoins, Some("ada"), None),
            Err(ErrorCode::InvalidCustomerToken)
        );
        assert!(check(&pk, Operation::GetCoins, Some("ada"), Some(&token)).is_ok());
        assert_eq!(
            check(&pk, Operation::GetCoins, Some("bob"), Some(&token)),
            Err(ErrorCode::InvalidCustomerToken)
        );
        assert_eq!(check(&sk, Operation::GetCoins, Some("bob"), None), Ok(None));
        assert_eq!(
            check(&sk, Operation::Widget, None, None),
            Err(ErrorCode::InvalidCustomerToken)
        );
        let claims = check(&pk, Operation::Widget, None, Some(&token))
            .expect("ok")
            .expect("claims");
        assert_eq!(claims.sub, "ada");
    }

    #[test]
    fn early_answers_carry_cors_for_publishable_keys_only() {
        let o = Some("https://shop.example");
        assert_eq!(
            early_cors(Some(KeyKind::Publishable), o),
            Cors::Origin("https://shop.example".into())
        );
        assert_eq!(early_cors(Some(KeyKind::Publishable), None), Cors::Any);
        assert_eq!(early_cors(Some(KeyKind::Secret), o), Cors::None);
        assert_eq!(early_cors(None, o), Cors::None);
    }

    #[test]
    fn an_exposure_revokes_only_under_alert_and_revoke() {
        let sk = key(KeyKind::Secret, 13);
        let mut rec = record(&sk, ScopeSet::all());
        let exposed = |kind| Denial {
            exposure: Some(kind),
            ..Denial::from(ApiError::new(ErrorCode::SecretKeyInUrl))
        };
        for kind in [ExposureKind::Url, ExposureKind::Browser] {
            assert!(!revokes_on_exposure(&exposed(kind), &rec), "alert only");
        }
        rec.exposure_action = ExposureAction::AlertAndRevoke;
        for kind in [ExposureKind::Url, ExposureKind::Browser] {
            assert!(revokes_on_exposure(&exposed(kind), &rec));
        }
        // A refusal that is no exposure never revokes.
        let plain = Denial::from(ApiError::new(ErrorCode::InvalidApiKey));
        assert!(!revokes_on_exposure(&plain, &rec));
        assert_eq!(
            ExposureAction::parse("alert_and_revoke"),
            ExposureAction::AlertAndRevoke
        );
        assert_eq!(ExposureAction::parse("anything"), ExposureAction::Alert);
    }

    #[test]
    fn origin_patterns() {
        assert!(origin_matches(
            "https://shop.example/",
            "https://shop.example"
        ));
        assert!(origin_matches(
            "https://*.shop.example",
            "https://a.b.shop.example"
        ));
        assert!(!origin_matches(
            "https://*.shop.example",
            "https://evilshop.example"
        ));
        assert!(!origin_matches(
            "https://*.shop.example",
            "http://a.shop.example"
        ));
        assert!(!origin_matches(
            "https://shop.example",
            "https://shop.example.evil"
        ));
    }

    fn any_op() -> impl Strategy<Value = Operation> {
        proptest::sample::select(
            Operation::ALL
                .iter()
                .copied()
                .filter(|o| o.needs_key())
                .collect::<Vec<_>>(),
        )
    }

    fn any_header() -> impl Strategy<Value = Option<String>> {
        proptest::option::of(".{0,40}")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// No secret-kind key is ever allowed when any browser signal is present, on any
        /// route, with any scopes (read-only included), origins or policy; a publishable key
        /// that is allowed never holds a write scope.
        #[test]
        fn secret_keys_are_never_allowed_from_a_browser(
            seed in any::<u64>(),
            kind_secret in any::<bool>(),
            scope_bits in any::<u16>(),
            origin in any_header(),
            site in any_header(),
            dest in any_header(),
            mode in any_header(),
            preflight in any::<bool>(),
            allowed in proptest::collection::vec("https://[a-z*.]{1,12}", 0..3),
            op in any_op(),
        ) {
            prop_assume!(origin.is_some() || site.is_some() || dest.is_some() || preflight);
            let kind = if kind_secret { KeyKind::Secret } else { KeyKind::Publishable };
            let k = key(kind, seed);
            let scopes: ScopeSet = Scope::ALL.iter().copied().filter(|s| scope_bits & (1 << (*s as u16)) != 0).collect();
            let mut rec = record(&k, scopes);
            rec.allowed_origins = allowed;
            let signals = BrowserSignals {
                origin: origin.as_deref(),
                sec_fetch_site: site.as_deref(),
                sec_fetch_dest: dest.as_deref(),
                sec_fetch_mode: mode.as_deref(),
                is_preflight: preflight,
            };
            let result = decide(&k, Some(&rec), signals, op);
            match result {
                Ok(grant) => {
                    prop_assert_eq!(kind, KeyKind::Publishable);
                    prop_assert!(!grant.scopes.is_write_capable());
                }
                Err(code) if kind == KeyKind::Secret => prop_assert_eq!(code, ErrorCode::SecretKeyInBrowser),
                Err(_) => {}
            }
        }

        /// Parsing arbitrary strings never panics, and only checksum-valid strings parse.
        #[test]
        fn parsing_arbitrary_strings_never_panics(s in ".{0,200}") {
            if let Ok(k) = key::parse(&s) {
                prop_assert!(s.starts_with(k.env.as_str()));
            }
            let _ = key::claimed_kind(&s);
            let creds = Credentials { authorization: Some(&s), query_key: Some(&s), ..Default::default() };
            let _ = extract(&creds);
            let _ = crate::route::resolve("GET", &s);
            let _ = crate::route::resolve("POST", &format!("/v1/customers/{s}/coins/debit"));
            let _ = token::verify(&s, &[], &Expectation { customer_id: None, now: 0 });
        }

        /// Arbitrary base62 bodies with the right prefix almost never pass the checksum.
        #[test]
        fn random_bodies_fail_the_checksum(body in "[0-9A-Za-z]{38}") {
            let s = format!("test_sk_{body}");
            if key::parse(&s).is_ok() {
                // Possible (1 in 2^32) but then the checksum really matches.
                let (signed, sum) = s.split_at(s.len() - 6);
                prop_assert_eq!(sum, crate::base62::encode_fixed(u64::from(crc32fast::hash(signed.as_bytes())), 6));
            }
        }
    }
}
