//! The JSON shapes of the API, shared by the edge (which writes them), the widget, the
//! dashboard and the end-to-end tests (which read them). The OpenAPI document's schemas are
//! generated from these types (`tools/src/openapi.rs`), so the document cannot drift from them.

mod admin;
mod programs;

pub use admin::*;
pub use programs::*;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ledger::Direction;

/// `{"error":{"code","message","request_id"}}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// The body of an error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    /// Stable code.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// The request's id, also in the `X-Request-Id` header; quote it to support.
    pub request_id: String,
}

/// `GET /v1/health`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Health {
    /// Always `ok` when the Worker answers.
    pub status: String,
    /// The edge's version.
    pub version: String,
}

/// A customer (member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Customer {
    /// The merchant's id for the shopper.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// The shopper's email, when the merchant gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// Printable text: no control character anywhere (a newline or tab included). With a
/// length limit, the rule `ledger::validate_text` enforces.
pub const TEXT_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";

/// Printable text with at least one character that is not white space.
pub const NAME_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";

/// An allowed origin: `scheme://host[:port]` or `https://*.domain` (`admin::validate_origin`).
pub const ORIGIN_PATTERN: &str =
    r"^https?://(\*\.)?[A-Za-z0-9:\[\]-]([A-Za-z0-9.:\[\]-]*[A-Za-z0-9:\[\]-])?$";

/// The schema of an optional list of scope names.
pub fn scope_list(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<&str> = crate::scope::Scope::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    schemars::json_schema!({
        "type": ["array", "null"],
        "items": { "type": "string", "enum": names },
    })
}

/// The schema of an optional list of allowed origins.
pub fn origin_list(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": ["array", "null"],
        "maxItems": 50,
        "items": { "type": "string", "maxLength": 200, "pattern": ORIGIN_PATTERN },
    })
}

/// The schema of a list of webhook event types.
pub fn event_list(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "minItems": 1,
        "items": { "type": "string", "enum": crate::webhook::event_names() },
    })
}

/// The schema of an optional list of webhook event types.
pub fn nullable_event_list(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": ["array", "null"],
        "minItems": 1,
        "items": { "type": "string", "enum": crate::webhook::event_names() },
    })
}

/// A webhook URL as far as a pattern can tell: `http(s)://`, no white space or control
/// characters. The host rules (`webhook::validate_url`) answer `invalid_webhook_url`.
pub const WEBHOOK_URL_PATTERN: &str = r"^https?://[^\s\u0000-\u001F\u007F-\u009F]+$";

/// Reads an optional whole number the way JSON Schema counts integers: `4746.0` is 4746.
/// Anything else that is not an integer is refused as the wrong type.
pub fn optional_integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error;
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(i) = n.as_i64() {
        return Ok(Some(i));
    }
    match n.as_f64() {
        #[allow(clippy::cast_possible_truncation)]
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
        _ => Err(D::Error::custom(format!("{n} is not a whole number"))),
    }
}

/// A customer id: 1 to 64 of `A-Z a-z 0-9 . _ : @ -`.
pub const CUSTOMER_ID_PATTERN: &str = r"^[A-Za-z0-9._:@-]{1,64}$";

/// `PUT /v1/customers/{id}` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PutCustomer {
    /// Display name: 1 to 120 printable characters, not only spaces.
    #[schemars(length(min = 1, max = 120), regex(pattern = NAME_PATTERN))]
    pub name: String,
}

/// `GET /v1/customers/{id}/coins`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CoinBalance {
    /// The customer.
    pub customer_id: String,
    /// Current balance: the sum of every ledger entry.
    pub balance: i64,
    /// The workspace's name for its coins.
    pub label: String,
}

/// One immutable ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LedgerEntry {
    /// `led_…`
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// `credit` or `debit`.
    #[serde(rename = "type")]
    pub kind: Direction,
    /// Positive amount.
    pub amount: i64,
    /// Balance right after this entry.
    pub balance_after: i64,
    /// Why.
    pub reason: Option<String>,
    /// The `Idempotency-Key` it was written under.
    pub idempotency_key: String,
    /// RFC 3339.
    pub created_at: String,
}

/// `POST …/coins/credit` and `…/debit` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CoinMutation {
    /// A positive whole number of coins, at most 1000000000.
    #[schemars(range(min = 1, max = 1_000_000_000))]
    pub amount: i64,
    /// Why, shown in the customer's history: up to 200 printable characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub reason: Option<String>,
}

/// `POST …/coins/credit` and `…/debit` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CoinMutationResult {
    /// The customer.
    pub customer_id: String,
    /// The balance after the entry.
    pub balance: i64,
    /// The workspace's coin label.
    pub label: String,
    /// The entry written (or, on a replay, the one written the first time).
    pub entry: LedgerEntry,
    /// The wallet's version after this write: increases with every write to the shopper's
    /// wallet. Pass it as `v` to `/v1/widget` to read this write back.
    pub version: i64,
}

