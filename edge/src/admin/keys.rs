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
use tally_core::key::{self, Environment, KeyKind};
use tally_core::rng::Csprng;
use tally_core::scope::{Access, ScopeSet};
use tally_core::time::{rfc3339, UnixMillis};
use tally_core::{ApiError, ErrorCode};
use worker::{Request, Response};

use super::AdminCall;
use crate::error::Failure;
use crate::rng::{self, PlatformRng};
use crate::store::{self, Arg};
use crate::{identity, keys as key_store, webhooks};

#[derive(Deserialize, Clone)]
pub(super) struct KeyRow {
    id: String,
    environment: String,
    kind: String,
    last4: String,
    name: String,
    description: String,
    access: String,
    scopes: String,
    allowed_origins: String,
    created_at: i64,
    created_by: Option<String>,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
    rolled_to: Option<String>,
}

const COLUMNS: &str =
    "id, environment, kind, last4, name, description, access, scopes, allowed_origins, \
     created_at, created_by, expires_at, last_used_at, revoked_at, rolled_to";

fn corrupt(id: &str) -> Failure {
    worker::console_error!("api_keys row {id} is damaged");
    ErrorCode::Internal.into()
}

impl KeyRow {
    fn env(&self) -> Result<Environment, Failure> {
        Environment::parse(&self.environment).ok_or_else(|| corrupt(&self.id))
    }

    fn settings(&self) -> Result<KeySettings, Failure> {
        Ok(KeySettings {
            name: self.name.clone(),
            description: self.description.clone(),
            kind: KeyKind::parse(&self.kind).ok_or_else(|| corrupt(&self.id))?,
            access: Access::parse(&self.access).ok_or_else(|| corrupt(&self.id))?,
            scopes: ScopeSet::parse_list(&self.scopes).map_err(|_| corrupt(&self.id))?,
            allowed_origins: serde_json::from_str(&self.allowed_origins)
                .map_err(|_| corrupt(&self.id))?,
        })
    }

    /// The key object of the contract (plus `status`, `created_by`, `wallets`, `rolled_to`).
    pub(super) fn view(&self, now: UnixMillis) -> Result<Value, Failure> {
        let s = self.settings()?;
        let env = self.env()?;
        Ok(json!({
            "id": self.id,
            "name": s.name,
            "description": s.description,
            "kind": s.kind.as_str(),
            "access": s.access.as_str(),
            "scopes": s.scopes.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
            "environment": env.as_str(),
            "redacted": key::redact(env, s.kind, &self.last4),
            "created_at": rfc3339(self.created_at),
            "created_by": self.created_by,
            "last_used_at": self.last_used_at.map(rfc3339),
            "expires_at": self.expires_at.map(rfc3339),
            "revoked_at": self.revoked_at.map(rfc3339),
            "allowed_origins": s.allowed_origins,
            "status": admin::key_status(self.revoked_at, self.expires_at, now),
            "write_capable": s.scopes.is_write_capable(),
            "wallets": s.scopes.wallets().iter().map(|w| json!({"wallet": w.as_str(), "currency_type": w.currency_type()})).collect::<Vec<_>>(),
            "rolled_to": self.rolled_to,
        }))
    }
}

async fn load(call: &AdminCall<'_>, id: &str) -> Result<KeyRow, Failure> {
    let db = store::db(call.env)?;
    let row: Option<KeyRow> = store::first(
        &db,
        &format!("SELECT {COLUMNS} FROM api_keys WHERE id = ?1 AND workspace_id = ?2"),
        &[Arg::Text(id), Arg::Text(call.ws())],
    )
    .await?;
    row.ok_or_else(|| ErrorCode::KeyNotFound.into())
}

pub(super) async fn list(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let db = store::db(call.env)?;
    let rows: Vec<KeyRow> = store::all(
        &db,
        &format!(
            "SELECT {COLUMNS} FROM api_keys WHERE workspace_id = ?1 ORDER BY created_at DESC, id"
        ),
        &[Arg::Text(call.ws())],
    )
    .await?;
    let data = rows
        .iter()
        .map(|r| r.view(call.now))
        .collect::<Result<Vec<_>, _>>()?;
    super::ok(200, &json!({ "data": data }))
}

pub(super) async fn get(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let row = load(call, call.id()?).await?;
    super::ok(200, &row.view(call.now)?)
}

struct Insert<'a> {
    id: &'a str,
    env: Environment,
    generated: &'a key::GeneratedKey,
    settings: &'a KeySettings,
    expires_at: Option<UnixMillis>,
}

fn insert_stmt(
    db: &worker::D1Database,
    call: &AdminCall<'_>,
    k: &Insert<'_>,
) -> Result<worker::D1PreparedStatement, Failure> {
    let origins = serde_json::to_string(&k.settings.allowed_origins)?;
    store::stmt(
        db,
        "INSERT INTO api_keys (id, workspace_id, environment, kind, key_hash, last4, name, description, access, scopes, allowed_origins, created_at, created_by, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        &[
            Arg::Text(k.id),
            Arg::Text(call.ws()),
            Arg::Text(k.env.as_str()),
            Arg::Text(k.settings.kind.as_str()),
            Arg::Text(&k.generated.hash.to_hex()),
            Arg::Text(&k.generated.last4),
            Arg::Text(&k.settings.name),
            Arg::Text(&k.settings.description),
            Arg::Text(k.settings.access.as_str()),
            Arg::Text(&k.settings.scopes.to_storage()),
            Arg::Text(&origins),
            Arg::Int(call.now),
            Arg::Text(&call.member.email),
            k.expires_at.into(),
        ],
    )
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
    let db = store::db(call.env)?;
    insert_stmt(
        &db,
        call,
        &Insert {
            id: &id,
            env: plan.env,
            generated: &generated,
            settings: &settings,
            expires_at: plan.expires_at,
        },
    )?
    .run()
    .await?;
    call.set_target(id.as_str());
    let view = load(call, &id).await?.view(call.now)?;
    webhooks::emit_later(
        call.env,
        call.ctx,
        call.ws(),
        plan.env,
        "api_key.created",
        json!({ "key": view }),
    );
    super::ok(201, &json!({ "key": view, "secret": generated.plaintext }))
}

