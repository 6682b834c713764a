//! The `api_keys` table: its only owner. Every read and write of the table is here, with
//! its one row decoder and the isolate cache in front of the verifier's lookup, so a promise
//! like "a revoked key is refused from the next request on" holds because every write clears
//! the cache, not because each caller remembers to.
//!
//! The hot path (every authenticated request) must not pay a D1 round trip, so a key's
//! record is cached in the isolate for [`KEY_CACHE_TTL_MS`]. Writes here clear this
//! isolate's entry at once; other isolates see them within the TTL: a few seconds, by
//! design, never a minute. Known keys and unknown hashes live in two bounded LRU caches
//! (`tally_core::cache::Lru`): a flood of well-formed unknown keys (the checksum is public,
//! so anyone can mint them) evicts only other unknown hashes, never the keys in real use,
//! and each unknown hash costs one query per isolate per [`NEGATIVE_TTL_MS`].

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;

use tally_core::admin::{self, KeySettings};
use tally_core::cache::Lru;
use tally_core::key::{self, Environment, GeneratedKey, KeyHash, KeyKind};
use tally_core::programs::{CashbackProgram, CoinsProgram, Programs, Switch};
use tally_core::scope::{Access, ScopeSet};
use tally_core::time::{rfc3339, UnixMillis};
use tally_core::verifier::{ExposureAction, KeyRecord};
use tally_core::wire::{ApiKeyExpiring, ExpiringKey, KeyView, WalletReach};
use tally_core::{ApiError, ErrorCode};
use worker::{Context, Env};

use crate::error::Failure;
use crate::store::{self, Arg};

/// How long a key record is trusted without asking D1 again.
pub(crate) const KEY_CACHE_TTL_MS: UnixMillis = 3_000;
/// How long "no such key" is trusted: short, so a key just created elsewhere works at once.
pub(crate) const NEGATIVE_TTL_MS: UnixMillis = 1_000;
/// Entries per cache and isolate.
const CACHE_ENTRIES: usize = 10_000;
/// `last_used_at` is written at most this often per key and isolate.
const LAST_USED_EVERY_MS: UnixMillis = 60_000;

/// A key with the settings of its workspace that requests need.
#[derive(Debug, Clone)]
pub(crate) struct KeyContext {
    pub(crate) record: KeyRecord,
    pub(crate) workspace: WorkspaceSettings,
}

/// What the data plane reads from a workspace (and its programs in the key's environment).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WorkspaceSettings {
    pub(crate) coin_label: String,
    pub(crate) referral_url: String,
    pub(crate) referral_reward_coins: i64,
    pub(crate) referral_reward_text: String,
    coins_enabled: i64,
    stamps_enabled: i64,
    cashback_enabled: i64,
    currency: String,
    pub(crate) currency_locked: i64,
}

impl WorkspaceSettings {
    /// The programs the workspace runs in the key's environment.
    pub(crate) fn programs(&self) -> Programs {
        Programs {
            coins: CoinsProgram {
                enabled: self.coins_enabled != 0,
                label: self.coin_label.clone(),
            },
            stamps: Switch {
                enabled: self.stamps_enabled != 0,
            },
            cashback: CashbackProgram {
                enabled: self.cashback_enabled != 0,
                currency: self.currency.clone(),
            },
        }
    }
}

/// The program columns of a key lookup: a workspace with no `programs` row runs the
/// defaults (`tally_core::programs::Programs::default`).
pub(crate) const PROGRAM_COLUMNS: &str = "COALESCE(p.coins_enabled, 1) AS coins_enabled, \
     COALESCE(p.stamps_enabled, 0) AS stamps_enabled, \
     COALESCE(p.cashback_enabled, 0) AS cashback_enabled, \
     COALESCE(p.currency, 'EUR') AS currency, \
     CASE WHEN p.currency_locked_at IS NULL THEN 0 ELSE 1 END AS currency_locked";

