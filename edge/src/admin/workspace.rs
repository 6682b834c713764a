//! The workspace and its settings, members, and the three logs (requests, exposures, audit).

use serde::Deserialize;
use serde_json::{json, Value};
use tally_core::admin::{self, Role};
use tally_core::password;
use tally_core::time::{parse_rfc3339, rfc3339};
use tally_core::verifier::ExposureAction;
use tally_core::{ApiError, ErrorCode};
use worker::{Request, Response};

use super::{auth, AdminCall};
use crate::error::Failure;
use crate::keys as key_store;
use crate::rng;
use crate::store::{self, Arg};

fn invalid(msg: &str) -> Failure {
    ApiError::with_message(ErrorCode::InvalidRequest, msg).into()
}

#[derive(Deserialize)]
struct WorkspaceRow {
    id: String,
    name: String,
    status: String,
    exposure_action: String,
    coin_label: String,
    referral_url: String,
    referral_reward_coins: i64,
    referral_reward_text: String,
    created_at: i64,
}

pub(super) async fn get(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let db = store::db(call.env)?;
    let row: Option<WorkspaceRow> = store::first(
        &db,
        "SELECT id, name, status, exposure_action, coin_label, referral_url, referral_reward_coins, referral_reward_text, created_at \
         FROM workspaces WHERE id = ?1",
        &[Arg::Text(call.ws())],
    ).await?;
    let w = row.ok_or_else(|| Failure::from(ErrorCode::Internal))?;
    super::ok(
        200,
        &json!({
            "id": w.id,
            "name": w.name,
            "status": w.status,
            "exposure_action": w.exposure_action,
            "coin_label": w.coin_label,
            "referral_url": w.referral_url,
            "referral_reward_coins": w.referral_reward_coins,
            "referral_reward_text": w.referral_reward_text,
            "created_at": rfc3339(w.created_at),
        }),
    )
}

#[derive(Deserialize)]
struct WorkspacePatch {
    name: Option<String>,
    exposure_action: Option<String>,
    coin_label: Option<String>,
}

/// `PATCH /v1/admin/workspace`: name, coin label, and what happens on exposure (`alert`
/// or `alert_and_revoke`).
pub(super) async fn patch(req: &mut Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let body: WorkspacePatch = super::body(req).await?;
    let action = match body.exposure_action.as_deref() {
        None => None,
        Some(a @ ("alert" | "alert_and_revoke")) => Some(ExposureAction::parse(a).as_str()),
        Some(_) => return Err(invalid("exposure_action is alert or alert_and_revoke.")),
    };
    let short = |v: &Option<String>, what: &str| -> Result<Option<String>, Failure> {
        match v.as_deref().map(str::trim) {
            None => Ok(None),
            Some(t) if !t.is_empty() && t.chars().count() <= 60 => Ok(Some(t.to_owned())),
            Some(_) => Err(invalid(&format!("{what} is 1 to 60 characters."))),
        }
    };
    let name = short(&body.name, "name")?;
    let label = short(&body.coin_label, "coin_label")?;
    let db = store::db(call.env)?;
    store::stmt(
        &db,
        "UPDATE workspaces SET name = COALESCE(?2, name), exposure_action = COALESCE(?3, exposure_action), \
         coin_label = COALESCE(?4, coin_label) WHERE id = ?1",
        &[
            Arg::Text(call.ws()),
            name.as_deref().into(),
            action.into(),
            label.as_deref().into(),
        ],
    )?
    .run()
    .await?;
    // Key records carry these settings in the isolate cache.
    key_store::forget_all();
    get(call).await
}

// ---------------------------------------------------------------------------------------
// Members

#[derive(Deserialize)]
struct MemberRow {
    id: String,
    email: String,
    role: String,
    pin_set: i64,
    pin_locked_until: Option<i64>,
    created_at: i64,
}

