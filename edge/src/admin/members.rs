//! Members: who may use the dashboard, with which role.

use serde::Deserialize;
use serde_json::Value;
use tally_core::admin::{self, Role};
use tally_core::password;
use tally_core::time::rfc3339;
use tally_core::wire::{Deleted, MemberAnswer, MemberList, MemberPatch, MemberView, NewMember};
use tally_core::ErrorCode;
use worker::Response;

use super::{auth, AdminCall};
use crate::error::Failure;
use crate::http::Request;
use crate::rng;
use crate::store::{self, Arg};

#[derive(Deserialize)]
struct MemberRow {
    id: String,
    email: String,
    role: String,
    pin_set: i64,
    pin_locked_until: Option<i64>,
    created_at: i64,
}

fn member_view(m: &MemberRow, now: i64) -> MemberView {
    MemberView {
        id: m.id.clone(),
        email: m.email.clone(),
        role: m.role.clone(),
        pin_set: m.pin_set != 0,
        pin_locked: m.pin_locked_until.is_some_and(|t| t > now),
        created_at: rfc3339(m.created_at),
    }
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

pub(super) async fn list(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let db = store::db(call.env)?;
    let rows: Vec<MemberRow> = store::all(
        &db,
        &format!(
            "SELECT {MEMBER_COLUMNS} FROM members WHERE workspace_id = ?1 ORDER BY created_at, id"
        ),
        &[Arg::Text(call.ws())],
    )
    .await?;
    let data = rows.iter().map(|m| member_view(m, call.now)).collect();
    super::answer(200, &MemberList { data })
}

/// `POST /v1/admin/members` (superadmin): a member with an initial password (and PIN).
pub(super) async fn create(req: &Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let body: NewMember = super::body(req).await?;
    let email = admin::normalize_email(&body.email)?;
    let role = Role::parse(&body.role)
        .ok_or_else(|| super::invalid("role is superadmin, admin, developer or viewer."))?;
    password::check_new_password(&body.password).map_err(|e| super::invalid(&e.to_string()))?;
    if let Some(pin) = &body.pin {
        password::check_new_pin(pin).map_err(|e| super::invalid(&e.to_string()))?;
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
    super::answer(
        201,
        &MemberAnswer {
            member: member_view(&m, call.now),
        },
    )
}

/// `PATCH /v1/admin/members/{id}` (superadmin): changes another member's role. Never your
/// own, so the superadmin making the change remains and a workspace always keeps one.
pub(super) async fn patch(req: &Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let target = load_member(call, call.id()?).await?;
    let body: MemberPatch = super::body(req).await?;
    if target.id == call.member.id {
        return Err(ErrorCode::CannotChangeOwnMembership.into());
    }
    let role = Role::parse(&body.role)
        .ok_or_else(|| super::invalid("role is superadmin, admin, developer or viewer."))?;
    let db = store::db(call.env)?;
    store::stmt(
        &db,
        "UPDATE members SET role = ?2 WHERE id = ?1",
        &[Arg::Text(&target.id), Arg::Text(role.as_str())],
    )?
    .run()
    .await?;
    let m = load_member(call, &target.id).await?;
    super::answer(
        200,
        &MemberAnswer {
            member: member_view(&m, call.now),
        },
    )
}

/// `DELETE /v1/admin/members/{id}` (superadmin): removes the member and ends their sessions.
pub(super) async fn delete(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let target = load_member(call, call.id()?).await?;
    if target.id == call.member.id {
        return Err(ErrorCode::CannotChangeOwnMembership.into());
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
    super::answer(
        200,
        &Deleted {
            id: target.id,
            deleted: true,
        },
    )
}
