//! The control plane's shapes (`/v1/admin/…`): what the dashboard sends and reads.
//!
//! Times are RFC 3339 strings; ids are the prefixed random ids the edge mints. The
//! constraints in `#[schemars(…)]` are the ones the edge enforces, so the OpenAPI document
//! describes exactly the bodies it accepts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------
// Session and PIN

/// `POST /v1/admin/session` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SignIn {
    /// The member's email.
    #[schemars(length(min = 3, max = 254))]
    pub email: String,
    /// Their password.
    #[schemars(length(max = 200))]
    pub password: String,
}

/// The signed-in member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SessionMember {
    /// `mem_…`
    pub id: String,
    /// Lower case.
    pub email: String,
    /// `superadmin`, `admin`, `developer` or `viewer`.
    #[schemars(extend("enum" = ["superadmin", "admin", "developer", "viewer"]))]
    pub role: String,
    /// Whether they have set a PIN (needed for PIN-guarded actions).
    pub pin_set: bool,
}

/// The workspace a session belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SessionWorkspace {
    /// `ws_…`, the App ID.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `approved` (may create production keys) or `pending`.
    #[schemars(extend("enum" = ["approved", "pending"]))]
    pub status: String,
}

/// `POST` and `GET /v1/admin/session` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Session {
    /// Who is signed in.
    pub member: SessionMember,
    /// Send as `X-CSRF-Token` on every state-changing call.
    pub csrf_token: String,
    /// Their workspace.
    pub workspace: SessionWorkspace,
    /// RFC 3339: the session ends then (12 hours after sign-in).
    pub expires_at: String,
}

/// `DELETE /v1/admin/session` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SignedOut {
    /// Always true.
    pub signed_out: bool,
}

/// `PUT /v1/admin/pin` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SetPin {
    /// The member's password, confirming it is them.
    #[schemars(length(max = 200))]
    pub password: String,
    /// The new PIN: 6 to 12 digits.
    #[schemars(regex(pattern = r"^[0-9]{6,12}$"))]
    pub pin: String,
}

/// `PUT /v1/admin/pin` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PinSet {
    /// Always true.
    pub pin_set: bool,
}

// ---------------------------------------------------------------------------------------
// Workspace and members

/// `GET /v1/admin/workspace`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Workspace {
    /// `ws_…`, the App ID.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `approved` or `pending`.
    #[schemars(extend("enum" = ["approved", "pending"]))]
    pub status: String,
    /// What happens when a key is exposed: `alert`, or `alert_and_revoke`.
    #[schemars(extend("enum" = ["alert", "alert_and_revoke"]))]
    pub exposure_action: String,
    /// What the workspace calls its coins.
    pub coin_label: String,
    /// The base of referral links.
    pub referral_url: String,
    /// Coins a referrer earns.
    pub referral_reward_coins: i64,
    /// The reward, in words.
    pub referral_reward_text: String,
    /// RFC 3339.
    pub created_at: String,
}

/// `PATCH /v1/admin/workspace` body: every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WorkspacePatch {
    /// 1 to 60 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 60), regex(pattern = r"\S"))]
    pub name: Option<String>,
    /// `alert` or `alert_and_revoke`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["alert", "alert_and_revoke"]))]
    pub exposure_action: Option<String>,
    /// 1 to 60 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 60), regex(pattern = r"\S"))]
    pub coin_label: Option<String>,
}

/// A member of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MemberView {
    /// `mem_…`
    pub id: String,
    /// Lower case.
    pub email: String,
    /// `superadmin`, `admin`, `developer` or `viewer`.
    #[schemars(extend("enum" = ["superadmin", "admin", "developer", "viewer"]))]
    pub role: String,
    /// Whether they have set a PIN.
    pub pin_set: bool,
    /// Whether wrong PINs have locked PIN-guarded actions for now.
    pub pin_locked: bool,
    /// RFC 3339.
    pub created_at: String,
}

/// `GET /v1/admin/members`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MemberList {
    /// Oldest first.
    pub data: Vec<MemberView>,
}

/// `POST` and `PATCH /v1/admin/members…` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MemberAnswer {
    /// The member as it now is.
    pub member: MemberView,
}

