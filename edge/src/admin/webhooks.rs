//! Webhook endpoints, their delivery log, and manual redelivery.

use serde::Deserialize;
use tally_core::admin;
use tally_core::key::Environment;
use tally_core::rng::Csprng;
use tally_core::time::rfc3339;
use tally_core::webhook;
use tally_core::wire::{
    CreatedWebhook, Deleted, Delivery, DeliveryAttempt, NewWebhook, WebhookEndpoint, WebhookList,
    WebhookPatch,
};
use tally_core::{ApiError, ErrorCode};
use worker::Response;

use super::AdminCall;
use crate::error::Failure;
use crate::http::Request;
use crate::rng::{self, PlatformRng};
use crate::sealing;
use crate::store::{self, Arg};
use crate::webhooks as dispatch;
use tally_core::seal::Purpose;

#[derive(Deserialize)]
struct EndpointRow {
    id: String,
    environment: String,
    url: String,
    description: String,
    events: String,
    disabled: i64,
    created_at: i64,
}

const COLUMNS: &str = "id, environment, url, description, events, disabled, created_at";

fn view(r: &EndpointRow) -> WebhookEndpoint {
    WebhookEndpoint {
        id: r.id.clone(),
        environment: r.environment.clone(),
        url: r.url.clone(),
        description: r.description.clone(),
        events: serde_json::from_str(&r.events).unwrap_or_default(),
        disabled: r.disabled != 0,
        created_at: rfc3339(r.created_at),
    }
}

async fn load(call: &AdminCall<'_>, id: &str) -> Result<EndpointRow, Failure> {
    let db = store::db(call.env)?;
    let row: Option<EndpointRow> = store::first(
        &db,
        &format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE id = ?1 AND workspace_id = ?2"),
        &[Arg::Text(id), Arg::Text(call.ws())],
    )
    .await?;
    row.ok_or_else(|| ErrorCode::WebhookNotFound.into())
}

pub(super) async fn list(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let db = store::db(call.env)?;
    let rows: Vec<EndpointRow> = store::all(
        &db,
        &format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE workspace_id = ?1 ORDER BY created_at DESC, id"),
        &[Arg::Text(call.ws())],
    ).await?;
    super::answer(
        200,
        &WebhookList {
            data: rows.iter().map(view).collect(),
            event_types: webhook::event_names(),
        },
    )
}

pub(super) async fn get(call: &AdminCall<'_>) -> Result<Response, Failure> {
    super::answer(200, &view(&load(call, call.id()?).await?))
}

#[derive(Deserialize)]
struct SealedRow {
    secret: String,
}

/// `POST /v1/admin/webhooks/{id}/reveal` (PIN): the endpoint and its signing secret.
pub(super) async fn reveal(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let id = call.id()?;
    let row = load(call, id).await?;
    let db = store::db(call.env)?;
    let sealed: Option<SealedRow> = store::first(
        &db,
        "SELECT secret FROM webhook_endpoints WHERE id = ?1 AND workspace_id = ?2",
        &[Arg::Text(id), Arg::Text(call.ws())],
    )
    .await?;
    let sealed = sealed.ok_or_else(|| Failure::from(ErrorCode::WebhookNotFound))?;
    let secret = sealing::open_text(
        call.env,
        Purpose::WebhookSecret { endpoint_id: id },
        &sealed.secret,
    )
    .await?;
    super::answer(
        200,
        &CreatedWebhook {
            endpoint: view(&row),
            secret,
        },
    )
}

fn description(d: Option<&str>) -> Result<String, Failure> {
    let d = d.unwrap_or("").trim();
    if d.chars().count() > 200 {
        return Err(ApiError::with_message(
            ErrorCode::InvalidRequest,
            "description is at most 200 characters.",
        )
        .into());
    }
    Ok(d.to_owned())
}

