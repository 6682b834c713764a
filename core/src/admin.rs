//! The control plane's rules: roles and what each may do, the PIN lockout, sessions and
//! their CSRF tokens, and the validation of key requests. The edge's admin handlers are
//! glue around these functions; the route table here is what the router, the guard and
//! the OpenAPI test agree on.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::doc::{OpDoc, QueryParam};
use crate::error::{ApiError, ErrorCode};
use crate::key::{Environment, KeyKind};
use crate::rng::Csprng;
use crate::route::{self, RouteError};
use crate::scope::{self, Access, Scope, ScopeSet};
use crate::time::{parse_rfc3339, UnixMillis};
use crate::wire::{
    AuditEntry, Card, CardSpec, Claim, CreatedKey, CreatedWebhook, CustomerTokenResponse, Deleted,
    Delivery, Exposure, IdentitySecretList, KeyList, KeyView, LogEntry, MemberAnswer, MemberList,
    MemberPatch, NewMember, NewWebhook, Overview, Page, PinSet, PreviewTokenRequest, Programs,
    RejectClaim, RevealedIdentitySecret, Reward, RewardSpec, RollIdentitySecret, RollKey,
    RolledKey, Session, SetPin, SignIn, SignedOut, WebhookEndpoint, WebhookList, WebhookPatch,
    Workspace, WorkspacePatch,
};

/// A member's role in a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, including managing members.
    Superadmin,
    /// Keys, identity secrets, webhooks, settings, logs.
    Admin,
    /// Reads logs, exposures and webhook deliveries.
    Developer,
    /// Sees the workspace only.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Superadmin, Role::Admin, Role::Developer, Role::Viewer];

    /// The API name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Superadmin => "superadmin",
            Role::Admin => "admin",
            Role::Developer => "developer",
            Role::Viewer => "viewer",
        }
    }

    /// Parses the API name.
    pub fn parse(s: &str) -> Option<Self> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role may perform `action`.
    pub const fn may(self, action: Action) -> bool {
        match action {
            Action::Own | Action::ViewWorkspace => true,
            Action::ReadLogs | Action::ReadWebhooks => !matches!(self, Role::Viewer),
            Action::ViewKeys
            | Action::ManageKeys
            | Action::ManageWorkspace
            | Action::ManageWebhooks
            | Action::ViewMembers
            | Action::ReadAudit
            | Action::HandleClaims => matches!(self, Role::Superadmin | Role::Admin),
            Action::ManageMembers => matches!(self, Role::Superadmin),
        }
    }
}

/// What a control-plane call does, for the role check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The member's own session and PIN.
    Own,
    /// See the workspace's name, status and settings.
    ViewWorkspace,
    /// Change the workspace's settings (exposure action, labels).
    ManageWorkspace,
    /// See keys and identity-secret metadata (seed 003: superadmin and admin only).
    ViewKeys,
    /// Create, change, roll, revoke, delete keys; roll and reveal identity secrets.
    ManageKeys,
    /// Read the request log and the exposure log.
    ReadLogs,
    /// See webhook endpoints and their delivery log.
    ReadWebhooks,
    /// Create, change, delete endpoints; redeliver.
    ManageWebhooks,
    /// See the members.
    ViewMembers,
    /// Invite, change and remove members.
    ManageMembers,
    /// Read the audit log.
    ReadAudit,
    /// See the claims queue, approve and reject claims.
    HandleClaims,
}

macro_rules! admin_routes {
    ($( $(#[doc = $doc:literal])* $op:ident => {
        $method:literal $path:literal, name: $name:literal, action: $action:ident, pin: $pin:literal,
        doc: { $($d:tt)* } $(,)?
    }, )*) => {
        /// Every control-plane operation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AdminOp {
            $( $(#[doc = $doc])* $op, )*
        }

        impl AdminOp {
            /// Every operation, in table order.
            pub const ALL: &'static [AdminOp] = &[$(AdminOp::$op,)*];

            /// The method and the path template.
            pub const fn endpoint(self) -> (&'static str, &'static str) {
                match self { $(AdminOp::$op => ($method, $path),)* }
            }

            /// A stable name for the audit log, e.g. `keys.roll`.
            pub const fn name(self) -> &'static str {
                match self { $(AdminOp::$op => $name,)* }
            }

            /// What the member's role must allow.
            pub const fn action(self) -> Action {
                match self { $(AdminOp::$op => Action::$action,)* }
            }

            /// Whether it is PIN-guarded.
            pub const fn needs_pin(self) -> bool {
                match self { $(AdminOp::$op => $pin,)* }
            }

            /// What the OpenAPI document says about it.
            pub fn doc(self) -> OpDoc {
                match self { $(AdminOp::$op => $crate::op_doc!($($doc)*; $($d)*),)* }
            }
        }
    };
}