/// `POST /v1/admin/members` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NewMember {
    /// Their email; unique across Tally.
    #[schemars(email, length(max = 254))]
    pub email: String,
    /// `superadmin`, `admin`, `developer` or `viewer`.
    #[schemars(extend("enum" = ["superadmin", "admin", "developer", "viewer"]))]
    pub role: String,
    /// An initial password: 12 to 200 characters.
    #[schemars(length(min = 12, max = 200))]
    pub password: String,
    /// An initial PIN: 6 to 12 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{6,12}$"))]
    pub pin: Option<String>,
}

/// `PATCH /v1/admin/members/{id}` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MemberPatch {
    /// The new role. A workspace always keeps one superadmin.
    #[schemars(extend("enum" = ["superadmin", "admin", "developer", "viewer"]))]
    pub role: String,
}

// ---------------------------------------------------------------------------------------
// Logs

/// One API request, as the request log keeps it (30 days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LogEntry {
    /// Increasing.
    pub id: i64,
    /// `req_…`, also the `X-Request-Id` header the caller got.
    pub request_id: String,
    /// The key used, when one was recognised.
    pub key_id: Option<String>,
    /// The method as sent.
    pub method: String,
    /// The operation's name, e.g. `coins.debit`, or `unknown`.
    pub route: String,
    /// The status answered.
    pub status: i64,
    /// Milliseconds inside the Worker.
    pub latency_ms: i64,
    /// `server` or `browser`.
    pub caller: String,
    /// The error's code, for a refusal.
    pub error_code: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// A key seen where it must never be: one row per key, kind and origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Exposure {
    /// `exp_…`
    pub id: String,
    /// The exposed key.
    pub key_id: String,
    /// Where the secret key was seen: `browser` (sent by a web page) or `url` (in a URL).
    #[schemars(extend("enum" = ["browser", "url"]))]
    pub kind: String,
    /// The page's origin, when the browser sent one.
    pub origin: String,
    /// The caller's address.
    pub ip: String,
    /// The caller's user agent.
    pub user_agent: String,
    /// The operation's name.
    pub route: String,
    /// RFC 3339.
    pub first_seen: String,
    /// RFC 3339.
    pub last_seen: String,
    /// How many times.
    pub count: i64,
}

/// `POST /v1/admin/preview-token` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PreviewTokenRequest {
    /// The test shopper the preview shows.
    #[schemars(regex(pattern = crate::wire::CUSTOMER_ID_PATTERN))]
    pub customer_id: String,
}

/// One UTC day of the overview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DayStats {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    /// Requests answered 1xx to 3xx.
    pub requests_succeeded: i64,
    /// Requests refused with a 4xx other than 429.
    pub requests_refused: i64,
    /// Requests answered 429.
    pub requests_rate_limited: i64,
    /// Requests answered 5xx.
    pub requests_failed: i64,
    /// Coins added by new ledger entries.
    pub coins_credited: i64,
    /// Coins taken by new ledger entries.
    pub coins_debited: i64,
    /// Uses of a secret key from a browser or in a URL.
    pub exposures: i64,
}

/// `GET /v1/admin/overview`: the last 30 days, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Overview {
    /// The first day, `YYYY-MM-DD`.
    pub since: String,
    /// One entry per day, oldest first, zeros included.
    pub days: Vec<DayStats>,
}

/// One state-changing control-plane call, allowed or refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuditEntry {
    /// Increasing.
    pub id: i64,
    /// Who, while they exist.
    pub member_id: Option<String>,
    /// Who, as they were then.
    pub member_email: String,
    /// The operation's name, e.g. `keys.roll`.
    pub action: String,
    /// What it acted on.
    pub target: String,
    /// The status answered.
    pub status: i64,
    /// From where.
    pub ip: String,
    /// RFC 3339.
    pub created_at: String,
}

// ---------------------------------------------------------------------------------------
// Identity secrets and key rolls

/// A workspace's identity secret, without its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IdentitySecretView {
    /// `ids_…`: the `kid` customer tokens name.
    pub kid: String,
    /// `test` or `prod`.
    #[schemars(extend("enum" = ["test", "prod"]))]
    pub environment: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: when a rolled secret stops verifying tokens.
    pub retires_at: Option<String>,
    /// `current`, `retiring` or `retired`.
    #[schemars(extend("enum" = ["current", "retiring", "retired"]))]
    pub status: String,
}

