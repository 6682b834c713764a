//! Webhooks: event types, Stripe-style signatures, the retry schedule and endpoint rules.
//!
//! A delivery carries `Tally-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
//! "<t>.<body>")>`. Receivers recompute the HMAC over the raw body, compare in constant
//! time, and refuse timestamps older than a tolerance (replay protection).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::{ApiError, ErrorCode};
use crate::key::Environment;

macro_rules! events {
    ($( $(#[doc = $doc:literal])* $variant:ident => $name:literal, )*) => {
        /// Every event a webhook endpoint can subscribe to: one line each, the way
        /// `ErrorCode` declares codes, so the list in the API and the names sent can never
        /// drift apart.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Event {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Event {
            /// Every event, in the order the API lists them.
            pub const ALL: &'static [Event] = &[$(Event::$variant,)*];

            /// The wire name, e.g. `coins.credited`.
            pub const fn as_str(self) -> &'static str {
                match self { $(Event::$variant => $name,)* }
            }

            /// Parses a wire name.
            pub fn parse(s: &str) -> Option<Self> {
                Event::ALL.iter().copied().find(|e| e.as_str() == s)
            }
        }
    };
}

events! {
    /// Coins were credited to a shopper.
    CoinsCredited => "coins.credited",
    /// Coins were debited from a shopper.
    CoinsDebited => "coins.debited",
    /// A referral code was applied.
    ReferralApplied => "referral.applied",
    /// Stamps were added to a shopper's card.
    StampsAdded => "stamps.added",
    /// A full stamp card was redeemed for its reward.
    StampsRedeemed => "stamps.redeemed",
    /// Cashback was credited to a shopper.
    CashbackCredited => "cashback.credited",
    /// Cashback was redeemed (paid out).
    CashbackRedeemed => "cashback.redeemed",
    /// A claim was filed and waits for the merchant.
    ClaimCreated => "claim.created",
    /// A claim was approved and its credit applied.
    ClaimApproved => "claim.approved",
    /// A claim was rejected, with a reason.
    ClaimRejected => "claim.rejected",
    /// An API key was created.
    ApiKeyCreated => "api_key.created",
    /// An API key was rolled (the successor and the previous key).
    ApiKeyRolled => "api_key.rolled",
    /// An API key was revoked (by a member, or on exposure).
    ApiKeyRevoked => "api_key.revoked",
    /// A secret key was used from a browser or sent in a URL.
    ApiKeyExposed => "api_key.exposed",
    /// An API key expires within 7 days.
    ApiKeyExpiring => "api_key.expiring",
}

/// Every event's wire name, as `GET /v1/admin/webhooks` lists them.
pub fn event_names() -> Vec<String> {
    Event::ALL.iter().map(|e| e.as_str().to_owned()).collect()
}

/// The signature header's name.
pub const SIGNATURE_HEADER: &str = "Tally-Signature";

/// Attempts per delivery before it is marked failed (the first one included).
pub const MAX_ATTEMPTS: i64 = 8;

/// Seconds to wait after failed attempt `n` (1-based): 5 s, 30 s, 2 min, 10 min, 1 h, 4 h,
/// 12 h. Exponential-ish, so a receiver that is down for a deploy catches up within
/// seconds, and one that is down for a day still gets the event.
pub fn retry_delay_seconds(failed_attempt: i64) -> Option<i64> {
    const SCHEDULE: [i64; 7] = [5, 30, 120, 600, 3600, 4 * 3600, 12 * 3600];
    if !(1..MAX_ATTEMPTS).contains(&failed_attempt) {
        return None;
    }
    usize::try_from(failed_attempt - 1)
        .ok()
        .and_then(|i| SCHEDULE.get(i).copied())
}

fn mac(secret: &[u8], t: i64, body: &[u8]) -> [u8; 32] {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(secret) else {
        return [0u8; 32];
    };
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m.finalize().into_bytes().into()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The `Tally-Signature` value for `body` at Unix second `t`.
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", hex(&mac(secret, t, body)))
}

/// The Standard Webhooks headers' names: the event's id (the same on every retry and
/// redelivery), the Unix second of the attempt, and `v1,<base64 signature>`.
pub const STANDARD_ID_HEADER: &str = "webhook-id";
/// See [`STANDARD_ID_HEADER`].
pub const STANDARD_TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// See [`STANDARD_ID_HEADER`].
pub const STANDARD_SIGNATURE_HEADER: &str = "webhook-signature";