admin_routes! {
    /// Email and password. Sets the `tally_session` cookie (HttpOnly, Secure,
    /// SameSite=Strict, 12 hours) and answers the CSRF token every state-changing call sends
    /// in `X-CSRF-Token`. Wrong credentials answer 401 `invalid_credentials`, the same answer
    /// in similar time whether or not the email exists; 20 attempts a minute per address.
    SignIn => { "POST" "/v1/admin/session", name: "session.create", action: Own, pin: false,
        doc: { tag: "Session", summary: "Sign in", body: SignIn, answer: 200 Session, query: [], errors: [InvalidCredentials, RateLimited] } },
    /// The signed-in member, the workspace and the CSRF token (for a dashboard that reloads).
    GetSession => { "GET" "/v1/admin/session", name: "session.get", action: Own, pin: false,
        doc: { tag: "Session", summary: "The current session", answer: 200 Session, query: [], errors: [] } },
    /// Ends the session and clears the cookie.
    SignOut => { "DELETE" "/v1/admin/session", name: "session.delete", action: Own, pin: false,
        doc: { tag: "Session", summary: "Sign out", answer: 200 SignedOut, query: [], errors: [] } },
    /// Sets the signed-in member's PIN (6 to 12 digits); the password confirms it is them.
    /// Changing a PIN also takes the current one in `X-Confirm-Pin`. Rate-limited with
    /// sign-in.
    SetPin => { "PUT" "/v1/admin/pin", name: "pin.set", action: Own, pin: true,
        doc: { tag: "Session", summary: "Set your PIN", body: SetPin, answer: 200 PinSet, query: [], errors: [InvalidCredentials, RateLimited] } },
    /// Name, status (`pending` or `approved`: production keys need `approved`), exposure
    /// action and program settings. Every role.
    GetWorkspace => { "GET" "/v1/admin/workspace", name: "workspace.get", action: ViewWorkspace, pin: false,
        doc: { tag: "Workspace", summary: "The workspace", answer: 200 Workspace, query: [], errors: [] } },
    /// Per-day counters of the last 30 days (UTC), oldest first, zeros included: requests by
    /// outcome, coins credited and debited by new ledger entries, exposures. Counted as
    /// requests and entries happen, never by scanning wallets or logs. Every role.
    GetOverview => { "GET" "/v1/admin/overview", name: "overview.get", action: ViewWorkspace, pin: false,
        doc: { tag: "Workspace", summary: "The last 30 days", answer: 200 Overview, query: [], errors: [] } },
    /// `name`, `coin_label`, and `exposure_action`: `alert`, or `alert_and_revoke` to revoke
    /// a secret key on its first use from a browser. Superadmin and admin.
    PatchWorkspace => { "PATCH" "/v1/admin/workspace", name: "workspace.update", action: ManageWorkspace, pin: false,
        doc: { tag: "Workspace", summary: "Change workspace settings", body: WorkspacePatch, answer: 200 Workspace, query: [], errors: [] } },
    /// Every member, oldest first. Superadmin and admin.
    ListMembers => { "GET" "/v1/admin/members", name: "members.list", action: ViewMembers, pin: false,
        doc: { tag: "Members", summary: "List members", answer: 200 MemberList, query: [], errors: [] } },
    /// A member with an initial password (12 to 200 characters) and, optionally, a PIN.
    /// Superadmin only.
    CreateMember => { "POST" "/v1/admin/members", name: "members.create", action: ManageMembers, pin: true,
        doc: { tag: "Members", summary: "Add a member", body: NewMember, answer: 201 MemberAnswer, query: [], errors: [EmailTaken] } },
    /// Changes another member's role (never your own, so a workspace always keeps the
    /// superadmin making the change). Superadmin only.
    PatchMember => { "PATCH" "/v1/admin/members/{id}", name: "members.update", action: ManageMembers, pin: true,
        doc: { tag: "Members", summary: "Change a member's role", body: MemberPatch, answer: 200 MemberAnswer, query: [],
               errors: [MemberNotFound, CannotChangeOwnMembership] } },
    /// Removes a member and ends their sessions. Superadmin only; not yourself.
    DeleteMember => { "DELETE" "/v1/admin/members/{id}", name: "members.delete", action: ManageMembers, pin: true,
        doc: { tag: "Members", summary: "Remove a member", answer: 200 Deleted, query: [], errors: [MemberNotFound, CannotChangeOwnMembership] } },
    /// Keys, redacted (`prod_sk_…wxyz`): a key's plaintext is shown once, when it is created.
    /// Superadmin and admin.
    ListKeys => { "GET" "/v1/admin/keys", name: "keys.list", action: ViewKeys, pin: false,
        doc: { tag: "API keys", summary: "List API keys", answer: 200 KeyList, query: [], errors: [] } },
    /// `access`: `read_only`, `full_access`, or `custom` with `scopes`. `kind` defaults to
    /// `secret` when the key can write and `publishable` otherwise; a publishable key never
    /// holds a write scope. `allowed_origins` for publishable keys only. Production keys need
    /// an approved workspace. The plaintext `secret` is in this answer only.
    CreateKey => { "POST" "/v1/admin/keys", name: "keys.create", action: ManageKeys, pin: true,
        doc: { tag: "API keys", summary: "Create an API key", body: NewKey, answer: 201 CreatedKey, query: [],
               errors: [PublishableKeyCannotWrite, WorkspaceNotApproved] } },
    /// One key, with the wallets its scopes reach and their currency type.
    GetKey => { "GET" "/v1/admin/keys/{id}", name: "keys.get", action: ViewKeys, pin: false,
        doc: { tag: "API keys", summary: "Get an API key", answer: 200 KeyView, query: [], errors: [KeyNotFound] } },
    /// `name`, `description`, `access` and `scopes`, `allowed_origins`. A publishable key
    /// never gains a write scope; a secret key may become read-only and keeps its prefix.
    PatchKey => { "PATCH" "/v1/admin/keys/{id}", name: "keys.update", action: ManageKeys, pin: false,
        doc: { tag: "API keys", summary: "Update an API key", body: KeyPatch, answer: 200 KeyView, query: [],
               errors: [KeyNotFound, KeyRevoked, PublishableKeyCannotWrite] } },
    /// Irreversible: the key answers `invalid_api_key` from the next request on.
    DeleteKey => { "DELETE" "/v1/admin/keys/{id}", name: "keys.delete", action: ManageKeys, pin: true,
        doc: { tag: "API keys", summary: "Delete an API key", answer: 200 Deleted, query: [], errors: [KeyNotFound] } },
    /// A new key with the same settings; the old one keeps working for `overlap_seconds`
    /// (0 to 604800), then answers `expired_api_key`. The new plaintext is in this answer
    /// only. A key rolls once: roll its successor next.
    RollKey => { "POST" "/v1/admin/keys/{id}/roll", name: "keys.roll", action: ManageKeys, pin: true,
        doc: { tag: "API keys", summary: "Roll an API key", body: RollKey, optional: true, answer: 200 RolledKey, query: [],
               errors: [KeyNotFound, KeyRevoked, KeyAlreadyRolled] } },
    /// Refused from the next request on: at once in the isolate that revoked it, within
    /// seconds everywhere. No PIN, so a leak can be stopped at once.
    RevokeKey => { "POST" "/v1/admin/keys/{id}/revoke", name: "keys.revoke", action: ManageKeys, pin: false,
        doc: { tag: "API keys", summary: "Revoke an API key", answer: 200 KeyView, query: [], errors: [KeyNotFound] } },
    /// Metadata only: `kid`, environment, status `current`, `retiring` or `retired`.
    /// Superadmin and admin.
    ListIdentitySecrets => { "GET" "/v1/admin/identity-secrets", name: "identity_secrets.list", action: ViewKeys, pin: false,
        doc: { tag: "Identity secrets", summary: "List identity secrets", answer: 200 IdentitySecretList, query: [], errors: [] } },
    /// A new current secret with a new `kid`; tokens signed with the old one keep verifying
    /// for `overlap_seconds`. Also creates the first one. The secret is in this answer.
    RollIdentitySecret => { "POST" "/v1/admin/identity-secrets/roll", name: "identity_secrets.roll", action: ManageKeys, pin: true,
        doc: { tag: "Identity secrets", summary: "Roll (or create) the identity secret", body: RollIdentitySecret, optional: true,
               answer: 201 RevealedIdentitySecret, query: [], errors: [WorkspaceNotApproved] } },
    /// The secret's value, for signing customer tokens on your server.
    RevealIdentitySecret => { "POST" "/v1/admin/identity-secrets/{kid}/reveal", name: "identity_secrets.reveal", action: ManageKeys, pin: true,
        doc: { tag: "Identity secrets", summary: "Reveal an identity secret", answer: 200 RevealedIdentitySecret, query: [], errors: [IdentitySecretNotFound] } },
    /// A ten-minute customer token for a test shopper, signed with the current test identity
    /// secret: the Integration page's live widget preview. Test environment only. Superadmin
    /// and admin.
    PreviewToken => { "POST" "/v1/admin/preview-token", name: "preview_token.create", action: ViewKeys, pin: false,
        doc: { tag: "Identity secrets", summary: "A test customer token for the widget preview", body: PreviewTokenRequest,
               answer: 200 CustomerTokenResponse, query: [], errors: [InvalidCustomerId] } },
    /// Secret keys seen in a browser or a URL: origin, address, user agent, first and last
    /// seen, count; most recently seen first. Superadmin, admin, developer.
    ListExposures => { "GET" "/v1/admin/exposures", name: "exposures.list", action: ReadLogs, pin: false,
        doc: { tag: "Logs", summary: "Exposure log", answer: 200 Page<Exposure>,
               query: [QueryParam::KeyId, QueryParam::PairCursor, QueryParam::Limit { default: 50, max: 200 }], errors: [] } },
    /// Every verifier decision, never the key itself; newest first, kept 30 days.
    /// Superadmin, admin, developer.
    ListLogs => { "GET" "/v1/admin/logs", name: "logs.list", action: ReadLogs, pin: false,
        doc: { tag: "Logs", summary: "Request log", answer: 200 Page<LogEntry>,
               query: [QueryParam::KeyId, QueryParam::Status, QueryParam::RouteName, QueryParam::Since, QueryParam::Until,
                       QueryParam::IntCursor, QueryParam::Limit { default: 50, max: 200 }], errors: [] } },
    /// Every state-changing control-plane call, allowed or refused: who, what, when, from
    /// where. Superadmin and admin.
    ListAudit => { "GET" "/v1/admin/audit", name: "audit.list", action: ReadAudit, pin: false,
        doc: { tag: "Logs", summary: "Audit log", answer: 200 Page<AuditEntry>,
               query: [QueryParam::IntCursor, QueryParam::Limit { default: 50, max: 200 }], errors: [] } },
    /// Which programs run in an environment (`environment`, default `test`): coins with
    /// their label, stamp cards, cashback and its currency. Every role.
    GetPrograms => { "GET" "/v1/admin/programs", name: "programs.get", action: ViewWorkspace, pin: false,
        doc: { tag: "Programs", summary: "The programs", answer: 200 Programs, query: [QueryParam::Environment], errors: [] } },
    /// Switches programs on and off, renames coins, sets the cashback currency (which cannot
    /// change once cashback was paid in it). Superadmin and admin.
    PutPrograms => { "PUT" "/v1/admin/programs", name: "programs.update", action: ManageWorkspace, pin: false,
        doc: { tag: "Programs", summary: "Change the programs", body: Programs, answer: 200 Programs, query: [QueryParam::Environment], errors: [] } },
    /// The stamp cards of an environment, oldest first. Every role.
    ListProgramCards => { "GET" "/v1/admin/cards", name: "cards.admin_list", action: ViewWorkspace, pin: false,
        doc: { tag: "Programs", summary: "List stamp cards", answer: 200 Page<Card>, query: [QueryParam::Environment], errors: [] } },
    /// A stamp card: name, stamps that fill it (1 to 100), its reward, an optional expiry.
    /// At most 50 per environment. Superadmin and admin.
    CreateCard => { "POST" "/v1/admin/cards", name: "cards.create", action: ManageWorkspace, pin: false,
        doc: { tag: "Programs", summary: "Create a stamp card", body: CardSpec, answer: 201 Card, query: [QueryParam::Environment], errors: [] } },
    /// Replaces a card's definition; stamps already given stay. Deactivate rather than
    /// delete: an inactive card takes no new stamps. Superadmin and admin.
    PutCard => { "PUT" "/v1/admin/cards/{id}", name: "cards.update", action: ManageWorkspace, pin: false,
        doc: { tag: "Programs", summary: "Change a stamp card", body: CardSpec, answer: 200 Card, query: [QueryParam::Environment], errors: [CardNotFound] } },
    /// The rewards catalogue of an environment, oldest first. Every role.
    ListProgramRewards => { "GET" "/v1/admin/rewards", name: "rewards.admin_list", action: ViewWorkspace, pin: false,
        doc: { tag: "Programs", summary: "List rewards", answer: 200 Page<Reward>, query: [QueryParam::Environment], errors: [] } },
    /// A reward that costs coins, or the stamps of one card. At most 200 per environment.
    /// Superadmin and admin.
    CreateReward => { "POST" "/v1/admin/rewards", name: "rewards.create", action: ManageWorkspace, pin: false,
        doc: { tag: "Programs", summary: "Create a reward", body: RewardSpec, answer: 201 Reward, query: [QueryParam::Environment], errors: [CardNotFound] } },
    /// Replaces a reward. Superadmin and admin.
    PutReward => { "PUT" "/v1/admin/rewards/{id}", name: "rewards.update", action: ManageWorkspace, pin: false,
        doc: { tag: "Programs", summary: "Change a reward", body: RewardSpec, answer: 200 Reward, query: [QueryParam::Environment],
               errors: [RewardNotFound, CardNotFound] } },
    /// The claims queue, newest first; `status` filters it. Superadmin and admin.
    ListQueuedClaims => { "GET" "/v1/admin/claims", name: "claims.admin_list", action: HandleClaims, pin: false,
        doc: { tag: "Programs", summary: "The claims queue", answer: 200 Page<Claim>,
               query: [QueryParam::Environment, QueryParam::ClaimStatus, QueryParam::PairCursor, QueryParam::Limit { default: 50, max: 200 }], errors: [] } },
    /// Approves a claim and applies its credit once. Superadmin and admin.
    ApproveQueuedClaim => { "POST" "/v1/admin/claims/{id}/approve", name: "claims.admin_approve", action: HandleClaims, pin: false,
        doc: { tag: "Programs", summary: "Approve a claim", answer: 200 Claim, query: [QueryParam::Environment],
               errors: [ClaimNotFound, ClaimClosed, ProgramDisabled, CardNotFound, CardFull, BalanceLimitExceeded] } },
    /// Rejects a claim with a reason. Superadmin and admin.
    RejectQueuedClaim => { "POST" "/v1/admin/claims/{id}/reject", name: "claims.admin_reject", action: HandleClaims, pin: false,
        doc: { tag: "Programs", summary: "Reject a claim", body: RejectClaim, answer: 200 Claim, query: [QueryParam::Environment],
               errors: [ClaimNotFound, ClaimClosed] } },
    /// Endpoints, with the event types one can subscribe to. Superadmin, admin, developer.
    ListWebhooks => { "GET" "/v1/admin/webhooks", name: "webhooks.list", action: ReadWebhooks, pin: false,
        doc: { tag: "Webhooks", summary: "List webhook endpoints", answer: 200 WebhookList, query: [], errors: [] } },
    /// `url` is https; test endpoints may also use `http://127.0.0.1` or `http://localhost`.
    /// Deliveries carry the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
    /// `webhook-signature`) and `Tally-Signature` (Stripe's scheme), both from the one signing
    /// `secret` (`whsec_` and standard base64), which is in this answer only; they are retried
    /// after 5 s, 30 s, 2 min, 10 min, 1 h, 4 h and 12 h.
    CreateWebhook => { "POST" "/v1/admin/webhooks", name: "webhooks.create", action: ManageWebhooks, pin: false,
        doc: { tag: "Webhooks", summary: "Add a webhook endpoint", body: NewWebhook, answer: 201 CreatedWebhook, query: [],
               errors: [InvalidWebhookUrl] } },
    /// One endpoint, without its secret.
    GetWebhook => { "GET" "/v1/admin/webhooks/{id}", name: "webhooks.get", action: ReadWebhooks, pin: false,
        doc: { tag: "Webhooks", summary: "Get a webhook endpoint", answer: 200 WebhookEndpoint, query: [], errors: [WebhookNotFound] } },
    /// `url`, `events`, `description`, `disabled`.
    PatchWebhook => { "PATCH" "/v1/admin/webhooks/{id}", name: "webhooks.update", action: ManageWebhooks, pin: false,
        doc: { tag: "Webhooks", summary: "Update a webhook endpoint", body: WebhookPatch, answer: 200 WebhookEndpoint, query: [],
               errors: [WebhookNotFound, InvalidWebhookUrl] } },
    /// Deletes the endpoint with its delivery log.
    DeleteWebhook => { "DELETE" "/v1/admin/webhooks/{id}", name: "webhooks.delete", action: ManageWebhooks, pin: false,
        doc: { tag: "Webhooks", summary: "Delete a webhook endpoint", answer: 200 Deleted, query: [], errors: [WebhookNotFound] } },
    /// The endpoint's signing secret (`whsec_…`), for a server that verifies deliveries.
    /// Superadmin and admin, with the PIN.
    RevealWebhookSecret => { "POST" "/v1/admin/webhooks/{id}/reveal", name: "webhooks.reveal", action: ManageWebhooks, pin: true,
        doc: { tag: "Webhooks", summary: "Reveal a signing secret", answer: 200 CreatedWebhook, query: [], errors: [WebhookNotFound] } },
    /// Newest first, each with its attempts and their status codes.
    ListDeliveries => { "GET" "/v1/admin/webhooks/{id}/deliveries", name: "webhooks.deliveries", action: ReadWebhooks, pin: false,
        doc: { tag: "Webhooks", summary: "Delivery log", answer: 200 Page<Delivery>,
               query: [QueryParam::PairCursor, QueryParam::Limit { default: 50, max: 200 }], errors: [WebhookNotFound] } },
    /// One more attempt now, whatever the delivery's state; the same event id.
    Redeliver => { "POST" "/v1/admin/webhooks/{id}/deliveries/{delivery_id}/redeliver", name: "webhooks.redeliver", action: ManageWebhooks, pin: false,
        doc: { tag: "Webhooks", summary: "Redeliver", answer: 202 Delivery, query: [], errors: [WebhookNotFound, DeliveryNotFound] } },
}