fn member_view(m: &MemberRow, now: i64) -> Value {
    json!({
        "id": m.id,
        "email": m.email,
        "role": m.role,
        "pin_set": m.pin_set != 0,
        "pin_locked": m.pin_locked_until.is_some_and(|t| t > now),
        "created_at": rfc3339(m.created_at),
    })
}

const MEMBER_COLUMNS: &str =
    "id, email, role, pin_hash IS NOT NULL AS pin_set, pin_locked_until, created_at";

async fn load_member(call: &AdminCall<'_>, id: &str) -> Result<MemberRow, Failure> {
    let db = store::db(call.env)?;
    let row: Option<MemberRow> = store::first(
        &db,
        &format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = ?1 AND workspace_id = ?2"),
        &[Arg::Text(id), Arg::Text(call.ws())],
    )
    .await?;
    row.ok_or_else(|| ErrorCode::MemberNotFound.into())
}

pub(super) async fn list_members(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let db = store::db(call.env)?;
    let rows: Vec<MemberRow> = store::all(
        &db,
        &format!(
            "SELECT {MEMBER_COLUMNS} FROM members WHERE workspace_id = ?1 ORDER BY created_at, id"
        ),
        &[Arg::Text(call.ws())],
    )
    .await?;
    let data: Vec<Value> = rows.iter().map(|m| member_view(m, call.now)).collect();
    super::ok(200, &json!({ "data": data }))
}

#[derive(Deserialize)]
struct NewMember {
    email: String,
    role: String,
    password: String,
    pin: Option<String>,
}

/// `POST /v1/admin/members` (superadmin): a member with an initial password (and PIN).
pub(super) async fn create_member(
    req: &mut Request,
    call: &AdminCall<'_>,
) -> Result<Response, Failure> {
    let body: NewMember = super::body(req).await?;
    let email = admin::normalize_email(&body.email)?;
    let role = Role::parse(&body.role)
        .ok_or_else(|| invalid("role is superadmin, admin, developer or viewer."))?;
    password::check_new_password(&body.password).map_err(|e| invalid(&e.to_string()))?;
    if let Some(pin) = &body.pin {
        password::check_new_pin(pin).map_err(|e| invalid(&e.to_string()))?;
    }
    let db = store::db(call.env)?;
    let taken: Option<Value> = store::first(
        &db,
        "SELECT id FROM members WHERE email = ?1",
        &[Arg::Text(&email)],
    )
    .await?;
    if taken.is_some() {
        return Err(ErrorCode::EmailTaken.into());
    }
    let password_hash = auth::hash_new(&body.password).await?;
    let pin_hash = match &body.pin {
        Some(p) => Some(auth::hash_new(p).await?),
        None => None,
    };
    let id = rng::new_id("mem");
    store::stmt(
        &db,
        "INSERT INTO members (id, workspace_id, email, role, password_hash, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[
            Arg::Text(&id),
            Arg::Text(call.ws()),
            Arg::Text(&email),
            Arg::Text(role.as_str()),
            Arg::Text(&password_hash),
            pin_hash.as_deref().into(),
            Arg::Int(call.now),
        ],
    )?
    .run()
    .await
    .map_err(|e| {
        // Two invitations racing for one email: the UNIQUE index decides.
        if e.to_string().contains("UNIQUE") {
            Failure::from(ErrorCode::EmailTaken)
        } else {
            Failure::from(e)
        }
    })?;
    call.set_target(format!("{id} {email}"));
    let m = load_member(call, &id).await?;
    super::ok(201, &json!({ "member": member_view(&m, call.now) }))
}

#[derive(Deserialize)]
struct MemberPatch {
    role: String,
}

async fn superadmins(call: &AdminCall<'_>) -> Result<i64, Failure> {
    #[derive(Deserialize)]
    struct N {
        n: i64,
    }
    let db = store::db(call.env)?;
    let n: Option<N> = store::first(
        &db,
        "SELECT COUNT(*) AS n FROM members WHERE workspace_id = ?1 AND role = 'superadmin'",
        &[Arg::Text(call.ws())],
    )
    .await?;
    Ok(n.map_or(0, |n| n.n))
}