/// `PATCH /v1/admin/keys/{id}`: name, description, access (never a write scope on a
/// publishable key), allowed origins.
pub(super) async fn patch(req: &mut Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let row = load(call, call.id()?).await?;
    let body: KeyPatch = super::body(req).await?;
    let next = admin::apply_patch(&row.settings()?, &body)?;
    let db = store::db(call.env)?;
    store::stmt(
        &db,
        "UPDATE api_keys SET name = ?2, description = ?3, access = ?4, scopes = ?5, allowed_origins = ?6 WHERE id = ?1",
        &[
            Arg::Text(&row.id),
            Arg::Text(&next.name),
            Arg::Text(&next.description),
            Arg::Text(next.access.as_str()),
            Arg::Text(&next.scopes.to_storage()),
            Arg::Text(&serde_json::to_string(&next.allowed_origins)?),
        ],
    )?
    .run()
    .await?;
    key_store::forget(&row.id);
    super::ok(200, &load(call, &row.id).await?.view(call.now)?)
}

#[derive(Deserialize, Default)]
struct Roll {
    overlap_seconds: Option<i64>,
}

/// `POST /v1/admin/keys/{id}/roll` (PIN): a new key with the same settings; the old one
/// keeps working for `overlap_seconds` (0 to 7 days), then answers `expired_api_key`.
pub(super) async fn roll(req: &mut Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let old = load(call, call.id()?).await?;
    if old.revoked_at.is_some() {
        return Err(ErrorCode::KeyRevoked.into());
    }
    let bytes = crate::http::body(req).await?;
    let body: Roll = if bytes.iter().all(u8::is_ascii_whitespace) {
        Roll::default()
    } else {
        crate::http::parse_json(&bytes)?
    };
    let overlap = admin::check_overlap(body.overlap_seconds)?;
    let settings = old.settings()?;
    let env = old.env()?;
    let generated = key::generate(env, settings.kind, &mut PlatformRng);
    let id = rng::new_id("key");
    let old_until = call.now + overlap * 1000;
    let db = store::db(call.env)?;
    db.batch(vec![
        insert_stmt(
            &db,
            call,
            &Insert {
                id: &id,
                env,
                generated: &generated,
                settings: &settings,
                expires_at: old.expires_at.filter(|t| *t > call.now),
            },
        )?,
        store::stmt(
            &db,
            "UPDATE api_keys SET expires_at = MIN(COALESCE(expires_at, ?2), ?2), rolled_to = ?3 WHERE id = ?1",
            &[Arg::Text(&old.id), Arg::Int(old_until), Arg::Text(&id)],
        )?,
    ])
    .await?;
    key_store::forget(&old.id);
    call.set_target(format!("{} -> {id}", old.id));
    let view = load(call, &id).await?.view(call.now)?;
    let previous = load(call, &old.id).await?.view(call.now)?;
    webhooks::emit_later(
        call.env,
        call.ctx,
        call.ws(),
        env,
        "api_key.rolled",
        json!({ "key": view, "previous_key": previous }),
    );
    super::ok(
        200,
        &json!({ "key": view, "secret": generated.plaintext, "previous_key": previous }),
    )
}

/// `POST /v1/admin/keys/{id}/revoke`: refused from the next request on (this isolate at
/// once, every isolate within the key cache's 3 seconds).
pub(super) async fn revoke(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let row = load(call, call.id()?).await?;
    let newly = row.revoked_at.is_none();
    key_store::revoke(call.env, &row.id, call.now).await?;
    let view = load(call, &row.id).await?.view(call.now)?;
    if newly {
        webhooks::emit_later(
            call.env,
            call.ctx,
            call.ws(),
            row.env()?,
            "api_key.revoked",
            json!({ "key": view }),
        );
    }
    super::ok(200, &view)
}

/// `DELETE /v1/admin/keys/{id}` (PIN): irreversible.
pub(super) async fn delete(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let row = load(call, call.id()?).await?;
    let db = store::db(call.env)?;
    store::stmt(
        &db,
        "DELETE FROM api_keys WHERE id = ?1 AND workspace_id = ?2",
        &[Arg::Text(&row.id), Arg::Text(call.ws())],
    )?
    .run()
    .await?;
    key_store::forget(&row.id);
    super::ok(200, &json!({ "id": row.id, "deleted": true }))
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
                Arg::Text(&encoded),
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
    let view = secret_view(
        &SecretRow {
            kid: row.kid,
            environment: row.environment,
            created_at: row.created_at,
            retires_at: row.retires_at,
        },
        call.now,
    );
    super::ok(
        200,
        &json!({ "identity_secret": view, "secret": row.secret }),
    )
}