impl AdminOp {
    /// Whether this call, by a member who has (or has not yet) set a PIN, must carry it.
    /// Setting a first PIN cannot ask for one; it is confirmed by the password instead.
    pub const fn pin_needed(self, member_has_pin: bool) -> bool {
        self.needs_pin() && (member_has_pin || !matches!(self, AdminOp::SetPin))
    }

    /// Whether the call changes state: needs `X-CSRF-Token` and writes an audit row.
    /// Sign-in is the exception: there is no session yet to bind a token to.
    pub const fn changes_state(self) -> bool {
        let (method, _) = self.endpoint();
        !matches!(self, AdminOp::SignIn) && !matches!(method.as_bytes(), b"GET")
    }
}

/// A resolved control-plane request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRoute {
    /// The operation.
    pub op: AdminOp,
    /// The first `{…}` in the path (`{id}` or `{kid}`).
    pub id: Option<String>,
    /// The second (`{delivery_id}`).
    pub sub_id: Option<String>,
}

/// Whether `path` is under `/v1/admin`.
pub fn is_admin_path(path: &str) -> bool {
    path == "/v1/admin" || path.starts_with("/v1/admin/")
}

/// Resolves a control-plane method and path with the data plane's matcher
/// (`crate::route::pick`). Ids are 1 to 64 of `A-Z a-z 0-9 _ -`; any other is `not_found`.
pub fn resolve(method: &str, path: &str) -> Result<AdminRoute, RouteError> {
    let (op, params) = route::pick(AdminOp::ALL, AdminOp::endpoint, method, path)?;
    let valid = |p: &&str| {
        p.len() <= 64
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if !params.iter().all(valid) {
        return Err(RouteError {
            error: ApiError::new(ErrorCode::NotFound),
            allow: None,
        });
    }
    Ok(AdminRoute {
        op,
        id: params.first().map(|s| (*s).to_owned()),
        sub_id: params.get(1).map(|s| (*s).to_owned()),
    })
}

/// Checks the role, in the order the contract gives: a refused role is 403 `forbidden_role`.
pub fn authorize_role(role: Role, op: AdminOp) -> Result<(), ApiError> {
    if role.may(op.action()) {
        Ok(())
    } else {
        Err(ApiError::with_message(
            ErrorCode::ForbiddenRole,
            format!("The {} role cannot do this ({}).", role.as_str(), op.name()),
        ))
    }
}

// ---------------------------------------------------------------------------------------
// Sessions

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tally_session";
/// Sessions end this long after sign-in.
pub const SESSION_TTL_MS: UnixMillis = 12 * 60 * 60 * 1000;

/// A new session token (32 random bytes, base64url): the cookie's value. Only its SHA-256
/// is stored.
pub fn new_session_token(rng: &mut impl Csprng) -> String {
    let mut b = [0u8; 32];
    rng.fill(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// What the sessions table stores for a token: SHA-256, hex.
pub fn session_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The CSRF token of a session: HMAC-SHA256(session token, "tally-csrf-v1"), base64url.
/// Derived, not stored: only a holder of the (HttpOnly) cookie's value, i.e. the edge, can
/// compute it, and it is handed to the dashboard in the sign-in and session answers.
pub fn csrf_token(session_token: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(session_token.as_bytes()) else {
        return String::new();
    };
    mac.update(b"tally-csrf-v1");
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Whether `presented` is the session's CSRF token, in constant time.
pub fn csrf_matches(session_token: &str, presented: Option<&str>) -> bool {
    let Some(p) = presented else { return false };
    let expected = csrf_token(session_token);
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(p.as_bytes()))
}

/// A cookie's value from a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k == name && !v.is_empty()).then_some(v)
    })
}