/// A page of a list: `{"data":[…],"next_cursor"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "{T}Page")]
pub struct Page<T> {
    /// Items, newest first.
    pub data: Vec<T>,
    /// Pass as `cursor` for the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

/// A customer's referral details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Referral {
    /// The shareable code.
    pub code: String,
    /// The shareable link.
    pub link: String,
    /// How many customers used the code.
    pub count: i64,
    /// What a referral earns, in words.
    pub reward: String,
}

/// `GET /v1/customers/{id}/referral`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CustomerReferral {
    /// The customer.
    pub customer_id: String,
    /// Code, link, count and reward.
    #[serde(flatten)]
    pub referral: Referral,
}

/// `GET /v1/referrals/{code}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReferralCodeCheck {
    /// The code, normalised.
    pub code: String,
    /// True when it belongs to a customer.
    pub valid: bool,
    /// What using it earns the referrer, in words.
    pub reward: String,
}

/// `POST /v1/referrals/apply` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApplyReferral {
    /// The new customer (the referee).
    #[schemars(regex(pattern = CUSTOMER_ID_PATTERN))]
    pub customer_id: String,
    /// The code they used.
    pub code: String,
}

/// `POST /v1/referrals/apply` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppliedReferral {
    /// The code.
    pub code: String,
    /// Who referred.
    pub referrer_id: String,
    /// Who was referred.
    pub referee_id: String,
    /// Coins credited to the referrer.
    pub reward_coins: i64,
    /// The referrer's new referral count.
    pub referrer_count: i64,
    /// RFC 3339 of the first application (a retry answers the same).
    pub created_at: String,
}

/// `GET /v1/widget`: everything the widget shows, in one response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WidgetView {
    /// The shopper.
    pub customer: WidgetCustomer,
    /// Their coins.
    pub coins: WidgetCoins,
    /// Their referral code and link.
    pub referral: Referral,
    /// Their stamp cards: present when the stamps program is on and the key may read stamps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamps: Option<Vec<crate::stamps::StampCardView>>,
    /// Their cashback: present when the cashback program is on and the key may read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashback: Option<WidgetCashback>,
    /// The wallet's version this view shows: at least the `v` asked for. The widget keeps
    /// the highest it has seen and sends it as `v`.
    #[serde(default)]
    pub version: i64,
}

/// Cashback, as the widget shows it (formatted by the browser's `Intl` with the currency's
/// ISO 4217 exponent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WidgetCashback {
    /// Balance in minor units.
    pub balance_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// The currency's ISO 4217 exponent: `balance_minor` is in 10^-exponent units (EUR 2,
    /// JPY 0, BHD 3).
    pub exponent: u8,
}

/// The shopper, as the widget shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WidgetCustomer {
    /// The merchant's id.
    pub id: String,
    /// Display name, if known.
    pub name: Option<String>,
}

/// Coins, as the widget shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WidgetCoins {
    /// Balance.
    pub balance: i64,
    /// Label, e.g. "coins".
    pub label: String,
}

/// `POST /v1/customer-tokens` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CustomerTokenRequest {
    /// The shopper.
    #[schemars(regex(pattern = CUSTOMER_ID_PATTERN))]
    pub customer_id: String,
    /// Lifetime, 60 to 86400 seconds; 3600 when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_integer"
    )]
    #[schemars(range(min = 60, max = 86_400))]
    pub ttl_seconds: Option<i64>,
}

/// `POST /v1/customer-tokens` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CustomerTokenResponse {
    /// A JWT (HS256, the identity secret's `kid` in its header).
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
}

// ---------------------------------------------------------------------------------------
// Control plane: API keys (the dashboard reads these shapes too)

/// A wallet a key's scopes reach, and its currency type (seed 002).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WalletReach {
    /// `coins`, `stamps` or `cashback`.
    pub wallet: String,
    /// `points` or `fiat`.
    pub currency_type: String,
}

/// An API key as the control plane shows it: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct KeyView {
    /// `key_…`
    pub id: String,
    /// Shown in lists.
    pub name: String,
    /// What the key is for.
    pub description: String,
    /// `publishable` or `secret`.
    pub kind: String,
    /// `read_only`, `full_access` or `custom`.
    pub access: String,
    /// Every scope the key holds.
    pub scopes: Vec<String>,
    /// `test` or `prod`.
    pub environment: String,
    /// `prod_sk_…wxyz`.
    pub redacted: String,
    /// RFC 3339.
    pub created_at: String,
    /// The member who created it.
    pub created_by: Option<String>,
    /// RFC 3339, at most a minute stale.
    pub last_used_at: Option<String>,
    /// RFC 3339, or null for never.
    pub expires_at: Option<String>,
    /// RFC 3339, when revoked.
    pub revoked_at: Option<String>,
    /// Origins a publishable key may be used from; empty means any.
    pub allowed_origins: Vec<String>,
    /// `active`, `expired` or `revoked`.
    pub status: String,
    /// Whether it holds any write scope.
    pub write_capable: bool,
    /// The wallets its scopes reach.
    pub wallets: Vec<WalletReach>,
    /// The successor's id, once rolled.
    pub rolled_to: Option<String>,
}

