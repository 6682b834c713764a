//! Identity secrets (the HMAC keys customer tokens are signed with), per workspace and
//! environment, sealed in D1 ([`crate::sealing`]) and kept opened behind a short isolate
//! cache, as keys are.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use tally_core::key::Environment;
use tally_core::token::{IdentitySecret, Verified};
use worker::Env;

use crate::error::Failure;
use crate::keys::KEY_CACHE_TTL_MS;
use crate::sealing;
use crate::store::{self, Arg};
use tally_core::cache::Lru;
use tally_core::seal::Purpose;

type Secrets = Rc<Vec<IdentitySecret>>;

thread_local! {
    static CACHE: RefCell<Lru<(String, Environment), Secrets>> = RefCell::new(Lru::new(10_000));
    /// The customer tokens this isolate has verified (a few hundred bytes each): a shopper's
    /// next widget read with the same token skips the HMAC and the JSON. Each is answered
    /// only while the secret that verified it is among `secrets` (`tally_core::token`).
    pub(crate) static VERIFIED: RefCell<Verified> = RefCell::new(Verified::new(8_192));
}

#[derive(Deserialize)]
struct Row {
    kid: String,
    secret: String,
    retires_at: Option<i64>,
}

/// The live identity secrets of a workspace and environment, current first.
pub(crate) async fn secrets(
    env: &Env,
    workspace_id: &str,
    environment: Environment,
) -> Result<Secrets, Failure> {
    let now = store::now_ms();
    let cache_key = (workspace_id.to_owned(), environment);
    if let Some(hit) = CACHE.with(|c| c.borrow_mut().get(&cache_key, now)) {
        return Ok(hit);
    }
    let db = store::db(env)?;
    let rows: Vec<Row> = store::stmt(
        &db,
        "SELECT kid, secret, retires_at FROM identity_secrets \
         WHERE workspace_id = ?1 AND environment = ?2 AND (retires_at IS NULL OR retires_at > ?3) \
         ORDER BY retires_at IS NOT NULL, created_at DESC",
        &[
            Arg::Text(workspace_id),
            Arg::Text(environment.as_str()),
            Arg::Int(now / 1000),
        ],
    )?
    .all()
    .await?
    .results()?;
    let mut secrets: Vec<IdentitySecret> = Vec::with_capacity(rows.len());
    for r in rows {
        let purpose = Purpose::IdentitySecret {
            workspace_id,
            environment: environment.as_str(),
            kid: &r.kid,
        };
        // The HMAC key is the secret as the dashboard shows it, so any JWT library signs
        // with the string merchants copy.
        let shown = sealing::open_text(env, purpose, &r.secret).await?;
        secrets.push(IdentitySecret {
            kid: r.kid,
            secret: shown.into_bytes(),
            retires_at: r.retires_at,
        });
    }
    let secrets = Rc::new(secrets);
    CACHE.with(|c| {
        c.borrow_mut()
            .put(cache_key, secrets.clone(), now + KEY_CACHE_TTL_MS)
    });
    Ok(secrets)
}

/// Drops a workspace's cached secrets after a roll.
pub(crate) fn forget(workspace_id: &str, environment: Environment) {
    CACHE.with(|c| {
        c.borrow_mut()
            .remove(&(workspace_id.to_owned(), environment))
    });
}