/// `Set-Cookie` for a new session.
pub fn session_cookie(token: &str) -> String {
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={}",
        SESSION_TTL_MS / 1000
    )
}

/// `Set-Cookie` that ends the session in the browser.
pub fn cleared_cookie() -> String {
    format!("{SESSION_COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0")
}

// ---------------------------------------------------------------------------------------
// PIN lockout

/// Wrong PINs in a row that lock PIN-guarded actions.
pub const MAX_PIN_FAILURES: i64 = 5;

/// How long a widget-preview token lives, in seconds.
pub const PREVIEW_TOKEN_SECONDS: i64 = 600;
/// How long the lock lasts.
pub const PIN_LOCK_MS: UnixMillis = 15 * 60 * 1000;

/// A member's PIN counters as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PinCounters {
    /// PIN attempts counted since the last right one (or the last lock's end).
    pub failures: i64,
    /// While in the future, PIN-guarded actions answer `pin_locked`.
    pub locked_until: Option<UnixMillis>,
}

impl PinCounters {
    /// Whether the lock holds at `now`.
    pub fn is_locked(&self, now: UnixMillis) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }
}

/// Counts one PIN attempt, atomically and **before** the PIN is checked, so parallel
/// guesses cannot each see a count below the limit. Binds `?1` member id, `?2` now, `?3`
/// [`MAX_PIN_FAILURES`], `?4` the lock's end should this attempt be beyond the limit.
/// Returns the attempt's number, or no row when the member is locked. A finished lock
/// starts a fresh count.
pub const COUNT_PIN_ATTEMPT_SQL: &str = "UPDATE members SET \
     pin_failures = CASE WHEN pin_locked_until IS NOT NULL THEN 1 ELSE pin_failures + 1 END, \
     pin_locked_until = CASE WHEN pin_locked_until IS NOT NULL THEN NULL \
                             WHEN pin_failures + 1 > ?3 THEN ?4 ELSE NULL END \
     WHERE id = ?1 AND (pin_locked_until IS NULL OR pin_locked_until <= ?2) \
     RETURNING pin_failures AS attempt, pin_locked_until AS locked_until";

/// What one counted PIN attempt may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinGate {
    /// Check the PIN: this is attempt `attempt` of [`MAX_PIN_FAILURES`].
    Check {
        /// 1-based.
        attempt: i64,
    },
    /// Refuse with `pin_locked`, without checking.
    Locked,
}

/// The gate for a counted attempt: `None` when the count refused (already locked), or the
/// attempt's number and whether the count locked the member.
pub fn pin_gate(counted: Option<(i64, bool)>) -> PinGate {
    match counted {
        Some((attempt, false)) if attempt <= MAX_PIN_FAILURES => PinGate::Check { attempt },
        _ => PinGate::Locked,
    }
}

/// After a wrong PIN on attempt `attempt`: the tries left (0: the member is now locked
/// for [`PIN_LOCK_MS`]).
pub fn tries_left(attempt: i64) -> i64 {
    (MAX_PIN_FAILURES - attempt).max(0)
}

// ---------------------------------------------------------------------------------------
// Cross-site requests

/// Refuses a control-plane request that a browser sent from another site, and a body that
/// is not JSON. The dashboard is served by the same Worker, so its calls are same-origin:
/// `Sec-Fetch-Site` (when sent) is `same-origin` or `none`, and `Origin` (when sent) is the
/// Worker's own. A cross-site form (login CSRF: signing a victim into the attacker's
/// account) or a `text/plain` fetch can set neither.
pub fn screen_request(
    method: &str,
    content_type: Option<&str>,
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    own_origin: &str,
) -> Result<(), ApiError> {
    if sec_fetch_site.is_some_and(|s| !matches!(s, "same-origin" | "none"))
        || origin.is_some_and(|o| !o.eq_ignore_ascii_case(own_origin))
    {
        return Err(ApiError::new(ErrorCode::CrossSiteRequest));
    }
    let reads = matches!(method, "GET" | "HEAD" | "OPTIONS");
    if !reads && content_type.is_some_and(|ct| !is_json(ct)) {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType));
    }
    Ok(())
}