/// `POST /v1/admin/webhooks`: 201 `{"endpoint","secret"}`; the signing secret is shown once.
pub(super) async fn create(req: &Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let body: NewWebhook = super::body(req).await?;
    let env = admin::environment_or_test(body.environment.as_deref())?;
    webhook::validate_url(&body.url, env)?;
    let events = webhook::validate_events(&body.events)?;
    let description = description(body.description.as_deref())?;
    let mut raw = [0u8; 32];
    PlatformRng.fill(&mut raw);
    let secret = webhook::new_secret(&raw);
    let id = rng::new_id("wh");
    let sealed = sealing::seal(
        call.env,
        Purpose::WebhookSecret { endpoint_id: &id },
        secret.as_bytes(),
    )
    .await?;
    let db = store::db(call.env)?;
    store::stmt(
        &db,
        "INSERT INTO webhook_endpoints (id, workspace_id, environment, url, description, events, secret, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        &[
            Arg::Text(&id),
            Arg::Text(call.ws()),
            Arg::Text(env.as_str()),
            Arg::Text(&body.url),
            Arg::Text(&description),
            Arg::Text(&serde_json::to_string(&events)?),
            Arg::Text(&sealed),
            Arg::Int(call.now),
        ],
    )?
    .run()
    .await?;
    dispatch::forget_endpoints();
    call.set_target(id.as_str());
    let endpoint = view(&load(call, &id).await?);
    super::answer(201, &CreatedWebhook { endpoint, secret })
}

pub(super) async fn patch(req: &Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let row = load(call, call.id()?).await?;
    let body: WebhookPatch = super::body(req).await?;
    let env = Environment::parse(&row.environment).unwrap_or(Environment::Prod);
    let url = body.url.unwrap_or(row.url);
    webhook::validate_url(&url, env)?;
    let events = match &body.events {
        Some(e) => webhook::validate_events(e)?,
        None => serde_json::from_str(&row.events).unwrap_or_default(),
    };
    let description = description(Some(
        body.description.as_deref().unwrap_or(&row.description),
    ))?;
    let disabled = body.disabled.map_or(row.disabled, i64::from);
    let db = store::db(call.env)?;
    store::stmt(
        &db,
        "UPDATE webhook_endpoints SET url = ?2, events = ?3, description = ?4, disabled = ?5 WHERE id = ?1",
        &[
            Arg::Text(&row.id),
            Arg::Text(&url),
            Arg::Text(&serde_json::to_string(&events)?),
            Arg::Text(&description),
            Arg::Int(disabled),
        ],
    )?
    .run()
    .await?;
    dispatch::forget_endpoints();
    super::answer(200, &view(&load(call, &row.id).await?))
}

pub(super) async fn delete(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let row = load(call, call.id()?).await?;
    let db = store::db(call.env)?;
    db.batch(vec![
        store::stmt(
            &db,
            "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = ?1)",
            &[Arg::Text(&row.id)],
        )?,
        store::stmt(&db, "DELETE FROM webhook_deliveries WHERE endpoint_id = ?1", &[Arg::Text(&row.id)])?,
        store::stmt(&db, "DELETE FROM webhook_endpoints WHERE id = ?1", &[Arg::Text(&row.id)])?,
    ])
    .await?;
    dispatch::forget_endpoints();
    super::answer(
        200,
        &Deleted {
            id: row.id,
            deleted: true,
        },
    )
}

#[derive(Deserialize)]
struct DeliveryRow {
    id: String,
    event_id: String,
    event_type: String,
    status: String,
    attempts: i64,
    next_attempt_at: Option<i64>,
    last_status_code: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
}

#[derive(Deserialize)]
struct AttemptRow {
    delivery_id: String,
    attempt: i64,
    status_code: Option<i64>,
    error: Option<String>,
    duration_ms: i64,
    created_at: i64,
}

