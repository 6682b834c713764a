//! Webhook events: recorded by the API as delivery rows in D1, delivered (and retried with
//! backoff) by one `WebhookDispatcher` Durable Object per workspace, woken by a fetch when
//! an event is recorded and by its own alarm when a retry falls due.
//!
//! Why a Durable Object alarm and not a Queue: alarms are durable (they survive restarts
//! and are retried by the platform), run identically under `wrangler dev`, and give one
//! single-threaded scheduler per workspace, so a slow receiver of one merchant never
//! delays another's. Delivery rows are the source of truth; the alarm only says when to
//! look again, so a lost wake-up is repaired by the next event or alarm.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tally_core::key::Environment;
use tally_core::time::UnixMillis;
use tally_core::webhook::Event;
use tally_core::webhook::{self, MAX_ATTEMPTS, SIGNATURE_HEADER};
use tally_core::wire::EventEnvelope;
use worker::wasm_bindgen::JsValue;
use worker::{
    durable_object, AbortSignal, Context, DurableObject, Env, Fetch, Headers, Method, Request,
    RequestInit, RequestRedirect, Response, State,
};

use crate::error::Failure;
use crate::keys::KEY_CACHE_TTL_MS;
use crate::store::{self, Arg};
use crate::{rng, sealing};
use tally_core::cache::Lru;
use tally_core::seal::Purpose;

const BINDING: &str = "WEBHOOKS";
/// How long one delivery attempt may take.
const ATTEMPT_TIMEOUT_MS: u32 = 10_000;
/// Deliveries attempted per wake-up; the rest wait for the next turn (scheduled at once).
const BATCH: i64 = 25;

#[derive(Deserialize, Clone)]
struct EndpointRow {
    id: String,
    events: String,
}

type Endpoints = Rc<Vec<(String, Vec<String>)>>;

thread_local! {
    static ENDPOINTS: RefCell<Lru<(String, Environment), Endpoints>> = RefCell::new(Lru::new(10_000));
}

/// Drops this isolate's cached endpoint lists (after an admin change).
pub(crate) fn forget_endpoints() {
    ENDPOINTS.with(|c| c.borrow_mut().retain(|_, _| false));
}

async fn endpoints(env: &Env, ws: &str, environment: Environment) -> Result<Endpoints, Failure> {
    let now = store::now_ms();
    let key = (ws.to_owned(), environment);
    if let Some(hit) = ENDPOINTS.with(|c| c.borrow_mut().get(&key, now)) {
        return Ok(hit);
    }
    let db = store::db(env)?;
    let rows: Vec<EndpointRow> = store::all(
        &db,
        "SELECT id, events FROM webhook_endpoints WHERE workspace_id = ?1 AND environment = ?2 AND disabled = 0",
        &[Arg::Text(ws), Arg::Text(environment.as_str())],
    ).await?;
    let list: Endpoints = Rc::new(
        rows.into_iter()
            .map(|r| (r.id, serde_json::from_str(&r.events).unwrap_or_default()))
            .collect(),
    );
    ENDPOINTS.with(|c| {
        c.borrow_mut()
            .put(key, list.clone(), now + KEY_CACHE_TTL_MS)
    });
    Ok(list)
}

/// Records `kind` for every endpoint of the workspace and environment that subscribed to
/// it, then wakes the workspace's dispatcher. The payload is
/// `{"id","type","created","workspace_id","environment","data"}`.
pub(crate) async fn emit(
    env: &Env,
    ws: &str,
    environment: Environment,
    kind: Event,
    data: Value,
) -> Result<(), Failure> {
    let targets: Vec<String> = endpoints(env, ws, environment)
        .await?
        .iter()
        .filter(|(_, events)| events.iter().any(|e| e == kind.as_str()))
        .map(|(id, _)| id.clone())
        .collect();
    if targets.is_empty() {
        return Ok(());
    }
    let now = store::now_ms();
    let event_id = rng::new_id("evt");
    let payload = serde_json::to_string(&EventEnvelope {
        id: event_id.clone(),
        kind: kind.as_str().to_owned(),
        created: now / 1000,
        workspace_id: ws.to_owned(),
        environment: environment.as_str().to_owned(),
        data,
    })?;
    let db = store::db(env)?;
    let mut statements = Vec::with_capacity(targets.len());
    for endpoint in &targets {
        let id = rng::new_id("dlv");
        statements.push(store::stmt(
            &db,
            "INSERT INTO webhook_deliveries (id, workspace_id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, ?7, ?7, ?7)",
            &[
                Arg::Text(&id),
                Arg::Text(ws),
                Arg::Text(endpoint),
                Arg::Text(&event_id),
                Arg::Text(kind.as_str()),
                Arg::Text(&payload),
                Arg::Int(now),
            ],
        )?);
    }
    db.batch(statements).await?;
    wake(env, ws).await
}

