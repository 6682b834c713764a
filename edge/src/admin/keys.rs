//! API keys: create, list, change, roll, revoke, delete.
//!
//! Plaintext keys and identity secrets exist only in the answer that creates them (and,
//! for identity secrets, a PIN-guarded reveal: the edge needs them to verify HMACs, so
//! they are stored). Keys are stored as SHA-256 only.

use tally_core::admin::{self, KeyPatch, KeySettings, NewKey};
use tally_core::key;
use tally_core::webhook::Event;
use tally_core::wire::{ApiKeyEvent, CreatedKey, Deleted, KeyList, KeyView, RollKey, RolledKey};
use tally_core::{ApiError, ErrorCode};
use worker::Response;

use super::AdminCall;
use crate::error::Failure;
use crate::http::Request;
use crate::keys::{self as key_store, NewKeyRow};
use crate::rng::{self, PlatformRng};
use crate::webhooks;

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
pub(super) async fn create(req: &Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
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
        &ApiKeyEvent {
            key: created.clone(),
            previous_key: None,
            reason: None,
        },
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
pub(super) async fn patch(req: &Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let row = key_store::get(call.env, call.ws(), call.id()?).await?;
    let body: KeyPatch = super::body(req).await?;
    let next = admin::apply_patch(&row.settings()?, &body)?;
    key_store::update_settings(call.env, &row.id, &next).await?;
    super::answer(200, &view(call, &row.id).await?)
}

/// `POST /v1/admin/keys/{id}/roll` (PIN): a new key with the same settings; the old one
/// keeps working for `overlap_seconds` (0 to 7 days), then answers `expired_api_key`. A key
/// rolls once: its successor is the one to roll next (409 `key_already_rolled`).
pub(super) async fn roll(req: &Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
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
    let body: RollKey = super::optional_body(req).await?;
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
        &ApiKeyEvent {
            key: successor.clone(),
            previous_key: Some(previous.clone()),
            reason: None,
        },
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
            &ApiKeyEvent {
                key: revoked.clone(),
                previous_key: None,
                reason: Some("dashboard".into()),
            },
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