/// `GET /v1/admin/identity-secrets`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IdentitySecretList {
    /// By environment, current first.
    pub data: Vec<IdentitySecretView>,
}

/// An identity secret with its value: the answer to a roll or a reveal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RevealedIdentitySecret {
    /// The secret.
    pub identity_secret: IdentitySecretView,
    /// Its value, for signing customer tokens on your server.
    pub secret: String,
}

/// `POST /v1/admin/identity-secrets/roll` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RollIdentitySecret {
    /// `test` (the default) or `prod`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["test", "prod"]))]
    pub environment: Option<String>,
    /// How long the old secret keeps verifying: 0 (the default) to 604800 seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::optional_integer"
    )]
    #[schemars(range(min = 0, max = 604_800))]
    pub overlap_seconds: Option<i64>,
}

/// `POST /v1/admin/keys/{id}/roll` body (optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RollKey {
    /// How long the old key keeps working: 0 (the default) to 604800 seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::optional_integer"
    )]
    #[schemars(range(min = 0, max = 604_800))]
    pub overlap_seconds: Option<i64>,
}

// ---------------------------------------------------------------------------------------
// Webhooks

/// A webhook endpoint, without its signing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WebhookEndpoint {
    /// `wh_…`
    pub id: String,
    /// `test` or `prod`: events of that environment only.
    #[schemars(extend("enum" = ["test", "prod"]))]
    pub environment: String,
    /// Where events are POSTed.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The event types it receives.
    pub events: Vec<String>,
    /// A disabled endpoint receives nothing.
    pub disabled: bool,
    /// RFC 3339.
    pub created_at: String,
}

/// `GET /v1/admin/webhooks`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WebhookList {
    /// Newest first.
    pub data: Vec<WebhookEndpoint>,
    /// Every event type an endpoint may subscribe to.
    pub event_types: Vec<String>,
}

/// `POST /v1/admin/webhooks` answer: the signing secret, this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CreatedWebhook {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// `whsec_…`: verify each delivery's signature with it.
    pub secret: String,
}

/// `POST /v1/admin/webhooks` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NewWebhook {
    /// `https://…` with a public host name; test endpoints may also use `http://127.0.0.1`
    /// or `http://localhost`.
    #[schemars(length(max = 2000), regex(pattern = super::WEBHOOK_URL_PATTERN))]
    pub url: String,
    /// At least one event type.
    #[schemars(schema_with = "super::event_list")]
    pub events: Vec<String>,
    /// `test` (the default) or `prod`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["test", "prod"]))]
    pub environment: Option<String>,
    /// Up to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200))]
    pub description: Option<String>,
}

/// `PATCH /v1/admin/webhooks/{id}` body: every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WebhookPatch {
    /// A new URL, under the same rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2000), regex(pattern = super::WEBHOOK_URL_PATTERN))]
    pub url: Option<String>,
    /// New event types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "super::nullable_event_list")]
    pub events: Option<Vec<String>>,
    /// Up to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200))]
    pub description: Option<String>,
    /// Pause or resume deliveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// One attempt to deliver an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryAttempt {
    /// 1, 2, …
    pub attempt: i64,
    /// The endpoint's status, when it answered.
    pub status_code: Option<i64>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
    /// RFC 3339.
    pub at: String,
}

/// One event's delivery to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Delivery {
    /// `dlv_…`
    pub id: String,
    /// `evt_…`: the same on every retry and redelivery.
    pub event_id: String,
    /// The event's type, e.g. `coins.credited`.
    pub event_type: String,
    /// `pending`, `succeeded` or `failed`.
    #[schemars(extend("enum" = ["pending", "succeeded", "failed"]))]
    pub status: String,
    /// Attempts so far.
    pub attempt_count: i64,
    /// RFC 3339, while retries remain.
    pub next_attempt_at: Option<String>,
    /// The last answer's status.
    pub last_status_code: Option<i64>,
    /// The last failure.
    pub last_error: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}
