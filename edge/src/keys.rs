//! API keys in D1, behind a short-lived isolate cache.
//!
//! The hot path (every authenticated request) must not pay a D1 round trip, so a key's
//! record is cached in the isolate for [`KEY_CACHE_TTL_MS`]. Revoking invalidates this
//! isolate's cache at once; other isolates see it within the TTL — a few seconds, by
//! design, never a minute. Unknown hashes are cached too (negatively), so a flood of
//! well-formed but unknown keys costs one query per isolate per TTL.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use tally_core::key::{Environment, KeyHash, KeyKind};
use tally_core::scope::ScopeSet;
use tally_core::time::UnixMillis;
use tally_core::verifier::{ExposureAction, KeyRecord};
use worker::Env;

use crate::error::Failure;
use crate::store::{self, Arg, TtlCache};

/// How long a key record is trusted without asking D1 again.
pub(crate) const KEY_CACHE_TTL_MS: UnixMillis = 3_000;
/// `last_used_at` is written at most this often per key and isolate.
const LAST_USED_EVERY_MS: UnixMillis = 60_000;

/// A key with the settings of its workspace that requests need.
#[derive(Debug, Clone)]
pub(crate) struct KeyContext {
    pub(crate) record: KeyRecord,
    pub(crate) workspace: WorkspaceSettings,
}

/// What the data plane reads from a workspace.
#[derive(Debug, Clone)]
pub(crate) struct WorkspaceSettings {
    pub(crate) coin_label: String,
    pub(crate) referral_url: String,
    pub(crate) referral_reward_coins: i64,
    pub(crate) referral_reward_text: String,
}

type Entry = Option<Rc<KeyContext>>;

thread_local! {
    static CACHE: RefCell<TtlCache<KeyHash, Entry>> = RefCell::new(TtlCache::new(KEY_CACHE_TTL_MS, 10_000));
    static LAST_USED: RefCell<TtlCache<String, ()>> = RefCell::new(TtlCache::new(LAST_USED_EVERY_MS, 10_000));
}

#[derive(Deserialize)]
struct Row {
    id: String,
    workspace_id: String,
    environment: String,
    kind: String,
    scopes: String,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    allowed_origins: String,
    exposure_action: String,
    coin_label: String,
    referral_url: String,
    referral_reward_coins: i64,
    referral_reward_text: String,
}

const LOOKUP: &str =
    "SELECT k.id, k.workspace_id, k.environment, k.kind, k.scopes, k.expires_at, k.revoked_at, \
     k.allowed_origins, w.exposure_action, w.coin_label, w.referral_url, w.referral_reward_coins, \
     w.referral_reward_text \
     FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id WHERE k.key_hash = ?1";

/// The key stored under `hash`, from the isolate cache or D1.
pub(crate) async fn lookup(env: &Env, hash: &KeyHash) -> Result<Entry, Failure> {
    let now = store::now_ms();
    if let Some(hit) = CACHE.with(|c| c.borrow().get(hash, now)) {
        return Ok(hit);
    }
    let db = store::db(env)?;
    let hex = hash.to_hex();
    let row: Option<Row> = store::stmt(&db, LOOKUP, &[Arg::Text(&hex)])?
        .first(None)
        .await?;
    let entry = match row {
        Some(row) => Some(Rc::new(into_context(row, *hash)?)),
        None => None,
    };
    CACHE.with(|c| c.borrow_mut().put(*hash, entry.clone(), now));
    Ok(entry)
}

fn into_context(row: Row, hash: KeyHash) -> Result<KeyContext, Failure> {
    let corrupt = |what: &str| {
        worker::console_error!("api_keys row {} has an invalid {what}", row.id);
        Failure::from(tally_core::ErrorCode::Internal)
    };
    let env = Environment::parse(&row.environment).ok_or_else(|| corrupt("environment"))?;
    let kind = KeyKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?;
    let scopes = ScopeSet::parse_list(&row.scopes).map_err(|_| corrupt("scope list"))?;
    let allowed_origins: Vec<String> =
        serde_json::from_str(&row.allowed_origins).map_err(|_| corrupt("origin list"))?;
    Ok(KeyContext {
        record: KeyRecord {
            id: row.id.clone(),
            hash,
            workspace_id: row.workspace_id,
            env,
            kind,
            scopes,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            allowed_origins,
            exposure_action: ExposureAction::parse(&row.exposure_action),
        },
        workspace: WorkspaceSettings {
            coin_label: row.coin_label,
            referral_url: row.referral_url,
            referral_reward_coins: row.referral_reward_coins,
            referral_reward_text: row.referral_reward_text,
        },
    })
}

/// Revokes a key now and drops it from this isolate's cache.
pub(crate) async fn revoke(env: &Env, key_id: &str, now: UnixMillis) -> Result<(), Failure> {
    let db = store::db(env)?;
    store::stmt(
        &db,
        "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        &[Arg::Text(key_id), Arg::Int(now)],
    )?
    .run()
    .await?;
    CACHE.with(|c| {
        c.borrow_mut()
            .remove_where(|e| e.as_ref().is_some_and(|k| k.record.id == key_id))
    });
    Ok(())
}

/// Whether this request should write `last_used_at` (at most once a minute per isolate).
pub(crate) fn take_last_used_slot(key_id: &str, now: UnixMillis) -> bool {
    LAST_USED.with(|c| {
        let mut c = c.borrow_mut();
        if c.get(&key_id.to_owned(), now).is_some() {
            false
        } else {
            c.put(key_id.to_owned(), (), now);
            true
        }
    })
}

/// Drops a key from this isolate's cache after an admin change (other isolates follow
/// within [`KEY_CACHE_TTL_MS`]).
pub(crate) fn forget(key_id: &str) {
    CACHE.with(|c| {
        c.borrow_mut()
            .remove_where(|e| e.as_ref().is_some_and(|k| k.record.id == key_id))
    });
}

/// Drops every cached key (a workspace setting they carry changed).
pub(crate) fn forget_all() {
    CACHE.with(|c| c.borrow_mut().remove_where(|_| true));
}
