//! Exposure records: a write-capable key seen in a browser, or a secret key in a URL.
//!
//! Recorded before the refusal is answered (the error path is not the hot path), one row
//! per key, kind, origin, ip and user agent with a count and first/last seen, so a leaked
//! key hammered from one page is one row, not a million.

use tally_core::key::KeyHash;
use tally_core::stats::Metric;
use tally_core::time::UnixMillis;
use tally_core::verifier::{self, Denial, ExposureKind};
use tally_core::webhook::Event;
use tally_core::wire::{ApiKeyEvent, ApiKeyExposed};
use worker::{Context, Env};

use crate::error::Failure;
use crate::keys::{self, KeyContext};
use crate::store::{self, Arg};
use crate::{logs, rng, webhooks};

/// Who used the key, as far as the request tells.
pub(crate) struct Witness<'a> {
    pub(crate) origin: Option<&'a str>,
    pub(crate) ip: Option<&'a str>,
    pub(crate) user_agent: Option<&'a str>,
    pub(crate) route: &'a str,
}

fn clip(s: Option<&str>, max: usize) -> &str {
    let s = s.unwrap_or("");
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// A refusal, and the key it was about (workspace id, key id) when it is on file.
pub(crate) struct Refusal {
    pub(crate) failure: Failure,
    pub(crate) key: Option<(String, String)>,
}

/// Turns a denial into a failure. An exposure of a key on file is recorded first, the key
/// revoked if its workspace chose `alert_and_revoke`, and `api_key.exposed` (and
/// `api_key.revoked`) announced off the response path.
pub(crate) async fn refuse(
    env: &Env,
    ctx: &Context,
    denial: Denial,
    hash: Option<KeyHash>,
    known: Option<&KeyContext>,
    witness: &Witness<'_>,
) -> Refusal {
    let Some(kind) = denial.exposure else {
        return Refusal {
            failure: denial.error.into(),
            key: None,
        };
    };
    let context = match (known, hash) {
        (Some(c), _) => Some(c.clone()),
        (None, Some(h)) => keys::lookup(env, &h)
            .await
            .ok()
            .flatten()
            .map(|c| (*c).clone()),
        (None, None) => None,
    };
    let Some(c) = context else {
        return Refusal {
            failure: denial.error.into(),
            key: None,
        };
    };
    let (ws, id) = (&c.record.workspace_id, &c.record.id);
    let now = store::now_ms();
    logs::count(ws, Metric::Exposures, 1);
    if let Err(e) = record(env, ws, id, kind, witness, now).await {
        worker::console_error!("exposure of {id} not recorded: {}", e.error.message);
    }
    let revoke = verifier::revokes_on_exposure(&denial, &c.record);
    let newly_revoked = revoke && c.record.revoked_at.is_none();
    if revoke {
        if let Err(e) = keys::revoke(env, id, now).await {
            worker::console_error!("exposed key {id} not revoked: {}", e.error.message);
        }
    }
    let event = ApiKeyExposed {
        key_id: id.clone(),
        kind: kind.as_str().to_owned(),
        origin: witness.origin.map(str::to_owned),
        ip: witness.ip.map(str::to_owned),
        user_agent: witness.user_agent.map(str::to_owned),
        route: witness.route.to_owned(),
        revoked: revoke,
    };
    // Announced off the response path: the refusal never waits for a webhook.
    webhooks::emit_later(env, ctx, ws, c.record.env, Event::ApiKeyExposed, &event);
    if newly_revoked {
        // The same shape as a revocation from the dashboard.
        match keys::get(env, ws, id).await.and_then(|row| row.view(now)) {
            Ok(key) => {
                let revoked = ApiKeyEvent {
                    key,
                    previous_key: None,
                    reason: Some("exposed".into()),
                };
                webhooks::emit_later(env, ctx, ws, c.record.env, Event::ApiKeyRevoked, &revoked);
            }
            Err(e) => worker::console_error!("revoked key {id} not announced: {}", e.error.message),
        }
    }
    worker::console_warn!(
        "exposure: key {id} of {ws} used {} ({}), revoked: {revoke}",
        kind.as_str(),
        witness.origin.unwrap_or("no origin")
    );
    Refusal {
        failure: denial.error.into(),
        key: Some((ws.clone(), id.clone())),
    }
}

/// Upserts the exposure row.
pub(crate) async fn record(
    env: &Env,
    workspace_id: &str,
    key_id: &str,
    kind: ExposureKind,
    w: &Witness<'_>,
    now: UnixMillis,
) -> Result<(), Failure> {
    let db = store::db(env)?;
    let id = rng::new_id("exp");
    store::stmt(
        &db,
        "INSERT INTO exposures (id, workspace_id, key_id, kind, origin, ip, user_agent, route, first_seen, last_seen, count) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 1) \
         ON CONFLICT (key_id, kind, origin, ip, user_agent) \
         DO UPDATE SET last_seen = excluded.last_seen, count = count + 1, route = excluded.route",
        &[
            Arg::Text(&id),
            Arg::Text(workspace_id),
            Arg::Text(key_id),
            Arg::Text(kind.as_str()),
            Arg::Text(clip(w.origin, 200)),
            Arg::Text(clip(w.ip, 64)),
            Arg::Text(clip(w.user_agent, 300)),
            Arg::Text(w.route),
            Arg::Int(now),
        ],
    )?
    .run()
    .await?;
    Ok(())
}