thread_local! {
    static KNOWN: RefCell<Lru<KeyHash, Rc<KeyContext>>> = RefCell::new(Lru::new(CACHE_ENTRIES));
    static UNKNOWN: RefCell<Lru<KeyHash, ()>> = RefCell::new(Lru::new(CACHE_ENTRIES));
    static LAST_USED: RefCell<Lru<String, ()>> = RefCell::new(Lru::new(CACHE_ENTRIES));
}

/// A row of `api_keys`, as every query here selects it ([`COLUMNS`]).
#[derive(Deserialize, Clone)]
pub(crate) struct KeyRow {
    pub(crate) id: String,
    workspace_id: String,
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
    pub(crate) expires_at: Option<i64>,
    last_used_at: Option<i64>,
    pub(crate) revoked_at: Option<i64>,
    pub(crate) rolled_to: Option<String>,
}

const COLUMNS: &str =
    "k.id, k.workspace_id, k.environment, k.kind, k.last4, k.name, k.description, k.access, \
     k.scopes, k.allowed_origins, k.created_at, k.created_by, k.expires_at, k.last_used_at, \
     k.revoked_at, k.rolled_to";

fn corrupt(id: &str, what: &str) -> Failure {
    worker::console_error!("api_keys row {id} has an invalid {what}");
    ErrorCode::Internal.into()
}

impl KeyRow {
    pub(crate) fn env(&self) -> Result<Environment, Failure> {
        Environment::parse(&self.environment).ok_or_else(|| corrupt(&self.id, "environment"))
    }

    pub(crate) fn settings(&self) -> Result<KeySettings, Failure> {
        Ok(KeySettings {
            name: self.name.clone(),
            description: self.description.clone(),
            kind: KeyKind::parse(&self.kind).ok_or_else(|| corrupt(&self.id, "kind"))?,
            access: Access::parse(&self.access).ok_or_else(|| corrupt(&self.id, "access"))?,
            scopes: ScopeSet::parse_list(&self.scopes)
                .map_err(|_| corrupt(&self.id, "scope list"))?,
            allowed_origins: serde_json::from_str(&self.allowed_origins)
                .map_err(|_| corrupt(&self.id, "origin list"))?,
        })
    }

    fn record(&self, hash: KeyHash, exposure_action: &str) -> Result<KeyRecord, Failure> {
        let s = self.settings()?;
        Ok(KeyRecord {
            id: self.id.clone(),
            hash,
            workspace_id: self.workspace_id.clone(),
            env: self.env()?,
            kind: s.kind,
            scopes: s.scopes,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            allowed_origins: s.allowed_origins,
            exposure_action: ExposureAction::parse(exposure_action),
        })
    }

    /// The key object of the contract (plus `status`, `created_by`, `wallets`, `rolled_to`).
    pub(crate) fn view(&self, now: UnixMillis) -> Result<KeyView, Failure> {
        let s = self.settings()?;
        let env = self.env()?;
        Ok(KeyView {
            id: self.id.clone(),
            redacted: key::redact(env, s.kind, &self.last4),
            kind: s.kind.as_str().to_owned(),
            access: s.access.as_str().to_owned(),
            scopes: s.scopes.iter().map(|x| x.as_str().to_owned()).collect(),
            environment: env.as_str().to_owned(),
            created_at: rfc3339(self.created_at),
            created_by: self.created_by.clone(),
            last_used_at: self.last_used_at.map(rfc3339),
            expires_at: self.expires_at.map(rfc3339),
            revoked_at: self.revoked_at.map(rfc3339),
            status: admin::key_status(self.revoked_at, self.expires_at, now).to_owned(),
            write_capable: s.scopes.is_write_capable(),
            wallets: s
                .scopes
                .wallets()
                .iter()
                .map(|w| WalletReach {
                    wallet: w.as_str().to_owned(),
                    currency_type: w.currency_type().to_owned(),
                })
                .collect(),
            rolled_to: self.rolled_to.clone(),
            name: s.name,
            description: s.description,
            allowed_origins: s.allowed_origins,
        })
    }
}