/// [`emit`] off the response path.
pub(crate) fn emit_later(
    env: &Env,
    ctx: &Context,
    ws: &str,
    environment: Environment,
    kind: Event,
    data: &impl Serialize,
) {
    let (env, ws) = (env.clone(), ws.to_owned());
    let data = match serde_json::to_value(data) {
        Ok(v) => v,
        Err(e) => {
            worker::console_error!("webhook event {} not serialised: {e}", kind.as_str());
            return;
        }
    };
    ctx.wait_until(async move {
        if let Err(e) = emit(&env, &ws, environment, kind, data).await {
            worker::console_error!(
                "webhook event {} of {ws} not recorded: {}",
                kind.as_str(),
                e.error.message
            );
        }
    });
}

/// Asks the workspace's dispatcher to deliver what is due.
pub(crate) async fn wake(env: &Env, ws: &str) -> Result<(), Failure> {
    let stub = env.durable_object(BINDING)?.get_by_name(ws)?;
    let mut init = RequestInit::new();
    // A 3xx is a failed attempt: a public URL must not bounce a delivery elsewhere.
    init.with_method(Method::Post)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(JsValue::from_str(ws)));
    let req = Request::new_with_init("https://webhooks.internal/wake", &init)?;
    let resp = stub.fetch_with_request(req).await?;
    if resp.status_code() != 200 {
        worker::console_error!("webhook dispatcher of {ws} answered {}", resp.status_code());
    }
    Ok(())
}

/// The per-workspace delivery scheduler.
#[durable_object]
pub struct WebhookDispatcher {
    state: State,
    env: Env,
    running: Cell<bool>,
    again: Cell<bool>,
}

impl DurableObject for WebhookDispatcher {
    fn new(state: State, env: Env) -> Self {
        WebhookDispatcher {
            state,
            env,
            running: Cell::new(false),
            again: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let ws = req.text().await?;
        if !tally_core::ids::is_workspace_id(&ws) {
            return Response::error("bad workspace id", 400);
        }
        self.state.storage().put("workspace_id", &ws).await?;
        self.run(&ws).await;
        Response::ok("ok")
    }

    async fn alarm(&self) -> worker::Result<Response> {
        let ws: Option<String> = self.state.storage().get("workspace_id").await?;
        if let Some(ws) = ws {
            self.run(&ws).await;
        }
        Response::ok("ok")
    }
}

#[derive(Deserialize)]
struct DueRow {
    id: String,
    endpoint_id: String,
    event_id: String,
    payload: String,
    attempts: i64,
    url: String,
    secret: String,
}

#[derive(Deserialize)]
struct NextRow {
    next: Option<i64>,
}

impl WebhookDispatcher {
    /// Delivers until nothing is due, then sets the alarm for the next retry. A wake-up
    /// while a run is in progress asks that run to look once more instead of racing it.
    async fn run(&self, ws: &str) {
        if self.running.replace(true) {
            self.again.set(true);
            return;
        }
        loop {
            self.again.set(false);
            let more = match deliver_due(&self.env, ws).await {
                Ok(n) => n >= BATCH,
                Err(e) => {
                    worker::console_error!("webhook deliveries of {ws}: {}", e.error.message);
                    false
                }
            };
            if !more && !self.again.get() {
                break;
            }
        }
        self.running.set(false);
        if let Err(e) = self.schedule(ws).await {
            worker::console_error!("webhook alarm of {ws} not set: {}", e.error.message);
        }
    }