/// A body may be read only when it is declared JSON (or there is none).
pub fn body_allowed(content_type: Option<&str>, body_is_empty: bool) -> Result<(), ApiError> {
    if body_is_empty || content_type.is_some_and(is_json) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::UnsupportedMediaType))
    }
}

fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

// ---------------------------------------------------------------------------------------
// Keys

/// `POST /v1/admin/keys` body.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct NewKey {
    /// Shown in lists: 1 to 100 printable characters, not only spaces.
    #[schemars(with = "String", length(min = 1, max = 100), regex(pattern = crate::wire::NAME_PATTERN))]
    pub name: Option<String>,
    /// What the key is for (seed 000): up to 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 500))]
    pub description: Option<String>,
    /// `read_only`, `full_access`, or `custom` with `scopes`.
    #[schemars(with = "String", extend("enum" = ["read_only", "full_access", "custom"]))]
    pub access: Option<String>,
    /// For `custom`: at least one scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::wire::scope_list")]
    pub scopes: Option<Vec<String>>,
    /// `test` (the default) or `prod` (an approved workspace only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["test", "prod", null]))]
    pub environment: Option<String>,
    /// RFC 3339 in the future, or null for never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub expires_at: Option<String>,
    /// Publishable keys only: origins like `https://shop.example` or `https://*.shop.example`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::wire::origin_list")]
    pub allowed_origins: Option<Vec<String>>,
    /// `publishable` or `secret`; by default a key that can write is secret and a
    /// read-only key publishable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["publishable", "secret", null]))]
    pub kind: Option<String>,
}

/// `PATCH /v1/admin/keys/{id}` body: every field optional.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct KeyPatch {
    /// New name: 1 to 100 printable characters, not only spaces.
    #[schemars(length(min = 1, max = 100), regex(pattern = crate::wire::NAME_PATTERN))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description: up to 500 characters.
    #[schemars(length(max = 500))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New access: `read_only`, `full_access` or `custom`.
    #[schemars(extend("enum" = ["read_only", "full_access", "custom", null]))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<String>,
    /// New scopes (with `custom`).
    #[schemars(schema_with = "crate::wire::scope_list")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// New origin list (publishable keys only).
    #[schemars(schema_with = "crate::wire::origin_list")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
}

/// A validated key to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPlan {
    /// Name, trimmed.
    pub name: String,
    /// Description.
    pub description: String,
    /// Kind.
    pub kind: KeyKind,
    /// Access.
    pub access: Access,
    /// Resolved scopes.
    pub scopes: ScopeSet,
    /// Environment.
    pub env: Environment,
    /// Expiry.
    pub expires_at: Option<UnixMillis>,
    /// Origins.
    pub allowed_origins: Vec<String>,
}

/// The editable part of a stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySettings {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Kind (never changes).
    pub kind: KeyKind,
    /// Access.
    pub access: Access,
    /// Scopes.
    pub scopes: ScopeSet,
    /// Origins.
    pub allowed_origins: Vec<String>,
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::with_message(ErrorCode::InvalidRequest, msg)
}

fn clean_name(name: &str) -> Result<String, ApiError> {
    let n = name.trim();
    if n.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(invalid("name is 1 to 100 characters."));
    }
    Ok(n.to_owned())
}

fn clean_description(d: &str) -> Result<String, ApiError> {
    if d.chars().count() > 500 {
        return Err(invalid("description is at most 500 characters."));
    }
    Ok(d.trim().to_owned())
}

fn parse_scopes(list: &[String]) -> Result<ScopeSet, ApiError> {
    let mut set = ScopeSet::default();
    for s in list {
        set.insert(Scope::parse(s).ok_or_else(|| invalid(format!("unknown scope {s:?}.")))?);
    }
    Ok(set)
}

/// Checks an allowed-origin entry: `scheme://host[:port]`, or `https://*.domain`.
pub fn validate_origin(o: &str) -> Result<(), ApiError> {
    let bad = || {
        invalid(format!(
            "{o:?} is not an origin like https://shop.example or https://*.shop.example."
        ))
    };
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let host = rest.strip_prefix("*.").unwrap_or(rest);
    let ok = !host.is_empty()
        && o.len() <= 200
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        && !host.starts_with('.')
        && !host.ends_with('.');
    if ok {
        Ok(())
    } else {
        Err(bad())
    }
}

fn check_origins(kind: KeyKind, origins: &[String]) -> Result<Vec<String>, ApiError> {
    if kind == KeyKind::Secret && !origins.is_empty() {
        return Err(invalid(
            "allowed_origins applies to publishable keys only: secret keys are never used from a browser.",
        ));
    }
    if origins.len() > 50 {
        return Err(invalid("at most 50 allowed origins."));
    }
    for o in origins {
        validate_origin(o)?;
    }
    Ok(origins.to_vec())
}

fn resolve_access(
    kind: Option<KeyKind>,
    access: Access,
    scopes: &[String],
) -> Result<(KeyKind, ScopeSet), ApiError> {
    let custom = parse_scopes(scopes)?;
    let wanted = match access {
        Access::ReadOnly => ScopeSet::read_only(),
        Access::FullAccess => ScopeSet::all(),
        Access::Custom => custom,
    };
    let kind = kind.unwrap_or(if wanted.is_write_capable() {
        KeyKind::Secret
    } else {
        KeyKind::Publishable
    });
    Ok((kind, scope::grant(kind, access, custom)?))
}

/// An environment from a body: absent is `test`; anything but `test` or `prod` is refused.
pub fn environment_or_test(raw: Option<&str>) -> Result<Environment, ApiError> {
    match raw {
        None => Ok(Environment::Test),
        Some(e) => Environment::parse(e).ok_or_else(|| invalid("environment is test or prod.")),
    }
}

/// Validates a new key. `approved` is the workspace's status.
pub fn plan_key(req: &NewKey, approved: bool, now: UnixMillis) -> Result<KeyPlan, ApiError> {
    let name = clean_name(
        req.name
            .as_deref()
            .ok_or_else(|| invalid("name is required."))?,
    )?;
    let description = clean_description(req.description.as_deref().unwrap_or(""))?;
    let env = environment_or_test(req.environment.as_deref())?;
    let access = Access::parse(req.access.as_deref().unwrap_or(""))
        .ok_or_else(|| invalid("access is read_only, full_access or custom."))?;
    let kind = match req.kind.as_deref() {
        None => None,
        Some(k) => {
            Some(KeyKind::parse(k).ok_or_else(|| invalid("kind is publishable or secret."))?)
        }
    };
    let (kind, scopes) = resolve_access(kind, access, req.scopes.as_deref().unwrap_or(&[]))?;
    let expires_at = match req.expires_at.as_deref() {
        None => None,
        Some(t) => {
            let at = parse_rfc3339(t)
                .ok_or_else(|| invalid("expires_at is an RFC 3339 time or null."))?;
            if at <= now {
                return Err(invalid("expires_at must be in the future."));
            }
            Some(at)
        }
    };
    let allowed_origins = check_origins(kind, req.allowed_origins.as_deref().unwrap_or(&[]))?;
    if env == Environment::Prod && !approved {
        return Err(ErrorCode::WorkspaceNotApproved.into());
    }
    Ok(KeyPlan {
        name,
        description,
        kind,
        access,
        scopes,
        env,
        expires_at,
        allowed_origins,
    })
}

