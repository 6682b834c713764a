//! The control plane (`/v1/admin/…`): what the dashboard calls.
//!
//! Every call goes through [`handle`], in this order, the first failure answering:
//! 0. (in `app`) step 0 of the verifier, then `tally_core::admin::screen_request`: no
//!    cross-site request, no body that is not JSON;
//! 1. route (`tally_core::admin::resolve`);
//! 2. session: the `tally_session` cookie (sign-in excepted) → 401 `not_signed_in`;
//! 3. CSRF: state-changing calls need `X-CSRF-Token` → 403 `csrf_failed`;
//! 4. role → 403 `forbidden_role`;
//! 5. PIN for generate/roll/delete, identity secrets, members and PINs → 403
//!    `pin_required`/`pin_invalid`, 423 `pin_locked` (attempts counted before the check);
//! 6. the handler; then an audit row for every state-changing call, refused or not.
//!
//! API keys are never accepted here: the control plane is for signed-in members only, and
//! its answers never carry CORS headers.

mod auth;
mod identity_secrets;
mod keys;
mod logs;
mod members;
mod programs;
mod webhooks;
mod workspace;

use tally_core::admin::{self, AdminOp, AdminRoute};
use tally_core::claims::Verdict;
use tally_core::time::UnixMillis;
use tally_core::ErrorCode;
use worker::{Context, Env, Response};

use crate::error::Failure;
use crate::http;
use crate::http::Request;
use crate::respond;
use crate::store::{self, Arg};

pub(crate) use auth::Member;

/// What the handlers get.
pub(crate) struct AdminCall<'a> {
    pub(crate) env: &'a Env,
    pub(crate) ctx: &'a Context,
    pub(crate) route: &'a AdminRoute,
    pub(crate) member: &'a Member,
    pub(crate) query: &'a http::Query,
    pub(crate) now: UnixMillis,
    /// For the audit row: what the call acted on, when the handler knows better than the path.
    pub(crate) target: std::cell::RefCell<Option<String>>,
}

impl AdminCall<'_> {
    fn id(&self) -> Result<&str, Failure> {
        self.route
            .id
            .as_deref()
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    fn ws(&self) -> &str {
        &self.member.workspace_id
    }

    fn set_target(&self, t: impl Into<String>) {
        *self.target.borrow_mut() = Some(t.into());
    }
}

/// The request facts the control plane reads.
pub(crate) struct AdminIncoming {
    pub(crate) cookie: Option<String>,
    pub(crate) csrf: Option<String>,
    pub(crate) pin: Option<String>,
    pub(crate) ip: String,
    pub(crate) user_agent: String,
}

impl AdminIncoming {
    pub(crate) fn read(req: &Request) -> Self {
        let h = |n| http::header(req, n);
        AdminIncoming {
            cookie: h("cookie"),
            csrf: h("x-csrf-token"),
            pin: h("x-confirm-pin"),
            ip: h("cf-connecting-ip").unwrap_or_default(),
            user_agent: h("user-agent")
                .map(|u| u.chars().take(300).collect())
                .unwrap_or_default(),
        }
    }

    fn session_token(&self) -> Option<&str> {
        self.cookie
            .as_deref()
            .and_then(|c| admin::cookie_value(c, admin::SESSION_COOKIE))
    }
}

/// Answers one control-plane request. `route_name` receives the operation's name for the
/// response headers.
pub(crate) async fn handle(
    req: &Request,
    env: &Env,
    ctx: &Context,
    method: &str,
    path: &str,
    query: &http::Query,
    route_name: &mut &'static str,
) -> Result<Response, Failure> {
    let route = admin::resolve(method, path)?;
    *route_name = route.op.name();
    let inc = AdminIncoming::read(req);
    if route.op == AdminOp::SignIn {
        return auth::sign_in(req, env, &inc).await;
    }
    let token = inc
        .session_token()
        .ok_or_else(|| Failure::from(ErrorCode::NotSignedIn))?
        .to_owned();
    let member = auth::session(env, &token).await?;
    let now = store::now_ms();
    let call = AdminCall {
        env,
        ctx,
        route: &route,
        member: &member,
        query,
        now,
        target: std::cell::RefCell::new(None),
    };
    let result = guarded(req, &call, &inc, &token).await;
    if route.op.changes_state() {
        let status = match &result {
            Ok(r) => r.status_code(),
            Err(f) => f.error.status(),
        };
        let target = call
            .target
            .borrow()
            .clone()
            .or_else(|| route.id.clone())
            .unwrap_or_default();
        audit(env, &member, route.op, &target, status, &inc.ip, now).await;
    }
    result
}

async fn guarded(
    req: &Request,
    call: &AdminCall<'_>,
    inc: &AdminIncoming,
    token: &str,
) -> Result<Response, Failure> {
    let op = call.route.op;
    if op.changes_state() && !admin::csrf_matches(token, inc.csrf.as_deref()) {
        return Err(ErrorCode::CsrfFailed.into());
    }
    admin::authorize_role(call.member.role, op)?;
    if op.pin_needed(call.member.pin_hash.is_some()) {
        auth::check_pin(call.env, call.member, inc.pin.as_deref(), call.now).await?;
    }
    dispatch(req, call, inc, token).await
}