/// `POST /v1/admin/keys` answer: the key and its plaintext, this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CreatedKey {
    /// The new key.
    pub key: KeyView,
    /// The plaintext; never shown again.
    pub secret: String,
}

/// `POST /v1/admin/keys/{id}/roll` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RolledKey {
    /// The successor.
    pub key: KeyView,
    /// The successor's plaintext; never shown again.
    pub secret: String,
    /// The rolled key, now with `rolled_to` and the end of its overlap.
    pub previous_key: KeyView,
}

/// `GET /v1/admin/keys` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct KeyList {
    /// Newest first.
    pub data: Vec<KeyView>,
}

/// `DELETE /v1/admin/keys/{id}` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Deleted {
    /// What was deleted.
    pub id: String,
    /// Always true.
    pub deleted: bool,
}

// ---------------------------------------------------------------------------------------
// Webhook events: the `data` of each event type (`webhook::Event`)

/// `api_key.created`, `api_key.rolled` and `api_key.revoked`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApiKeyEvent {
    /// The key as it now is (for a roll, the successor).
    pub key: KeyView,
    /// `api_key.rolled`: the rolled key, with `rolled_to` and the end of its overlap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_key: Option<KeyView>,
    /// `api_key.revoked`: `dashboard`, or `exposed` when the workspace revokes on exposure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `api_key.exposed`: a key seen where it must never be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApiKeyExposed {
    /// The key's id.
    pub key_id: String,
    /// Where the secret key was seen: `browser` (sent by a web page) or `url` (in a URL).
    #[schemars(extend("enum" = ["browser", "url"]))]
    pub kind: String,
    /// The page's origin, when the browser sent one.
    pub origin: Option<String>,
    /// The caller's address.
    pub ip: Option<String>,
    /// The caller's user agent.
    pub user_agent: Option<String>,
    /// The operation's name.
    pub route: String,
    /// Whether the key was revoked (the workspace's `alert_and_revoke`).
    pub revoked: bool,
}

/// A key about to expire, as `api_key.expiring` names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExpiringKey {
    /// `key_…`
    pub id: String,
    /// Its name.
    pub name: String,
    /// `prod_sk_…wxyz`.
    pub redacted: String,
    /// RFC 3339.
    pub expires_at: Option<String>,
}

/// `api_key.expiring`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApiKeyExpiring {
    /// The key.
    pub key: ExpiringKey,
}

/// Every delivery's body: the event and its `data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EventEnvelope<T> {
    /// `evt_…`: the same on every retry and redelivery.
    pub id: String,
    /// The event type, e.g. `coins.credited`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Unix seconds.
    pub created: i64,
    /// The workspace.
    pub workspace_id: String,
    /// `test` or `prod`.
    pub environment: String,
    /// What happened.
    pub data: T,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_read_as_json_schema_counts_them() {
        let roll = |body: &str| serde_json::from_str::<RollKey>(body).map(|r| r.overlap_seconds);
        assert_eq!(roll("{}").unwrap(), None);
        assert_eq!(roll(r#"{"overlap_seconds":null}"#).unwrap(), None);
        assert_eq!(roll(r#"{"overlap_seconds":3600}"#).unwrap(), Some(3600));
        assert_eq!(roll(r#"{"overlap_seconds":4746.0}"#).unwrap(), Some(4746));
        assert!(roll(r#"{"overlap_seconds":1.5}"#).is_err());
        assert!(roll(r#"{"overlap_seconds":1e300}"#).is_err());
        assert!(
            roll(r#"{"overlap_seconds":9e15}"#).is_err(),
            "beyond exact integers"
        );
        assert_eq!(
            roll(r#"{"overlap_seconds":8e15}"#).unwrap(),
            Some(8_000_000_000_000_000)
        );
        assert!(roll(r#"{"overlap_seconds":"60"}"#).is_err());
    }

    #[test]
    fn list_schemas_name_exactly_what_the_edge_accepts() {
        let mut g = schemars::SchemaGenerator::default();
        let scopes = scope_list(&mut g);
        let names = scopes.get("items").and_then(|i| i.get("enum")).unwrap();
        assert_eq!(
            names.as_array().unwrap().len(),
            crate::scope::Scope::ALL.len()
        );
        assert!(names.as_array().unwrap().contains(&"coins_write".into()));
        let origins = origin_list(&mut g);
        assert_eq!(origins.get("maxItems"), Some(&50.into()));
        assert_eq!(
            origins.get("items").and_then(|i| i.get("pattern")),
            Some(&ORIGIN_PATTERN.into())
        );
        for list in [event_list(&mut g), nullable_event_list(&mut g)] {
            assert_eq!(list.get("minItems"), Some(&1.into()));
            let events = list.get("items").and_then(|i| i.get("enum")).unwrap();
            assert_eq!(events, &serde_json::json!(crate::webhook::event_names()));
        }
        assert_eq!(
            nullable_event_list(&mut g).get("type"),
            Some(&serde_json::json!(["array", "null"]))
        );
        assert_eq!(event_list(&mut g).get("type"), Some(&"array".into()));
    }
}