    async fn schedule(&self, ws: &str) -> Result<(), Failure> {
        let db = store::db(&self.env)?;
        let row: Option<NextRow> = store::first(
            &db,
            "SELECT MIN(next_attempt_at) AS next FROM webhook_deliveries WHERE workspace_id = ?1 AND status = 'pending'",
            &[Arg::Text(ws)],
        ).await?;
        if let Some(next) = row.and_then(|r| r.next) {
            let offset = (next - store::now_ms()).max(0);
            self.state.storage().set_alarm(offset).await?;
        }
        Ok(())
    }
}

/// One pass: attempts up to [`BATCH`] due deliveries, oldest first. Returns how many.
async fn deliver_due(env: &Env, ws: &str) -> Result<i64, Failure> {
    let db = store::db(env)?;
    let now = store::now_ms();
    let due: Vec<DueRow> = store::all(
        &db,
        "SELECT d.id, d.endpoint_id, d.event_id, d.payload, d.attempts, e.url, e.secret FROM webhook_deliveries d \
         JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE d.workspace_id = ?1 AND d.status = 'pending' AND d.next_attempt_at <= ?2 \
         ORDER BY d.next_attempt_at LIMIT ?3",
        &[Arg::Text(ws), Arg::Int(now), Arg::Int(BATCH)],
    )
    .await?;
    let n = due.len() as i64;
    for d in due {
        let attempt = d.attempts + 1;
        let started = store::now_ms();
        let purpose = Purpose::WebhookSecret {
            endpoint_id: &d.endpoint_id,
        };
        let outcome = match sealing::open(env, purpose, &d.secret).await {
            Ok(secret) => attempt_delivery(&d, &secret).await,
            Err(_) => Err("the endpoint's signing secret could not be opened".to_owned()),
        };
        let finished = store::now_ms();
        let (code, error) = match &outcome {
            Ok(code) => (Some(i64::from(*code)), None),
            Err(e) => (None, Some(e.clone())),
        };
        let ok = matches!(outcome, Ok(c) if (200..300).contains(&c));
        let (status, next): (&str, Option<UnixMillis>) = if ok {
            ("succeeded", None)
        } else {
            match webhook::retry_delay_seconds(attempt) {
                Some(delay) if attempt < MAX_ATTEMPTS => ("pending", Some(finished + delay * 1000)),
                _ => ("failed", None),
            }
        };
        let error_text = error
            .as_deref()
            .or(if ok { None } else { Some("non-2xx answer") });
        db.batch(vec![
            store::stmt(
                &db,
                "UPDATE webhook_deliveries SET attempts = ?2, status = ?3, next_attempt_at = ?4, last_status_code = ?5, last_error = ?6, updated_at = ?7 WHERE id = ?1",
                &[
                    Arg::Text(&d.id),
                    Arg::Int(attempt),
                    Arg::Text(status),
                    next.into(),
                    code.into(),
                    error_text.into(),
                    Arg::Int(finished),
                ],
            )?,
            store::stmt(
                &db,
                "INSERT INTO webhook_attempts (delivery_id, attempt, status_code, error, duration_ms, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[
                    Arg::Text(&d.id),
                    Arg::Int(attempt),
                    code.into(),
                    error.as_deref().into(),
                    Arg::Int(finished - started),
                    Arg::Int(finished),
                ],
            )?,
        ])
        .await?;
    }
    Ok(n)
}

/// POSTs one signed delivery; the receiver's status code, or why there was none. Signed
/// twice from the one secret: `Tally-Signature` (Stripe's scheme, keyed by the whole secret
/// string) and the Standard Webhooks headers (keyed by the decoded secret), so receivers
/// verify with a library they already have.
async fn attempt_delivery(d: &DueRow, secret: &[u8]) -> Result<u16, String> {
    let t = store::now_ms() / 1000;
    let payload = d.payload.as_str();
    let headers = Headers::new();
    let set = |k: &str, v: &str| headers.set(k, v).map_err(|e| e.to_string());
    set("Content-Type", "application/json")?;
    set("User-Agent", "Tally-Webhooks/1")?;
    set(
        SIGNATURE_HEADER,
        &webhook::sign(secret, t, payload.as_bytes()),
    )?;
    set("Tally-Delivery-Id", &d.id)?;
    set(webhook::STANDARD_ID_HEADER, &d.event_id)?;
    set(webhook::STANDARD_TIMESTAMP_HEADER, &t.to_string())?;
    let standard = std::str::from_utf8(secret)
        .ok()
        .and_then(|s| webhook::standard_signature(s, &d.event_id, t, payload.as_bytes()))
        .ok_or("the endpoint's signing secret is not a whsec_ secret")?;
    set(webhook::STANDARD_SIGNATURE_HEADER, &standard)?;
    let mut init = RequestInit::new();
    // A 3xx is a failed attempt: a public URL must not bounce a delivery elsewhere.
    init.with_method(Method::Post)
        .with_redirect(RequestRedirect::Manual)
        .with_headers(headers)
        .with_body(Some(JsValue::from_str(payload)));
    let req = Request::new_with_init(&d.url, &init).map_err(|e| e.to_string())?;
    let signal = AbortSignal::from(worker::web_sys::AbortSignal::timeout_with_u32(
        ATTEMPT_TIMEOUT_MS,
    ));
    match Fetch::Request(req).send_with_signal(&signal).await {
        Ok(resp) => Ok(resp.status_code()),
        Err(e) => Err(format!("no answer: {e}").chars().take(300).collect()),
    }
}

/// Days ahead `api_key.expiring` looks.
const EXPIRING_WINDOW_MS: i64 = 7 * 86_400_000;

/// `api_key.expiring`, once per key, for keys that expire within 7 days (rolled keys
/// excepted: their end is the overlap someone chose). Run by the hourly cron.
pub(crate) async fn announce_expiring_keys(env: &Env) {
    if let Err(e) = announce(env).await {
        worker::console_error!("api_key.expiring scan failed: {}", e.error.message);
    }
}

async fn announce(env: &Env) -> Result<(), Failure> {
    let now = store::now_ms();
    for k in crate::keys::claim_expiring(env, now, EXPIRING_WINDOW_MS).await? {
        emit(
            env,
            &k.workspace_id,
            k.env,
            Event::ApiKeyExpiring,
            serde_json::to_value(&k.data)?,
        )
        .await?;
    }
    Ok(())
}