async fn dispatch(
    req: &Request,
    call: &AdminCall<'_>,
    inc: &AdminIncoming,
    token: &str,
) -> Result<Response, Failure> {
    use AdminOp::*;
    match call.route.op {
        SignIn => Err(ErrorCode::Internal.into()),
        GetSession => Ok(auth::session_answer(call.member, token)),
        SignOut => auth::sign_out(call.env, token).await,
        SetPin => auth::set_pin(req, call, inc).await,
        GetWorkspace => workspace::get(call).await,
        GetOverview => workspace::overview(call).await,
        PatchWorkspace => workspace::patch(req, call).await,
        ListMembers => members::list(call).await,
        CreateMember => members::create(req, call).await,
        PatchMember => members::patch(req, call).await,
        DeleteMember => members::delete(call).await,
        ListKeys => keys::list(call).await,
        CreateKey => keys::create(req, call).await,
        GetKey => keys::get(call).await,
        PatchKey => keys::patch(req, call).await,
        DeleteKey => keys::delete(call).await,
        RollKey => keys::roll(req, call).await,
        RevokeKey => keys::revoke(call).await,
        ListIdentitySecrets => identity_secrets::list(call).await,
        RollIdentitySecret => identity_secrets::roll(req, call).await,
        RevealIdentitySecret => identity_secrets::reveal(call).await,
        PreviewToken => identity_secrets::preview_token(req, call).await,
        ListExposures => logs::exposures(call).await,
        ListLogs => logs::requests(call).await,
        ListAudit => logs::audit(call).await,
        ListWebhooks => webhooks::list(call).await,
        CreateWebhook => webhooks::create(req, call).await,
        GetWebhook => webhooks::get(call).await,
        PatchWebhook => webhooks::patch(req, call).await,
        DeleteWebhook => webhooks::delete(call).await,
        ListDeliveries => webhooks::deliveries(call).await,
        Redeliver => webhooks::redeliver(call).await,
        RevealWebhookSecret => webhooks::reveal(call).await,
        GetPrograms => programs::get(call).await,
        PutPrograms => programs::put(req, call).await,
        ListProgramCards => programs::cards(call).await,
        CreateCard => programs::create_card(req, call).await,
        PutCard => programs::put_card(req, call).await,
        ListProgramRewards => programs::rewards(call).await,
        CreateReward => programs::put_reward(req, call, true).await,
        PutReward => programs::put_reward(req, call, false).await,
        ListQueuedClaims => programs::claims(call).await,
        ApproveQueuedClaim => programs::decide(req, call, Verdict::Approve).await,
        RejectQueuedClaim => programs::decide(req, call, Verdict::Reject).await,
    }
}

/// Writes the audit row. A failure to write it is logged, never turned into a failed call
/// after the fact (the action has happened).
async fn audit(
    env: &Env,
    member: &Member,
    op: AdminOp,
    target: &str,
    status: u16,
    ip: &str,
    now: UnixMillis,
) {
    let result = async {
        let db = store::db(env)?;
        store::stmt(
            &db,
            "INSERT INTO audit_log (workspace_id, member_id, member_email, action, target, status, ip, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            &[
                Arg::Text(&member.workspace_id),
                Arg::Text(&member.id),
                Arg::Text(&member.email),
                Arg::Text(op.name()),
                Arg::Text(target),
                Arg::Int(i64::from(status)),
                Arg::Text(ip),
                Arg::Int(now),
            ],
        )?
        .run()
        .await?;
        Ok::<(), Failure>(())
    }
    .await;
    if let Err(e) = result {
        worker::console_error!(
            "audit row for {} not written: {}",
            op.name(),
            e.error.message
        );
    }
}

/// Reads and parses a JSON body (declared `application/json`: a cross-site form cannot).
pub(crate) async fn body<T: serde::de::DeserializeOwned>(req: &Request) -> Result<T, Failure> {
    let bytes = json_bytes(req).await?;
    http::parse_json(&bytes)
}

/// Like [`body`], but an empty body is `T::default()`.
pub(crate) async fn optional_body<T: serde::de::DeserializeOwned + Default>(
    req: &Request,
) -> Result<T, Failure> {
    let bytes = json_bytes(req).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        http::parse_json(&bytes)
    }
}

async fn json_bytes(req: &Request) -> Result<Vec<u8>, Failure> {
    let content_type = http::header(req, "content-type");
    let bytes = http::body(req).await?;
    admin::body_allowed(content_type.as_deref(), bytes.is_empty())?;
    Ok(bytes)
}

/// `invalid_request` with a message saying which rule.
pub(crate) fn invalid(msg: &str) -> Failure {
    tally_core::ApiError::with_message(ErrorCode::InvalidRequest, msg).into()
}

/// A page of a list: `{"data":[…],"next_cursor"}`.
pub(crate) fn page<T: serde::Serialize>(
    data: Vec<T>,
    next_cursor: Option<String>,
) -> Result<Response, Failure> {
    answer(200, &tally_core::wire::Page { data, next_cursor })
}

/// A typed answer (a `tally_core::wire` shape).
pub(crate) fn answer<T: serde::Serialize>(status: u16, v: &T) -> Result<Response, Failure> {
    Ok(respond::json(status, v, &[]))
}

/// `limit` (1–200, default 50) from the query.
pub(crate) fn limit(q: &http::Query) -> Result<i64, Failure> {
    q.limit(50, 200)
}

pub(crate) use tally_core::page::next_cursor;
