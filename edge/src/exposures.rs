//! Exposure records: a write-capable key seen in a browser, or a secret key in a URL.
//!
//! Recorded before the refusal is answered (the error path is not the hot path), one row
//! per key, kind, origin, ip and user agent with a count and first/last seen, so a leaked
//! key hammered from one page is one row, not a million.

use tally_core::time::UnixMillis;
use tally_core::verifier::ExposureKind;
use worker::Env;

use crate::error::Failure;
use crate::rng;
use crate::store::{self, Arg};

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