#[derive(Deserialize)]
struct LookupRow {
    #[serde(flatten)]
    key: KeyRow,
    exposure_action: String,
    #[serde(flatten)]
    workspace: WorkspaceSettings,
}

/// The key stored under `hash`, from the isolate caches or D1.
pub(crate) async fn lookup(env: &Env, hash: &KeyHash) -> Result<Option<Rc<KeyContext>>, Failure> {
    let now = store::now_ms();
    if let Some(hit) = KNOWN.with(|c| c.borrow_mut().get(hash, now)) {
        return Ok(Some(hit));
    }
    if UNKNOWN.with(|c| c.borrow_mut().get(hash, now)).is_some() {
        return Ok(None);
    }
    let db = store::db(env)?;
    let row: Option<LookupRow> = store::first(
        &db,
        &format!(
            "SELECT {COLUMNS}, w.exposure_action, w.coin_label, w.referral_url, \
             w.referral_reward_coins, w.referral_reward_text, {PROGRAM_COLUMNS} \
             FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id \
             LEFT JOIN programs p ON p.workspace_id = k.workspace_id AND p.environment = k.environment \
             WHERE k.key_hash = ?1"
        ),
        &[Arg::Text(&hash.to_hex())],
    )
    .await?;
    match row {
        Some(row) => {
            let context = Rc::new(KeyContext {
                record: row.key.record(*hash, &row.exposure_action)?,
                workspace: row.workspace,
            });
            KNOWN.with(|c| {
                c.borrow_mut()
                    .put(*hash, context.clone(), now + KEY_CACHE_TTL_MS)
            });
            Ok(Some(context))
        }
        None => {
            UNKNOWN.with(|c| c.borrow_mut().put(*hash, (), now + NEGATIVE_TTL_MS));
            Ok(None)
        }
    }
}

/// Drops a key from this isolate's cache (other isolates follow within
/// [`KEY_CACHE_TTL_MS`]).
fn forget(key_id: &str) {
    KNOWN.with(|c| c.borrow_mut().retain(|_, k| k.record.id != key_id));
}

/// Drops every cached key: a workspace setting they carry changed.
pub(crate) fn forget_all() {
    KNOWN.with(|c| c.borrow_mut().retain(|_, _| false));
}

/// The workspace's keys, newest first.
pub(crate) async fn list(env: &Env, workspace_id: &str) -> Result<Vec<KeyRow>, Failure> {
    store::all(
        &store::db(env)?,
        &format!(
            "SELECT {COLUMNS} FROM api_keys k WHERE k.workspace_id = ?1 ORDER BY k.created_at DESC, k.id"
        ),
        &[Arg::Text(workspace_id)],
    )
    .await
}

/// One key of the workspace, or `key_not_found`.
pub(crate) async fn get(env: &Env, workspace_id: &str, id: &str) -> Result<KeyRow, Failure> {
    let row: Option<KeyRow> = store::first(
        &store::db(env)?,
        &format!("SELECT {COLUMNS} FROM api_keys k WHERE k.id = ?1 AND k.workspace_id = ?2"),
        &[Arg::Text(id), Arg::Text(workspace_id)],
    )
    .await?;
    row.ok_or_else(|| ErrorCode::KeyNotFound.into())
}

/// A key to insert: the generated secret's hash, never the secret.
pub(crate) struct NewKeyRow<'a> {
    pub(crate) id: &'a str,
    pub(crate) workspace_id: &'a str,
    pub(crate) env: Environment,
    pub(crate) generated: &'a GeneratedKey,
    pub(crate) settings: &'a KeySettings,
    pub(crate) expires_at: Option<UnixMillis>,
    pub(crate) created_at: UnixMillis,
    pub(crate) created_by: &'a str,
}