/// `PATCH /v1/admin/members/{id}` (superadmin): changes a role; a workspace always keeps
/// one superadmin.
pub(super) async fn patch_member(
    req: &mut Request,
    call: &AdminCall<'_>,
) -> Result<Response, Failure> {
    let target = load_member(call, call.id()?).await?;
    let body: MemberPatch = super::body(req).await?;
    let role = Role::parse(&body.role)
        .ok_or_else(|| invalid("role is superadmin, admin, developer or viewer."))?;
    if target.role == "superadmin" && role != Role::Superadmin && superadmins(call).await? <= 1 {
        return Err(invalid("A workspace keeps at least one superadmin."));
    }
    let db = store::db(call.env)?;
    store::stmt(
        &db,
        "UPDATE members SET role = ?2 WHERE id = ?1",
        &[Arg::Text(&target.id), Arg::Text(role.as_str())],
    )?
    .run()
    .await?;
    let m = load_member(call, &target.id).await?;
    super::ok(200, &json!({ "member": member_view(&m, call.now) }))
}

/// `DELETE /v1/admin/members/{id}` (superadmin): removes the member and ends their sessions.
pub(super) async fn delete_member(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let target = load_member(call, call.id()?).await?;
    if target.id == call.member.id {
        return Err(invalid(
            "You cannot remove yourself; ask another superadmin.",
        ));
    }
    let db = store::db(call.env)?;
    db.batch(vec![
        store::stmt(
            &db,
            "DELETE FROM sessions WHERE member_id = ?1",
            &[Arg::Text(&target.id)],
        )?,
        store::stmt(
            &db,
            "DELETE FROM members WHERE id = ?1",
            &[Arg::Text(&target.id)],
        )?,
    ])
    .await?;
    super::ok(200, &json!({ "id": target.id, "deleted": true }))
}

// ---------------------------------------------------------------------------------------
// Logs

fn time_param(call: &AdminCall<'_>, name: &str) -> Result<Option<i64>, Failure> {
    match call.query.get(name) {
        None | Some("") => Ok(None),
        Some(v) => parse_rfc3339(v)
            .map(Some)
            .ok_or_else(|| invalid(&format!("{name} is an RFC 3339 time."))),
    }
}

#[derive(Deserialize)]
struct LogRow {
    id: i64,
    request_id: String,
    key_id: Option<String>,
    method: String,
    route: String,
    status: i64,
    latency_ms: i64,
    caller: String,
    error_code: Option<String>,
    created_at: i64,
}

/// `GET /v1/admin/logs?key_id=&status=&route=&since=&until=&cursor=&limit=`, newest first.
/// `status` is a code (`403`) or a class (`4xx`). Rows are kept 30 days.
pub(super) async fn list_logs(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let limit = super::limit(call.query)?;
    let (status_lo, status_hi) = match call.query.get("status") {
        None | Some("") => (None, None),
        Some(s) if s.len() == 3 && s.ends_with("xx") => {
            let class: i64 = s[..1]
                .parse()
                .map_err(|_| invalid("status is like 403 or 4xx."))?;
            (Some(class * 100), Some(class * 100 + 99))
        }
        Some(s) => {
            let n: i64 = s
                .parse()
                .map_err(|_| invalid("status is like 403 or 4xx."))?;
            (Some(n), Some(n))
        }
    };
    let db = store::db(call.env)?;
    let rows: Vec<LogRow> = store::all(
        &db,
        "SELECT id, request_id, key_id, method, route, status, latency_ms, caller, error_code, created_at FROM request_logs \
         WHERE workspace_id = ?1 AND (?2 IS NULL OR key_id = ?2) AND (?3 IS NULL OR status >= ?3) AND (?4 IS NULL OR status <= ?4) \
         AND (?5 IS NULL OR route = ?5) AND (?6 IS NULL OR created_at >= ?6) AND (?7 IS NULL OR created_at < ?7) \
         AND (?8 IS NULL OR id < ?8) ORDER BY id DESC LIMIT ?9",
        &[
            Arg::Text(call.ws()),
            call.query.get("key_id").filter(|s| !s.is_empty()).into(),
            status_lo.into(),
            status_hi.into(),
            call.query.get("route").filter(|s| !s.is_empty()).into(),
            time_param(call, "since")?.into(),
            time_param(call, "until")?.into(),
            call.query.int_cursor()?.into(),
            Arg::Int(limit),
        ],
    ).await?;
    let next = super::next_cursor(&rows, limit, |r| r.id.to_string());
    let data = rows
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "request_id": r.request_id,
                "key_id": r.key_id,
                "method": r.method,
                "route": r.route,
                "status": r.status,
                "latency_ms": r.latency_ms,
                "caller": r.caller,
                "error_code": r.error_code,
                "created_at": rfc3339(r.created_at),
            })
        })
        .collect();
    super::ok(200, &super::page(data, next))
}

