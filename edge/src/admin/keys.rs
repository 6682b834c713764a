//! Keys and identity secrets: create, list, change, roll, revoke, delete; roll and reveal.
//!
//! Plaintext keys and identity secrets exist only in the answer that creates them (and,
//! for identity secrets, a PIN-guarded reveal: the edge needs them to verify HMACs, so
//! they are stored). Keys are stored as SHA-256 only.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};
use tally_core::admin::{self, KeyPatch, KeySettings, NewKey};
use tally_core::key::{self, Environment};
use tally_core::rng::Csprng;
use tally_core::time::{rfc3339, UnixMillis};
use tally_core::webhook::Event;
use tally_core::wire::{CreatedKey, Deleted, KeyList, KeyView, RolledKey};
use tally_core::{ApiError, ErrorCode};
use worker::{Request, Response};

use super::AdminCall;
use crate::error::Failure;
use crate::keys::{self as key_store, NewKeyRow};
use crate::rng::{self, PlatformRng};
use crate::store::{self, Arg};
use crate::{identity, sealing, webhooks};
use tally_core::seal::Purpose;

pub(super) async fn list(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let data = key_store::list(call.env, call.ws())
        .await?
        .iter()
        .map(|r| r.view(call.now))
        .collect::<Result<Vec<_>, _>>()?;
    super::answer(200, &KeyList { data })
}

async fn view(call: &AdminCall<'_>, id: &str) -> Result<KeyView, Failure> {
    key_store::get(call.env, call.ws(), id)
        .await?
        .view(call.now)
}

pub(super) async fn get(call: &AdminCall<'_>) -> Result<Response, Failure> {
    super::answer(200, &view(call, call.id()?).await?)
}

/// `POST /v1/admin/keys` (PIN): 201 `{"key","secret"}`; the plaintext is never seen again.
pub(super) async fn create(req: &mut Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let body: NewKey = super::body(req).await?;
    let plan = admin::plan_key(&body, call.member.workspace_approved, call.now)?;
    let generated = key::generate(plan.env, plan.kind, &mut PlatformRng);
    let id = rng::new_id("key");
    let settings = KeySettings {
        name: plan.name,
        description: plan.description,
        kind: plan.kind,
        access: plan.access,
        scopes: plan.scopes,
        allowed_origins: plan.allowed_origins,
    };
    key_store::insert(
        call.env,
        &NewKeyRow {
            id: &id,
            workspace_id: call.ws(),
            env: plan.env,
            generated: &generated,
            settings: &settings,
            expires_at: plan.expires_at,
            created_at: call.now,
            created_by: &call.member.email,
        },
    )
    .await?;
    call.set_target(id.as_str());
    let created = view(call, &id).await?;
    webhooks::emit_later(
        call.env,
        call.ctx,
        call.ws(),
        plan.env,
        Event::ApiKeyCreated,
        json!({ "key": created }),
    );
    super::answer(
        201,
        &CreatedKey {
            key: created,
            secret: generated.plaintext,
        },
    )
}

/// `PATCH /v1/admin/keys/{id}`: name, description, access (never a write scope on a
/// publishable key), allowed origins.
pub(super) async fn patch(req: &mut Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let row = key_store::get(call.env, call.ws(), call.id()?).await?;
    let body: KeyPatch = super::body(req).await?;
    let next = admin::apply_patch(&row.settings()?, &body)?;
    key_store::update_settings(call.env, &row.id, &next).await?;
    super::answer(200, &view(call, &row.id).await?)
}

#[derive(Deserialize, Default)]
struct Roll {
    overlap_seconds: Option<i64>,
}

/// `POST /v1/admin/keys/{id}/roll` (PIN): a new key with the same settings; the old one
/// keeps working for `overlap_seconds` (0 to 7 days), then answers `expired_api_key`. A key
/// rolls once: its successor is the one to roll next (409 `key_already_rolled`).
pub(super) async fn roll(req: &mut Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let old = key_store::get(call.env, call.ws(), call.id()?).await?;
    if old.revoked_at.is_some() {
        return Err(ErrorCode::KeyRevoked.into());
    }
    if let Some(next) = &old.rolled_to {
        return Err(ApiError::with_message(
            ErrorCode::KeyAlreadyRolled,
            format!("This API key was already rolled to {next}; roll {next} instead."),
        )
        .into());
    }
    let body: Roll = super::optional_body(req).await?;
    let overlap = admin::check_overlap(body.overlap_seconds)?;
    let settings = old.settings()?;
    let env = old.env()?;
    let generated = key::generate(env, settings.kind, &mut PlatformRng);
    let id = rng::new_id("key");
    key_store::roll(
        call.env,
        &old,
        &NewKeyRow {
            id: &id,
            workspace_id: call.ws(),
            env,
            generated: &generated,
            settings: &settings,
            expires_at: old.expires_at.filter(|t| *t > call.now),
            created_at: call.now,
            created_by: &call.member.email,
        },
        call.now + overlap * 1000,
    )
    .await?;
    call.set_target(format!("{} -> {id}", old.id));
    let successor = view(call, &id).await?;
    let previous = view(call, &old.id).await?;
    webhooks::emit_later(
        call.env,
        call.ctx,
        call.ws(),
        env,
        Event::ApiKeyRolled,
        json!({ "key": successor, "previous_key": previous }),
    );
    super::answer(
        200,
        &RolledKey {
            key: successor,
            secret: generated.plaintext,
            previous_key: previous,
        },
    )
}