/// `INSERT … SELECT … WHERE <condition>`: the row is written only when `condition` (with
/// its own bindings from `?15` on) holds, in the same statement.
fn insert_stmt(
    db: &worker::D1Database,
    k: &NewKeyRow<'_>,
    condition: &str,
    extra: &[Arg<'_>],
) -> Result<worker::D1PreparedStatement, Failure> {
    let origins = serde_json::to_string(&k.settings.allowed_origins)?;
    let hash = k.generated.hash.to_hex();
    let scopes = k.settings.scopes.to_storage();
    let mut args = vec![
        Arg::Text(k.id),
        Arg::Text(k.workspace_id),
        Arg::Text(k.env.as_str()),
        Arg::Text(k.settings.kind.as_str()),
        Arg::Text(&hash),
        Arg::Text(&k.generated.last4),
        Arg::Text(&k.settings.name),
        Arg::Text(&k.settings.description),
        Arg::Text(k.settings.access.as_str()),
        Arg::Text(&scopes),
        Arg::Text(&origins),
        Arg::Int(k.created_at),
        Arg::Text(k.created_by),
        k.expires_at.into(),
    ];
    args.extend(extra.iter().copied());
    store::stmt(
        db,
        &format!(
            "INSERT INTO api_keys (id, workspace_id, environment, kind, key_hash, last4, name, \
             description, access, scopes, allowed_origins, created_at, created_by, expires_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14 WHERE {condition}"
        ),
        &args,
    )
}

/// Inserts a new key.
pub(crate) async fn insert(env: &Env, k: &NewKeyRow<'_>) -> Result<(), Failure> {
    let db = store::db(env)?;
    insert_stmt(&db, k, "1", &[])?.run().await?;
    // A hash cached as unknown in this isolate is known now.
    UNKNOWN.with(|c| c.borrow_mut().remove(&k.generated.hash));
    Ok(())
}

/// Replaces a key's editable settings.
pub(crate) async fn update_settings(
    env: &Env,
    id: &str,
    next: &KeySettings,
) -> Result<(), Failure> {
    let db = store::db(env)?;
    store::stmt(
        &db,
        "UPDATE api_keys SET name = ?2, description = ?3, access = ?4, scopes = ?5, allowed_origins = ?6 WHERE id = ?1",
        &[
            Arg::Text(id),
            Arg::Text(&next.name),
            Arg::Text(&next.description),
            Arg::Text(next.access.as_str()),
            Arg::Text(&next.scopes.to_storage()),
            Arg::Text(&serde_json::to_string(&next.allowed_origins)?),
        ],
    )?
    .run()
    .await?;
    forget(id);
    Ok(())
}

/// Rolls `old` into `successor` in one transaction: the successor is written and the old
/// key given `rolled_to` and its overlap's end only while the old key is neither rolled nor
/// revoked, so two rolls of one key (retried, raced) never make two live successors. The
/// loser gets 409 `key_already_rolled` naming the successor.
pub(crate) async fn roll(
    env: &Env,
    old: &KeyRow,
    successor: &NewKeyRow<'_>,
    old_until: UnixMillis,
) -> Result<(), Failure> {
    let db = store::db(env)?;
    let still_live =
        "EXISTS (SELECT 1 FROM api_keys WHERE id = ?15 AND rolled_to IS NULL AND revoked_at IS NULL)";
    let results = db
        .batch(vec![
            insert_stmt(&db, successor, still_live, &[Arg::Text(&old.id)])?,
            store::stmt(
                &db,
                "UPDATE api_keys SET expires_at = MIN(COALESCE(expires_at, ?2), ?2), rolled_to = ?3 \
                 WHERE id = ?1 AND rolled_to IS NULL AND revoked_at IS NULL",
                &[Arg::Text(&old.id), Arg::Int(old_until), Arg::Text(successor.id)],
            )?,
        ])
        .await?;
    forget(&old.id);
    let inserted = results
        .first()
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0);
    if inserted == 1 {
        return Ok(());
    }
    let now = get(env, &old.workspace_id, &old.id).await?;
    Err(match now.rolled_to {
        Some(next) => ApiError::with_message(
            ErrorCode::KeyAlreadyRolled,
            format!("This API key was already rolled to {next}; roll {next} instead."),
        )
        .into(),
        None => ErrorCode::KeyRevoked.into(),
    })
}