#[derive(Deserialize)]
struct ExposureRow {
    id: String,
    key_id: String,
    kind: String,
    origin: String,
    ip: String,
    user_agent: String,
    route: String,
    first_seen: i64,
    last_seen: i64,
    count: i64,
}

/// `GET /v1/admin/exposures?key_id=&cursor=&limit=`: most recently seen first.
pub(super) async fn list_exposures(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let limit = super::limit(call.query)?;
    let (c_seen, c_id) = call.query.pair_cursor()?.unzip();
    let db = store::db(call.env)?;
    let rows: Vec<ExposureRow> = store::all(
        &db,
        "SELECT id, key_id, kind, origin, ip, user_agent, route, first_seen, last_seen, count FROM exposures \
         WHERE workspace_id = ?1 AND (?2 IS NULL OR key_id = ?2) \
         AND (?3 IS NULL OR last_seen < ?3 OR (last_seen = ?3 AND id < ?4)) \
         ORDER BY last_seen DESC, id DESC LIMIT ?5",
        &[
            Arg::Text(call.ws()),
            call.query.get("key_id").filter(|s| !s.is_empty()).into(),
            c_seen.into(),
            c_id.as_deref().into(),
            Arg::Int(limit),
        ],
    ).await?;
    let next = super::next_cursor(&rows, limit, |r| format!("{}.{}", r.last_seen, r.id));
    let data = rows
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "key_id": r.key_id,
                "kind": r.kind,
                "origin": r.origin,
                "ip": r.ip,
                "user_agent": r.user_agent,
                "route": r.route,
                "first_seen": rfc3339(r.first_seen),
                "last_seen": rfc3339(r.last_seen),
                "count": r.count,
            })
        })
        .collect();
    super::ok(200, &super::page(data, next))
}

#[derive(Deserialize)]
struct AuditRow {
    id: i64,
    member_id: Option<String>,
    member_email: String,
    action: String,
    target: String,
    status: i64,
    ip: String,
    created_at: i64,
}

/// `GET /v1/admin/audit?cursor=&limit=`: every state-changing control-plane call.
pub(super) async fn list_audit(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let limit = super::limit(call.query)?;
    let db = store::db(call.env)?;
    let rows: Vec<AuditRow> = store::all(
        &db,
        "SELECT id, member_id, member_email, action, target, status, ip, created_at FROM audit_log \
         WHERE workspace_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3",
        &[Arg::Text(call.ws()), call.query.int_cursor()?.into(), Arg::Int(limit)],
    ).await?;
    let next = super::next_cursor(&rows, limit, |r| r.id.to_string());
    let data = rows
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "member_id": r.member_id,
                "member_email": r.member_email,
                "action": r.action,
                "target": r.target,
                "status": r.status,
                "ip": r.ip,
                "created_at": rfc3339(r.created_at),
            })
        })
        .collect();
    super::ok(200, &super::page(data, next))
}