/// Applies a patch. A publishable key never gains a write scope; a secret key may be
/// downgraded to read-only and stays secret.
pub fn apply_patch(current: &KeySettings, patch: &KeyPatch) -> Result<KeySettings, ApiError> {
    let mut next = current.clone();
    if let Some(n) = &patch.name {
        next.name = clean_name(n)?;
    }
    if let Some(d) = &patch.description {
        next.description = clean_description(d)?;
    }
    if patch.access.is_some() || patch.scopes.is_some() {
        let access = match patch.access.as_deref() {
            Some(a) => Access::parse(a)
                .ok_or_else(|| invalid("access is read_only, full_access or custom."))?,
            None => current.access,
        };
        let scopes: Vec<String> = match &patch.scopes {
            Some(s) => s.clone(),
            None => current
                .scopes
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
        };
        let (_, granted) = resolve_access(Some(current.kind), access, &scopes)?;
        next.access = access;
        next.scopes = granted;
    }
    if let Some(o) = &patch.allowed_origins {
        next.allowed_origins = check_origins(current.kind, o)?;
    }
    Ok(next)
}

/// The longest roll overlap: 7 days.
pub const MAX_OVERLAP_SECONDS: i64 = 7 * 24 * 3600;

/// Checks a roll overlap (0 s to 7 days).
pub fn check_overlap(seconds: Option<i64>) -> Result<i64, ApiError> {
    match seconds.unwrap_or(0) {
        s @ 0..=MAX_OVERLAP_SECONDS => Ok(s),
        _ => Err(invalid("overlap_seconds is 0 to 604800 (7 days).")),
    }
}

/// A text filter of a log (`key_id`, `route`): empty is no filter; at most 64 characters.
pub fn text_filter<'a>(name: &str, raw: Option<&'a str>) -> Result<Option<&'a str>, ApiError> {
    match raw {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() <= 64 => Ok(Some(v)),
        Some(_) => Err(invalid(format!("{name} is at most 64 characters."))),
    }
}

/// The request log's `status` filter: a status (`403`) or a class (`4xx`), as the inclusive
/// range it names. The document's pattern is [`crate::doc::STATUS_FILTER_PATTERN`].
pub fn status_filter(raw: Option<&str>) -> Result<Option<(i64, i64)>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    let b = raw.as_bytes();
    let class = match b.first() {
        // The rest must be exactly two bytes (below): `403`, `4xx`.
        Some(c @ b'1'..=b'5') => i64::from(c - b'0') * 100,
        _ => return Err(invalid("status is like 403 or 4xx.")),
    };
    match &b[1..] {
        b"xx" => Ok(Some((class, class + 99))),
        [t, u] if t.is_ascii_digit() && u.is_ascii_digit() => {
            let n = class + i64::from((t - b'0') * 10 + (u - b'0'));
            Ok(Some((n, n)))
        }
        _ => Err(invalid("status is like 403 or 4xx.")),
    }
}

/// A key's status as lists show it.
pub fn key_status(
    revoked_at: Option<UnixMillis>,
    expires_at: Option<UnixMillis>,
    now: UnixMillis,
) -> &'static str {
    if revoked_at.is_some() {
        "revoked"
    } else if expires_at.is_some_and(|t| t <= now) {
        "expired"
    } else {
        "active"
    }
}