/// Revokes a key now. Answers whether this call revoked it (false: it already was).
pub(crate) async fn revoke(env: &Env, key_id: &str, now: UnixMillis) -> Result<bool, Failure> {
    let db = store::db(env)?;
    let changed = store::changes(
        &db,
        "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        &[Arg::Text(key_id), Arg::Int(now)],
    )
    .await?;
    forget(key_id);
    Ok(changed == 1)
}

/// Deletes a key of the workspace, irreversibly.
pub(crate) async fn delete(env: &Env, workspace_id: &str, key_id: &str) -> Result<(), Failure> {
    let db = store::db(env)?;
    store::stmt(
        &db,
        "DELETE FROM api_keys WHERE id = ?1 AND workspace_id = ?2",
        &[Arg::Text(key_id), Arg::Text(workspace_id)],
    )?
    .run()
    .await?;
    forget(key_id);
    Ok(())
}

/// Records `last_used_at` for a key, off the response path, at most once a minute per key
/// and isolate.
pub(crate) fn touch(key_id: &str, now: UnixMillis, env: &Env, ctx: &Context) {
    let due = LAST_USED.with(|c| {
        let mut c = c.borrow_mut();
        let key = key_id.to_owned();
        if c.get(&key, now).is_some() {
            false
        } else {
            c.put(key, (), now + LAST_USED_EVERY_MS);
            true
        }
    });
    if !due {
        return;
    }
    let env = env.clone();
    let key_id = key_id.to_owned();
    ctx.wait_until(async move {
        let result = async {
            let db = store::db(&env)?;
            store::stmt(
                &db,
                "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1",
                &[Arg::Text(&key_id), Arg::Int(now)],
            )?
            .run()
            .await?;
            Ok::<(), Failure>(())
        }
        .await;
        if let Err(e) = result {
            worker::console_error!("last_used_at not written: {}", e.error.message);
        }
    });
}

/// A key about to expire, claimed for one `api_key.expiring` announcement.
pub(crate) struct Expiring {
    pub(crate) workspace_id: String,
    pub(crate) env: Environment,
    pub(crate) data: ApiKeyExpiring,
}

/// Keys that expire within `window_ms` and were never announced (rolled keys excepted:
/// their end is the overlap someone chose), each claimed once across isolates.
pub(crate) async fn claim_expiring(
    env: &Env,
    now: UnixMillis,
    window_ms: UnixMillis,
) -> Result<Vec<Expiring>, Failure> {
    let db = store::db(env)?;
    let rows: Vec<KeyRow> = store::all(
        &db,
        &format!(
            "SELECT {COLUMNS} FROM api_keys k \
             WHERE k.revoked_at IS NULL AND k.rolled_to IS NULL AND k.expiring_notified_at IS NULL \
             AND k.expires_at > ?1 AND k.expires_at <= ?2 LIMIT 500"
        ),
        &[Arg::Int(now), Arg::Int(now + window_ms)],
    )
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let claimed = store::changes(
            &db,
            "UPDATE api_keys SET expiring_notified_at = ?2 WHERE id = ?1 AND expiring_notified_at IS NULL",
            &[Arg::Text(&r.id), Arg::Int(now)],
        )
        .await?;
        let (Ok(environment), Ok(settings)) = (r.env(), r.settings()) else {
            continue;
        };
        if claimed != 1 {
            continue;
        }
        out.push(Expiring {
            workspace_id: r.workspace_id.clone(),
            env: environment,
            data: ApiKeyExpiring {
                key: ExpiringKey {
                    id: r.id.clone(),
                    name: settings.name,
                    redacted: key::redact(environment, settings.kind, &r.last4),
                    expires_at: r.expires_at.map(rfc3339),
                },
            },
        });
    }
    Ok(out)
}