/// `POST /v1/admin/keys/{id}/revoke`: refused from the next request on (this isolate at
/// once, every isolate within the key cache's 3 seconds).
pub(super) async fn revoke(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let row = key_store::get(call.env, call.ws(), call.id()?).await?;
    let newly = key_store::revoke(call.env, &row.id, call.now).await?;
    let revoked = view(call, &row.id).await?;
    if newly {
        webhooks::emit_later(
            call.env,
            call.ctx,
            call.ws(),
            row.env()?,
            Event::ApiKeyRevoked,
            json!({ "key": revoked }),
        );
    }
    super::answer(200, &revoked)
}

/// `DELETE /v1/admin/keys/{id}` (PIN): irreversible.
pub(super) async fn delete(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let row = key_store::get(call.env, call.ws(), call.id()?).await?;
    key_store::delete(call.env, call.ws(), &row.id).await?;
    super::answer(
        200,
        &Deleted {
            id: row.id,
            deleted: true,
        },
    )
}

// ---------------------------------------------------------------------------------------
// Identity secrets

#[derive(Deserialize)]
struct SecretRow {
    kid: String,
    environment: String,
    created_at: i64,
    retires_at: Option<i64>,
}

fn secret_view(r: &SecretRow, now: UnixMillis) -> Value {
    let status = match r.retires_at {
        None => "current",
        Some(t) if t * 1000 > now => "retiring",
        Some(_) => "retired",
    };
    json!({
        "kid": r.kid,
        "environment": r.environment,
        "created_at": rfc3339(r.created_at),
        "retires_at": r.retires_at.map(|s| rfc3339(s * 1000)),
        "status": status,
    })
}

pub(super) async fn list_identity_secrets(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let db = store::db(call.env)?;
    let rows: Vec<SecretRow> = store::all(
        &db,
        "SELECT kid, environment, created_at, retires_at FROM identity_secrets WHERE workspace_id = ?1 \
         ORDER BY environment, retires_at IS NOT NULL, created_at DESC",
        &[Arg::Text(call.ws())],
    ).await?;
    let data: Vec<Value> = rows.iter().map(|r| secret_view(r, call.now)).collect();
    super::ok(200, &json!({ "data": data }))
}

#[derive(Deserialize)]
struct RollSecret {
    environment: Option<String>,
    overlap_seconds: Option<i64>,
}

/// `POST /v1/admin/identity-secrets/roll` (PIN): a new current secret (and `kid`); the old
/// one keeps verifying tokens for `overlap_seconds`. Also creates the first one.
pub(super) async fn roll_identity_secret(
    req: &mut Request,
    call: &AdminCall<'_>,
) -> Result<Response, Failure> {
    let body: RollSecret = super::body(req).await?;
    let env = match body.environment.as_deref() {
        None => Environment::Test,
        Some(e) => Environment::parse(e).ok_or_else(|| {
            Failure::from(ApiError::with_message(
                ErrorCode::InvalidRequest,
                "environment is test or prod.",
            ))
        })?,
    };
    if env == Environment::Prod && !call.member.workspace_approved {
        return Err(ErrorCode::WorkspaceNotApproved.into());
    }
    let overlap = admin::check_overlap(body.overlap_seconds)?;
    let mut secret = [0u8; tally_core::token::SECRET_LEN];
    PlatformRng.fill(&mut secret);
    let encoded = URL_SAFE_NO_PAD.encode(secret);
    let kid = rng::new_id("ids");
    let sealed = sealing::seal(
        call.env,
        Purpose::IdentitySecret {
            workspace_id: call.ws(),
            environment: env.as_str(),
            kid: &kid,
        },
        encoded.as_bytes(),
    )
    .await?;
    let now_s = call.now / 1000;
    let db = store::db(call.env)?;
    db.batch(vec![
        store::stmt(
            &db,
            "UPDATE identity_secrets SET retires_at = ?3 WHERE workspace_id = ?1 AND environment = ?2 AND (retires_at IS NULL OR retires_at > ?3)",
            &[Arg::Text(call.ws()), Arg::Text(env.as_str()), Arg::Int(now_s + overlap)],
        )?,
        store::stmt(
            &db,
            "INSERT INTO identity_secrets (workspace_id, environment, kid, secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            &[
                Arg::Text(call.ws()),
                Arg::Text(env.as_str()),
                Arg::Text(&kid),
                Arg::Text(&sealed),
                Arg::Int(call.now),
            ],
        )?,
    ])
    .await?;
    identity::forget(call.ws(), env);
    call.set_target(kid.as_str());
    let view = secret_view(
        &SecretRow {
            kid: kid.clone(),
            environment: env.as_str().to_owned(),
            created_at: call.now,
            retires_at: None,
        },
        call.now,
    );
    super::ok(201, &json!({ "identity_secret": view, "secret": encoded }))
}

#[derive(Deserialize)]
struct RevealRow {
    kid: String,
    environment: String,
    created_at: i64,
    retires_at: Option<i64>,
    secret: String,
}

/// `POST /v1/admin/identity-secrets/{kid}/reveal` (PIN).
pub(super) async fn reveal_identity_secret(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let db = store::db(call.env)?;
    let row: Option<RevealRow> = store::first(
        &db,
        "SELECT kid, environment, created_at, retires_at, secret FROM identity_secrets WHERE workspace_id = ?1 AND kid = ?2",
        &[Arg::Text(call.ws()), Arg::Text(call.id()?)],
    ).await?;
    let row = row.ok_or_else(|| Failure::from(ErrorCode::IdentitySecretNotFound))?;
    let secret = sealing::open_text(
        call.env,
        Purpose::IdentitySecret {
            workspace_id: call.ws(),
            environment: &row.environment,
            kid: &row.kid,
        },
        &row.secret,
    )
    .await?;
    let view = secret_view(
        &SecretRow {
            kid: row.kid,
            environment: row.environment,
            created_at: row.created_at,
            retires_at: row.retires_at,
        },
        call.now,
    );
    super::ok(200, &json!({ "identity_secret": view, "secret": secret }))
}