/// A new signing secret: `whsec_` and standard base64 (with padding) of 32 random bytes,
/// the form every Standard Webhooks library reads.
pub fn new_secret(random: &[u8; 32]) -> String {
    format!("whsec_{}", STANDARD.encode(random))
}

/// The key Standard Webhooks signatures use: the secret after `whsec_`, base64-decoded.
/// Secrets made before standard base64 (URL-safe, unpadded) decode too.
pub fn standard_key(secret: &str) -> Option<Vec<u8>> {
    let body = secret.strip_prefix("whsec_").unwrap_or(secret);
    STANDARD
        .decode(body)
        .or_else(|_| URL_SAFE_NO_PAD.decode(body))
        .ok()
}

/// The `webhook-signature` value: `v1,` and the standard base64 of
/// HMAC-SHA256(`standard_key(secret)`, `"{id}.{t}.{body}"`). `None` when the secret does not
/// decode (never for a secret this product made).
pub fn standard_signature(secret: &str, id: &str, t: i64, body: &[u8]) -> Option<String> {
    let key = standard_key(secret)?;
    let mut m = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    m.update(id.as_bytes());
    m.update(b".");
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    Some(format!("v1,{}", STANDARD.encode(m.finalize().into_bytes())))
}

/// Why a signature is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not `t=…,v1=…`.
    #[error("malformed signature header")]
    Malformed,
    /// No `v1` matches.
    #[error("signature does not match")]
    Mismatch,
    /// `t` is too far from now.
    #[error("timestamp outside the tolerance")]
    Stale,
}