fn delivery_view(d: &DeliveryRow, attempts: &[AttemptRow]) -> Delivery {
    Delivery {
        id: d.id.clone(),
        event_id: d.event_id.clone(),
        event_type: d.event_type.clone(),
        status: d.status.clone(),
        attempt_count: d.attempts,
        next_attempt_at: d.next_attempt_at.map(rfc3339),
        last_status_code: d.last_status_code,
        last_error: d.last_error.clone(),
        created_at: rfc3339(d.created_at),
        updated_at: rfc3339(d.updated_at),
        attempts: attempts
            .iter()
            .filter(|a| a.delivery_id == d.id)
            .map(|a| DeliveryAttempt {
                attempt: a.attempt,
                status_code: a.status_code,
                error: a.error.clone(),
                duration_ms: a.duration_ms,
                at: rfc3339(a.created_at),
            })
            .collect(),
    }
}

const DELIVERY_COLUMNS: &str = "id, event_id, event_type, status, attempts, next_attempt_at, last_status_code, last_error, created_at, updated_at";

/// `GET /v1/admin/webhooks/{id}/deliveries?cursor=&limit=`: newest first, with attempts.
pub(super) async fn deliveries(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let endpoint = load(call, call.id()?).await?;
    let limit = super::limit(call.query)?;
    let (c_at, c_id) = call.query.pair_cursor()?.unzip();
    let db = store::db(call.env)?;
    let rows: Vec<DeliveryRow> = store::all(
        &db,
        &format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = ?1 \
             AND (?2 IS NULL OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) \
             ORDER BY created_at DESC, id DESC LIMIT ?4"
        ),
        &[
            Arg::Text(&endpoint.id),
            c_at.into(),
            c_id.as_deref().into(),
            Arg::Int(limit),
        ],
    )
    .await?;
    let attempts: Vec<AttemptRow> = if rows.is_empty() {
        Vec::new()
    } else {
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("?{i}")).collect();
        let args: Vec<Arg<'_>> = ids.iter().map(|i| Arg::Text(i)).collect();
        store::all(
            &db,
            &format!(
                "SELECT delivery_id, attempt, status_code, error, duration_ms, created_at FROM webhook_attempts \
                 WHERE delivery_id IN ({}) ORDER BY attempt",
                placeholders.join(", ")
            ),
            &args,
        ).await?
    };
    let next = super::next_cursor(&rows, limit, |r| format!("{}.{}", r.created_at, r.id));
    let data = rows.iter().map(|d| delivery_view(d, &attempts)).collect();
    super::page(data, next)
}

/// `POST /v1/admin/webhooks/{id}/deliveries/{delivery_id}/redeliver`: one more attempt now,
/// whatever the delivery's state. 202 with the delivery.
pub(super) async fn redeliver(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let endpoint = load(call, call.id()?).await?;
    let delivery_id = call
        .route
        .sub_id
        .as_deref()
        .ok_or_else(|| Failure::from(ErrorCode::DeliveryNotFound))?;
    let db = store::db(call.env)?;
    let result = store::changes(
        &db,
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?3, updated_at = ?3 WHERE id = ?1 AND endpoint_id = ?2",
        &[Arg::Text(delivery_id), Arg::Text(&endpoint.id), Arg::Int(call.now)],
    ).await?;
    if result == 0 {
        return Err(ErrorCode::DeliveryNotFound.into());
    }
    call.set_target(delivery_id);
    // The attempt happens off this answer's path (it may take up to the delivery timeout).
    let (env, ws) = (call.env.clone(), call.ws().to_owned());
    call.ctx.wait_until(async move {
        if let Err(e) = dispatch::wake(&env, &ws).await {
            worker::console_error!("webhook dispatcher of {ws} not woken: {}", e.error.message);
        }
    });
    let row: Option<DeliveryRow> = store::first(
        &db,
        &format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?1"),
        &[Arg::Text(delivery_id)],
    )
    .await?;
    let row = row.ok_or_else(|| Failure::from(ErrorCode::DeliveryNotFound))?;
    super::answer(202, &delivery_view(&row, &[]))
}
