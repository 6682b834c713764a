//! The three logs: requests (every verifier decision), exposures, and the audit log.

use serde::Deserialize;
use tally_core::admin;
use tally_core::time::{parse_rfc3339, rfc3339};
use tally_core::wire::{AuditEntry, Exposure, LogEntry};
use worker::Response;

use super::AdminCall;
use crate::error::Failure;
use crate::store::{self, Arg};

fn time_param(call: &AdminCall<'_>, name: &str) -> Result<Option<i64>, Failure> {
    match call.query.get(name) {
        None => Ok(None),
        Some(v) => parse_rfc3339(v)
            .map(Some)
            .ok_or_else(|| super::invalid(&format!("{name} is an RFC 3339 time."))),
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
pub(super) async fn requests(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let limit = super::limit(call.query)?;
    let (status_lo, status_hi) = admin::status_filter(call.query.get("status"))?.unzip();
    let db = store::db(call.env)?;
    let rows: Vec<LogRow> = store::all(
        &db,
        "SELECT id, request_id, key_id, method, route, status, latency_ms, caller, error_code, created_at FROM request_logs \
         WHERE workspace_id = ?1 AND (?2 IS NULL OR key_id = ?2) AND (?3 IS NULL OR status >= ?3) AND (?4 IS NULL OR status <= ?4) \
         AND (?5 IS NULL OR route = ?5) AND (?6 IS NULL OR created_at >= ?6) AND (?7 IS NULL OR created_at < ?7) \
         AND (?8 IS NULL OR id < ?8) ORDER BY id DESC LIMIT ?9",
        &[
            Arg::Text(call.ws()),
            admin::text_filter("key_id", call.query.get("key_id"))?.into(),
            status_lo.into(),
            status_hi.into(),
            admin::text_filter("route", call.query.get("route"))?.into(),
            time_param(call, "since")?.into(),
            time_param(call, "until")?.into(),
            call.query.int_cursor()?.into(),
            Arg::Int(limit),
        ],
    ).await?;
    let next = super::next_cursor(&rows, limit, |r| r.id.to_string());
    let data = rows
        .into_iter()
        .map(|r| LogEntry {
            id: r.id,
            request_id: r.request_id,
            key_id: r.key_id,
            method: r.method,
            route: r.route,
            status: r.status,
            latency_ms: r.latency_ms,
            caller: r.caller,
            error_code: r.error_code,
            created_at: rfc3339(r.created_at),
        })
        .collect();
    super::page(data, next)
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
pub(super) async fn exposures(call: &AdminCall<'_>) -> Result<Response, Failure> {
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
            admin::text_filter("key_id", call.query.get("key_id"))?.into(),
            c_seen.into(),
            c_id.as_deref().into(),
            Arg::Int(limit),
        ],
    ).await?;
    let next = super::next_cursor(&rows, limit, |r| format!("{}.{}", r.last_seen, r.id));
    let data = rows
        .into_iter()
        .map(|r| Exposure {
            id: r.id,
            key_id: r.key_id,
            kind: r.kind,
            origin: r.origin,
            ip: r.ip,
            user_agent: r.user_agent,
            route: r.route,
            first_seen: rfc3339(r.first_seen),
            last_seen: rfc3339(r.last_seen),
            count: r.count,
        })
        .collect();
    super::page(data, next)
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
pub(super) async fn audit(call: &AdminCall<'_>) -> Result<Response, Failure> {
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
        .map(|r| AuditEntry {
            id: r.id,
            member_id: r.member_id,
            member_email: r.member_email,
            action: r.action,
            target: r.target,
            status: r.status,
            ip: r.ip,
            created_at: rfc3339(r.created_at),
        })
        .collect();
    super::page(data, next)
}