/// Normalises a member email: trimmed, lower case, a plausible address.
pub fn normalize_email(e: &str) -> Result<String, ApiError> {
    let e = e.trim().to_ascii_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(e)
    } else {
        Err(invalid("email is not a valid address."))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const NOW: UnixMillis = 1_800_000_000_000;

    #[test]
    fn roles_are_read_back_by_the_names_the_api_and_the_dashboard_use() {
        assert_eq!(
            Role::ALL.map(Role::as_str),
            ["superadmin", "admin", "developer", "viewer"]
        );
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("owner"), None);
        assert_eq!(Role::parse("Admin"), None);
    }

    #[test]
    fn the_control_plane_is_exactly_v1_admin_and_below() {
        assert!(is_admin_path("/v1/admin"));
        assert!(is_admin_path("/v1/admin/keys"));
        assert!(!is_admin_path("/v1/administrators"));
        assert!(!is_admin_path("/v1/customers/admin"));
        assert!(!is_admin_path("/v1/widget"));
    }

    #[test]
    fn a_session_lasts_twelve_hours_and_its_token_is_32_random_bytes() {
        assert_eq!(SESSION_TTL_MS, 43_200_000);
        let mut counter = 0u8;
        let mut rng = |dest: &mut [u8]| {
            for b in dest.iter_mut() {
                counter = counter.wrapping_add(1);
                *b = counter;
            }
        };
        let a = new_session_token(&mut rng);
        let b = new_session_token(&mut rng);
        assert_ne!(a, b, "each token comes from fresh random bytes");
        let bytes = URL_SAFE_NO_PAD.decode(&a).expect("base64url");
        assert_eq!(bytes, (1..=32).collect::<Vec<u8>>());
        assert_eq!(a.len(), 43);
    }

    #[test]
    fn an_absent_environment_is_test_and_an_unknown_one_is_refused() {
        assert_eq!(environment_or_test(None), Ok(Environment::Test));
        assert_eq!(environment_or_test(Some("prod")), Ok(Environment::Prod));
        let e = environment_or_test(Some("production")).expect_err("unknown");
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert!(e.message.contains("test or prod"), "{}", e.message);
    }

    #[test]
    fn text_filters_are_optional_and_short() {
        assert_eq!(text_filter("key_id", None), Ok(None));
        assert_eq!(text_filter("key_id", Some("")), Ok(None));
        assert_eq!(
            text_filter("route", Some("coins.credit")),
            Ok(Some("coins.credit"))
        );
        let long = "é".repeat(64);
        assert_eq!(text_filter("route", Some(&long)), Ok(Some(long.as_str())));
        let e = text_filter("key_id", Some(&"k".repeat(65))).expect_err("65");
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert!(e.message.contains("key_id"), "{}", e.message);
    }

    #[test]
    fn the_status_filter_is_a_status_or_a_class_and_nothing_else() {
        assert_eq!(status_filter(None), Ok(None));
        assert_eq!(status_filter(Some("403")), Ok(Some((403, 403))));
        assert_eq!(status_filter(Some("4xx")), Ok(Some((400, 499))));
        assert_eq!(status_filter(Some("100")), Ok(Some((100, 100))));
        assert_eq!(status_filter(Some("599")), Ok(Some((599, 599))));
        for bad in [
            "", "6xx", "0xx", "40", "4000", "+40", "4x", "4XX", "x03", "4-3", "٤٠٣",
        ] {
            let e = status_filter(Some(bad)).expect_err(bad);
            assert_eq!(e.code, ErrorCode::InvalidRequest, "{bad}");
        }
    }

    #[test]
    fn key_names_are_1_to_100_printable_characters_as_sent() {
        let named = |n: &str| NewKey {
            name: Some(n.to_owned()),
            ..new_key("read_only", &[], None)
        };
        let plan = |n: &str| plan_key(&named(n), true, NOW).map(|p| p.name);
        assert_eq!(plan(&"n".repeat(100)), Ok("n".repeat(100)));
        assert_eq!(plan("  Checkout  "), Ok("Checkout".into()));
        for bad in [
            "n".repeat(101),
            "   ".into(),
            "Check\nout".into(),
            "Checkout\t".into(),
            format!("{}  ", "n".repeat(99)),
        ] {
            assert_eq!(
                plan(&bad).map_err(|e| e.code),
                Err(ErrorCode::InvalidRequest),
                "{bad:?}"
            );
        }
    }

    fn new_key(access: &str, scopes: &[&str], kind: Option<&str>) -> NewKey {
        NewKey {
            name: Some("Checkout".into()),
            access: Some(access.into()),
            scopes: Some(scopes.iter().map(|s| (*s).to_owned()).collect()),
            kind: kind.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn a_description_is_kept_trimmed_up_to_500_characters() {
        let with = |d: String| {
            let mut k = new_key("read_only", &[], None);
            k.description = Some(d);
            plan_key(&k, true, NOW).map(|p| p.description)
        };
        assert_eq!(
            with("  For the storefront ".into()),
            Ok("For the storefront".into())
        );
        assert_eq!(with("d".repeat(500)), Ok("d".repeat(500)));
        assert_eq!(
            with("d".repeat(501)).map_err(|e| e.code),
            Err(ErrorCode::InvalidRequest)
        );
    }

    #[test]
    fn each_rule_of_an_allowed_origin_refuses_on_its_own() {
        assert!(validate_origin("https://shop.example").is_ok());
        assert!(validate_origin("https://*.shop.example").is_ok());
        assert!(validate_origin("http://localhost:8080").is_ok());
        let long = format!("https://{}.example", "a".repeat(184));
        assert_eq!(long.len(), 200);
        assert!(validate_origin(&long).is_ok());
        for bad in [
            "https://",                                      // no host
            "https://*.",                                    // a wildcard over nothing
            &format!("https://{}.example", "a".repeat(185)), // 201 characters
            "https://shop example",                          // a space
            "https://shop.example/path",                     // a path
            "https://.shop.example",                         // a leading dot
            "https://shop.example.",                         // a trailing dot
            "shop.example",                                  // no scheme
        ] {
            assert!(validate_origin(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_publishable_key_has_at_most_50_allowed_origins() {
        let with = |n: usize| {
            let mut k = new_key("read_only", &[], None);
            k.allowed_origins = Some((0..n).map(|i| format!("https://s{i}.example")).collect());
            plan_key(&k, true, NOW).map(|p| p.allowed_origins.len())
        };
        assert_eq!(with(50), Ok(50));
        assert_eq!(with(51).map_err(|e| e.code), Err(ErrorCode::InvalidRequest));
    }

    #[test]
    fn only_superadmin_and_admin_touch_keys() {
        for op in [
            AdminOp::ListKeys,
            AdminOp::GetKey,
            AdminOp::CreateKey,
            AdminOp::PatchKey,
            AdminOp::RollKey,
            AdminOp::RevokeKey,
            AdminOp::DeleteKey,
            AdminOp::RollIdentitySecret,
            AdminOp::RevealIdentitySecret,
        ] {
            assert!(authorize_role(Role::Superadmin, op).is_ok());
            assert!(authorize_role(Role::Admin, op).is_ok());
            for r in [Role::Developer, Role::Viewer] {
                assert_eq!(
                    authorize_role(r, op).map_err(|e| e.code),
                    Err(ErrorCode::ForbiddenRole),
                    "{r:?} {op:?}"
                );
            }
        }
    }

    #[test]
    fn developers_read_logs_and_viewers_only_see_the_workspace() {
        assert!(Role::Developer.may(Action::ReadLogs));
        assert!(!Role::Viewer.may(Action::ReadLogs));
        assert!(Role::Viewer.may(Action::ViewWorkspace));
        assert!(!Role::Viewer.may(Action::ViewMembers));
        assert!(!Role::Admin.may(Action::ManageMembers));
        assert!(Role::Superadmin.may(Action::ManageMembers));
    }

    #[test]
    fn pins_guard_credentials_and_who_may_mint_them() {
        let guarded: Vec<_> = AdminOp::ALL.iter().filter(|o| o.needs_pin()).collect();
        assert_eq!(guarded.len(), 10);
        for op in [
            AdminOp::RevealWebhookSecret,
            AdminOp::CreateMember,
            AdminOp::PatchMember,
            AdminOp::DeleteMember,
            AdminOp::SetPin,
        ] {
            assert!(op.pin_needed(true), "{}", op.name());
        }
        assert!(
            !AdminOp::SetPin.pin_needed(false),
            "a first PIN is confirmed by the password"
        );
        assert!(AdminOp::CreateMember.pin_needed(false));
        assert!(
            !AdminOp::RevokeKey.needs_pin(),
            "revoking must never be slowed down"
        );
        assert!(
            !AdminOp::PreviewToken.needs_pin(),
            "a ten-minute test token for the preview"
        );
    }

    #[test]
    fn cross_site_requests_and_non_json_bodies_are_refused() {
        let own = "https://tally.example";
        let ok = |m, ct, site, origin| screen_request(m, ct, site, origin, own).map_err(|e| e.code);
        assert_eq!(
            ok(
                "POST",
                Some("application/json"),
                Some("same-origin"),
                Some(own)
            ),
            Ok(())
        );
        assert_eq!(
            ok("POST", Some("Application/JSON; charset=utf-8"), None, None),
            Ok(())
        );
        assert_eq!(ok("GET", None, Some("none"), None), Ok(()));
        assert_eq!(ok("DELETE", None, None, None), Ok(()));
        for (site, origin) in [
            (Some("cross-site"), None),
            (Some("same-site"), None),
            (None, Some("https://evil.example")),
            (None, Some("null")),
            (None, Some("")),
            (Some("same-origin"), Some("https://tally.example.evil")),
        ] {
            assert_eq!(
                ok("POST", Some("application/json"), site, origin),
                Err(ErrorCode::CrossSiteRequest),
                "{site:?} {origin:?}"
            );
            assert_eq!(
                ok("GET", None, site, origin),
                Err(ErrorCode::CrossSiteRequest)
            );
        }
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonx",
        ] {
            assert_eq!(
                ok("POST", Some(ct), None, None),
                Err(ErrorCode::UnsupportedMediaType),
                "{ct}"
            );
        }
        assert_eq!(body_allowed(None, true).map_err(|e| e.code), Ok(()));
        assert_eq!(
            body_allowed(Some("application/json"), false).map_err(|e| e.code),
            Ok(())
        );
        assert_eq!(
            body_allowed(None, false).map_err(|e| e.code),
            Err(ErrorCode::UnsupportedMediaType)
        );
    }

    #[test]
    fn every_state_change_but_sign_in_needs_csrf() {
        assert!(!AdminOp::SignIn.changes_state());
        assert!(AdminOp::SignOut.changes_state());
        assert!(AdminOp::RevokeKey.changes_state());
        assert!(!AdminOp::ListLogs.changes_state());
    }

    #[test]
    fn routes_resolve_with_their_parameters() {
        let r = resolve("POST", "/v1/admin/keys/key_abc/roll").unwrap();
        assert_eq!(r.op, AdminOp::RollKey);
        assert_eq!(r.id.as_deref(), Some("key_abc"));
        let r = resolve("POST", "/v1/admin/webhooks/wh_1/deliveries/dlv_2/redeliver").unwrap();
        assert_eq!(
            (r.id.as_deref(), r.sub_id.as_deref()),
            (Some("wh_1"), Some("dlv_2"))
        );
        let e = resolve("PUT", "/v1/admin/keys").unwrap_err();
        assert_eq!(e.error.code, ErrorCode::MethodNotAllowed);
        assert_eq!(e.allow.as_deref(), Some("GET, POST"));
        assert_eq!(
            resolve("GET", "/v1/admin/nope").unwrap_err().error.code,
            ErrorCode::NotFound
        );
        assert_eq!(
            resolve("GET", "/v1/admin/keys/..%2F")
                .unwrap_err()
                .error
                .code,
            ErrorCode::NotFound
        );
        // A literal segment beats a parameter: `roll` is not a kid.
        assert_eq!(
            resolve("POST", "/v1/admin/identity-secrets/roll").map(|r| r.op),
            Ok(AdminOp::RollIdentitySecret)
        );
        assert_eq!(
            resolve("HEAD", "/v1/admin/keys").map(|r| r.op),
            Ok(AdminOp::ListKeys)
        );
    }

    #[test]
    fn only_five_counted_attempts_are_ever_checked() {
        for n in 1..=MAX_PIN_FAILURES {
            assert_eq!(pin_gate(Some((n, false))), PinGate::Check { attempt: n });
        }
        assert_eq!(
            pin_gate(Some((MAX_PIN_FAILURES + 1, true))),
            PinGate::Locked
        );
        assert_eq!(
            pin_gate(Some((MAX_PIN_FAILURES + 1, false))),
            PinGate::Locked
        );
        assert_eq!(pin_gate(Some((1, true))), PinGate::Locked);
        assert_eq!(pin_gate(None), PinGate::Locked);
        assert_eq!(tries_left(1), 4);
        assert_eq!(tries_left(MAX_PIN_FAILURES), 0);
        assert_eq!(tries_left(9), 0);
    }

    #[test]
    fn a_lock_holds_for_fifteen_minutes() {
        let c = PinCounters {
            failures: 5,
            locked_until: Some(NOW + PIN_LOCK_MS),
        };
        assert!(c.is_locked(NOW));
        assert!(c.is_locked(NOW + PIN_LOCK_MS - 1));
        assert!(!c.is_locked(NOW + PIN_LOCK_MS));
    }

    #[test]
    fn csrf_tokens_are_bound_to_the_session() {
        let a = csrf_token("session-a");
        assert!(csrf_matches("session-a", Some(&a)));
        assert!(!csrf_matches("session-b", Some(&a)));
        assert!(!csrf_matches("session-a", None));
        assert!(!csrf_matches("session-a", Some("")));
        assert_eq!(session_digest("x").len(), 64);
    }

    #[test]
    fn cookies_are_found_among_others_and_set_strictly() {
        assert_eq!(
            cookie_value("a=1; tally_session=abc; b=2", SESSION_COOKIE),
            Some("abc")
        );
        assert_eq!(cookie_value("tally_session=", SESSION_COOKIE), None);
        assert_eq!(cookie_value("xtally_session=abc", SESSION_COOKIE), None);
        let c = session_cookie("t");
        for part in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(c.starts_with("tally_session=t;"), "{c}");
        assert!(c.ends_with("; Max-Age=43200"), "{c}");
    }

    #[test]
    fn signing_out_overwrites_the_cookie_with_an_empty_one_that_expires_now() {
        assert_eq!(
            cleared_cookie(),
            "tally_session=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0"
        );
    }

    #[test]
    fn a_pin_lock_lasts_fifteen_minutes() {
        assert_eq!(PIN_LOCK_MS, 900_000);
        assert_eq!(PREVIEW_TOKEN_SECONDS, 600);
    }

    #[test]
    fn read_only_keys_default_to_publishable_and_writers_to_secret() {
        let p = plan_key(&new_key("read_only", &[], None), true, NOW).unwrap();
        assert_eq!(p.kind, KeyKind::Publishable);
        let s = plan_key(&new_key("full_access", &[], None), true, NOW).unwrap();
        assert_eq!(s.kind, KeyKind::Secret);
        let ro_sk = plan_key(&new_key("read_only", &[], Some("secret")), true, NOW).unwrap();
        assert_eq!(
            (ro_sk.kind, ro_sk.scopes),
            (KeyKind::Secret, ScopeSet::read_only())
        );
    }

    #[test]
    fn a_publishable_key_cannot_be_created_or_patched_into_writing() {
        for k in [
            new_key("full_access", &[], Some("publishable")),
            new_key(
                "custom",
                &["coins_read", "coins_write"],
                Some("publishable"),
            ),
        ] {
            assert_eq!(
                plan_key(&k, true, NOW).map_err(|e| e.code),
                Err(ErrorCode::PublishableKeyCannotWrite)
            );
        }
        let pk = plan_key(&new_key("read_only", &[], None), true, NOW).unwrap();
        let settings = KeySettings {
            name: pk.name,
            description: pk.description,
            kind: pk.kind,
            access: pk.access,
            scopes: pk.scopes,
            allowed_origins: vec![],
        };
        for patch in [
            KeyPatch {
                access: Some("full_access".into()),
                ..Default::default()
            },
            KeyPatch {
                access: Some("custom".into()),
                scopes: Some(vec!["member_write".into()]),
                ..Default::default()
            },
        ] {
            assert_eq!(
                apply_patch(&settings, &patch).map_err(|e| e.code),
                Err(ErrorCode::PublishableKeyCannotWrite)
            );
        }
    }

    #[test]
    fn a_secret_key_may_be_downgraded_and_stays_secret() {
        let sk = plan_key(&new_key("full_access", &[], None), true, NOW).unwrap();
        let settings = KeySettings {
            name: sk.name,
            description: sk.description,
            kind: sk.kind,
            access: sk.access,
            scopes: sk.scopes,
            allowed_origins: vec![],
        };
        let down = apply_patch(
            &settings,
            &KeyPatch {
                access: Some("read_only".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(down.kind, KeyKind::Secret);
        assert!(!down.scopes.is_write_capable());
    }

    #[test]
    fn production_keys_need_an_approved_workspace() {
        let mut k = new_key("read_only", &[], None);
        k.environment = Some("prod".into());
        assert_eq!(
            plan_key(&k, false, NOW).map_err(|e| e.code),
            Err(ErrorCode::WorkspaceNotApproved)
        );
        assert!(plan_key(&k, true, NOW).is_ok());
        k.environment = Some("test".into());
        assert!(
            plan_key(&k, false, NOW).is_ok(),
            "test keys work while pending"
        );
    }

    #[test]
    fn bad_key_requests_are_refused_with_reasons() {
        let mut k = new_key("custom", &["coins_fly"], None);
        assert_eq!(
            plan_key(&k, true, NOW).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
        k = new_key("custom", &[], None);
        assert_eq!(
            plan_key(&k, true, NOW).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
        k = new_key("read_only", &[], None);
        k.expires_at = Some("2020-01-01T00:00:00Z".into());
        assert_eq!(
            plan_key(&k, true, NOW).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
        k = new_key("full_access", &[], None);
        k.allowed_origins = Some(vec!["https://shop.example".into()]);
        assert_eq!(
            plan_key(&k, true, NOW).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
        k = new_key("read_only", &[], None);
        k.allowed_origins = Some(vec!["javascript:alert(1)".into()]);
        assert_eq!(
            plan_key(&k, true, NOW).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
        k.allowed_origins = Some(vec![
            "https://*.brand.test".into(),
            "http://127.0.0.1:8080".into(),
        ]);
        assert!(plan_key(&k, true, NOW).is_ok());
        k.name = Some("  ".into());
        assert_eq!(
            plan_key(&k, true, NOW).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn overlaps_are_bounded_to_seven_days() {
        assert_eq!(check_overlap(None), Ok(0));
        assert_eq!(check_overlap(Some(604_800)), Ok(604_800));
        assert!(check_overlap(Some(604_801)).is_err());
        assert!(check_overlap(Some(-1)).is_err());
    }

    #[test]
    fn status_and_emails() {
        assert_eq!(key_status(Some(1), None, NOW), "revoked");
        assert_eq!(key_status(None, Some(NOW), NOW), "expired");
        assert_eq!(key_status(None, Some(NOW + 1), NOW), "active");
        assert_eq!(
            normalize_email(" Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        assert!(normalize_email("nope").is_err());
        for bad in ["@example.com", "ada@.example.com", "ada@localhost", "ada@"] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
        assert!(normalize_email("a b@x.y").is_err());
    }
}