/// Verifies a signature header as a receiver should (any `v1` may match, so signing
/// secrets can be rolled), within `tolerance` seconds of `now`.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: i64,
    tolerance: i64,
) -> Result<(), SignatureError> {
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.push(v),
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Malformed)?;
    if sigs.is_empty() {
        return Err(SignatureError::Malformed);
    }
    // abs_diff: a timestamp at either end of i64 is stale, never an overflow.
    if now.abs_diff(t) > tolerance.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    let expected = hex(&mac(secret, t, body));
    if sigs
        .iter()
        .any(|s| bool::from(expected.as_bytes().ct_eq(s.as_bytes())))
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Checks an endpoint URL, parsed by the `url` crate (the WHATWG rules `fetch` follows, so
/// `https://2130706433/` is seen as the IPv4 literal it is):
/// - https, with no user name or password in it;
/// - production endpoints name a public host: no IP literal, no `localhost` (or
///   `*.localhost`), no `.local`/`.internal` name;
/// - test endpoints may also be http on the loopback interface, which is how a merchant's
///   local receiver is reached under `wrangler dev`.
///
/// Deliveries never follow redirects (a 3xx is a failed attempt), so a public URL cannot
/// bounce a delivery to an internal one.
pub fn validate_url(text: &str, env: Environment) -> Result<(), ApiError> {
    let bad = |why: &str| {
        ApiError::with_message(
            ErrorCode::InvalidWebhookUrl,
            format!("{} ({why})", ErrorCode::InvalidWebhookUrl.default_message()),
        )
    };
    if text.len() > 2000 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("too long, or has spaces or control characters"));
    }
    if !text.is_ascii() {
        return Err(bad(
            "write an international host name in its ASCII form, e.g. xn--bcher-kva.example",
        ));
    }
    let url = url::Url::parse(text).map_err(|_| bad("not a URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("no credentials in the URL"));
    }
    let host = url.host().ok_or_else(|| bad("no host"))?;
    let loopback = match &host {
        url::Host::Domain(d) => is_local_name(d),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    match (url.scheme(), env) {
        ("http", Environment::Test) if loopback => Ok(()),
        ("https", Environment::Test) => Ok(()),
        ("https", Environment::Prod) => match host {
            url::Host::Ipv4(_) | url::Host::Ipv6(_) => Err(bad(
                "production endpoints use a host name, not an IP address",
            )),
            url::Host::Domain(d) if is_local_name(d) || is_internal_name(d) => {
                Err(bad("production endpoints must be public hosts"))
            }
            url::Host::Domain(_) => Ok(()),
        },
        _ => Err(bad("https only")),
    }
}

fn is_local_name(domain: &str) -> bool {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    d == "localhost" || d.ends_with(".localhost")
}

fn is_internal_name(domain: &str) -> bool {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    !d.contains('.')
        || [".local", ".internal", ".lan", ".home.arpa", ".intranet"]
            .iter()
            .any(|s| d.ends_with(s))
}

/// Checks a list of event types: known, at least one, no duplicates.
pub fn validate_events(events: &[String]) -> Result<Vec<String>, ApiError> {
    if events.is_empty() {
        return Err(ApiError::with_message(
            ErrorCode::InvalidRequest,
            "events needs at least one event type.",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for e in events {
        if Event::parse(e).is_none() {
            return Err(ApiError::with_message(
                ErrorCode::InvalidRequest,
                format!("unknown event type {e:?}."),
            ));
        }
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn international_hosts_are_given_in_their_ascii_form() {
        // The Worker links the URL parser without Unicode tables (idna_adapter 1.0, 50 KiB
        // less to upload): a host in Unicode is refused, its punycode form is accepted.
        let e = validate_url("https://bücher.example/hook", Environment::Prod).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidWebhookUrl);
        assert!(e.message.contains("ASCII form"), "{}", e.message);
        assert!(validate_url("https://xn--bcher-kva.example/hook", Environment::Prod).is_ok());
    }

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let body = br#"{"type":"coins.credited"}"#;
        let h = sign(b"whsec", 1_800_000_000, body);
        assert!(h.starts_with("t=1800000000,v1="));
        assert_eq!(verify(b"whsec", &h, body, 1_800_000_010, 300), Ok(()));
        assert_eq!(
            verify(b"other", &h, body, 1_800_000_010, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"whsec", &h, b"{}", 1_800_000_010, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"whsec", &h, body, 1_800_001_000, 300),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(b"whsec", "v1=abc", body, 0, 300),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn the_signature_is_stripes_scheme() {
        // HMAC-SHA256("key", "1.{}"), computed independently with Python's hmac module.
        assert_eq!(
            sign(b"key", 1, b"{}"),
            "t=1,v1=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
    }

    #[test]
    fn retries_back_off_and_stop() {
        assert_eq!(retry_delay_seconds(1), Some(5));
        assert_eq!(retry_delay_seconds(2), Some(30));
        assert_eq!(retry_delay_seconds(6), Some(14_400), "four hours");
        assert_eq!(retry_delay_seconds(7), Some(43_200), "twelve hours");
        assert_eq!(retry_delay_seconds(MAX_ATTEMPTS), None);
        let mut last = 0;
        for n in 1..MAX_ATTEMPTS {
            let d = retry_delay_seconds(n).unwrap();
            assert!(d > last);
            last = d;
        }
    }

    #[test]
    fn the_tolerance_is_inclusive() {
        let now = 1_800_000_000;
        for (t, ok) in [(now - 300, true), (now + 300, true), (now - 301, false)] {
            let header = sign(b"whsec_x", t, b"{}");
            assert_eq!(
                verify(b"whsec_x", &header, b"{}", now, 300).is_ok(),
                ok,
                "{t}"
            );
        }
    }

    #[test]
    fn urls_are_at_most_2000_characters_and_never_contain_spaces_or_controls() {
        let base = "https://hooks.shop.example/";
        let of_len = |n: usize| format!("{base}{}", "a".repeat(n - base.len()));
        assert!(validate_url(&of_len(2000), Environment::Prod).is_ok());
        assert!(validate_url(&of_len(2001), Environment::Prod).is_err());
        // The URL parser would percent-encode these and accept them; the rule refuses.
        for u in [
            "https://hooks.shop.example/a b",
            "https://hooks.shop.example/a\tb",
            "https://hooks.shop.example/a\u{7f}",
        ] {
            assert!(validate_url(u, Environment::Prod).is_err(), "{u:?}");
        }
    }

    #[test]
    fn timestamps_at_the_ends_of_the_range_are_stale_not_a_panic() {
        for t in [i64::MIN, i64::MAX, -1] {
            let header = format!("t={t},v1=00");
            assert_eq!(
                verify(b"whsec_x", &header, b"{}", 1_800_000_000, 300),
                Err(SignatureError::Stale),
                "{header}"
            );
        }
    }

    #[test]
    fn urls_are_https_or_local_http_for_test_endpoints() {
        assert!(validate_url("https://hooks.shop.example/tally", Environment::Prod).is_ok());
        assert!(validate_url("https://hooks.shop.example:8443/t?x=1", Environment::Prod).is_ok());
        assert!(validate_url("https://hooks.shop.example/tally", Environment::Test).is_ok());
        assert!(validate_url("https://10.0.0.8/hook", Environment::Test).is_ok());
        assert!(validate_url("http://127.0.0.1:9000/hook", Environment::Test).is_ok());
        assert!(validate_url("http://localhost/hook", Environment::Test).is_ok());
        assert!(validate_url("http://[::1]:9000/hook", Environment::Test).is_ok());
        for (u, env) in [
            ("http://127.0.0.1:9000/hook", Environment::Prod),
            ("http://shop.example/hook", Environment::Test),
            ("http://127.0.0.1.evil.example/", Environment::Test),
            ("http://user@127.0.0.1/", Environment::Test),
            ("https://user:pw@shop.example/", Environment::Prod),
            ("ftp://shop.example/", Environment::Prod),
            ("https://", Environment::Prod),
            ("https://a b/", Environment::Prod),
            ("not a url", Environment::Prod),
        ] {
            assert_eq!(
                validate_url(u, env).map_err(|e| e.code),
                Err(ErrorCode::InvalidWebhookUrl),
                "{u}"
            );
        }
    }

    #[test]
    fn production_urls_refuse_ip_literals_and_local_names() {
        for u in [
            "https://127.0.0.1/hook",
            "https://10.0.0.8/hook",
            "https://192.168.1.1/hook",
            "https://172.16.0.1/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/",
            "https://8.8.8.8/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:10.0.0.1]/",
            // Other spellings of IPv4 literals that fetch would dial.
            "https://2130706433/",
            "https://0x7f.1/",
            "https://0177.0.0.1/",
            "https://localhost/",
            "https://LOCALHOST./",
            "https://api.localhost/",
            "https://printer.local/",
            "https://metadata.google.internal/",
            "https://intranet/",
        ] {
            assert_eq!(
                validate_url(u, Environment::Prod).map_err(|e| e.code),
                Err(ErrorCode::InvalidWebhookUrl),
                "{u}"
            );
        }
    }

    #[test]
    fn new_secrets_are_whsec_and_standard_base64() {
        let secret = new_secret(&[0xfb; 32]);
        assert!(secret.starts_with("whsec_"));
        let body = &secret["whsec_".len()..];
        assert_eq!(body.len(), 44);
        assert!(body.ends_with('='), "padded: {body}");
        assert!(
            body.contains('+') || body.contains('/'),
            "standard alphabet: {body}"
        );
        assert_eq!(standard_key(&secret), Some(vec![0xfb; 32]));
        // A secret from before (URL-safe, unpadded) still decodes.
        let old = format!("whsec_{}", URL_SAFE_NO_PAD.encode([0xfb; 32]));
        assert_eq!(standard_key(&old), Some(vec![0xfb; 32]));
        assert_eq!(standard_key("whsec_%%%"), None);
        assert_eq!(standard_signature("whsec_%%%", "evt_1", 1, b"{}"), None);
    }

    #[test]
    fn the_standard_signature_matches_the_specifications_example() {
        // The example of the Standard Webhooks specification (standard-webhooks.com).
        let sig = standard_signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            sig.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn event_names_round_trip_and_are_the_documented_ones() {
        for e in Event::ALL {
            assert_eq!(Event::parse(e.as_str()), Some(*e));
        }
        assert_eq!(
            event_names(),
            [
                "coins.credited",
                "coins.debited",
                "referral.applied",
                "stamps.added",
                "stamps.redeemed",
                "cashback.credited",
                "cashback.redeemed",
                "claim.created",
                "claim.approved",
                "claim.rejected",
                "api_key.created",
                "api_key.rolled",
                "api_key.revoked",
                "api_key.exposed",
                "api_key.expiring"
            ]
        );
        assert_eq!(Event::parse("coins.stolen"), None);
    }

    #[test]
    fn events_must_be_known() {
        assert!(validate_events(&[]).is_err());
        assert!(validate_events(&["coins.stolen".into()]).is_err());
        assert_eq!(
            validate_events(&["coins.credited".into(), "coins.credited".into()]).unwrap(),
            vec!["coins.credited".to_owned()]
        );
    }
}
