//! What a workspace defines for its programs, in D1: the program switches, stamp cards and
//! rewards; and the customers index that lists shoppers across wallets. The only owner of
//! the `programs`, `cards`, `rewards` and `customers` tables.
//!
//! Stamp writes and reads need their card's rule on every request, so a workspace's cards
//! are cached per isolate for [`CARD_CACHE_TTL_MS`], like keys: a change made here clears
//! this isolate's entry at once, other isolates follow within the TTL.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use tally_core::cache::Lru;
use tally_core::key::Environment;
use tally_core::programs::{Program, Programs};
use tally_core::stamps::{Card, CardSpec};
use tally_core::time::{rfc3339, UnixMillis};
use tally_core::wire::{Customer, Reward, RewardSpec};
use tally_core::ErrorCode;
use worker::{Context, Env};

use crate::error::Failure;
use crate::keys;
use crate::store::{self, Arg};

/// How long a workspace's cards are trusted without asking D1 again.
const CARD_CACHE_TTL_MS: UnixMillis = 3_000;
/// The most cards and the most rewards one workspace environment may define.
pub(crate) const MAX_CARDS: usize = 50;
pub(crate) const MAX_REWARDS: usize = 200;

thread_local! {
    static CARDS: RefCell<Lru<String, Rc<Vec<Card>>>> = RefCell::new(Lru::new(1_000));
}

fn cache_key(ws: &str, environment: Environment) -> String {
    format!("{ws}:{}", environment.as_str())
}

#[derive(Deserialize)]
struct CardRow {
    id: String,
    name: String,
    required: u32,
    reward: String,
    stamp_expiry_days: Option<u32>,
    active: i64,
    created_at: i64,
}

impl From<CardRow> for Card {
    fn from(r: CardRow) -> Card {
        Card {
            id: r.id,
            name: r.name,
            required: r.required,
            reward: r.reward,
            stamp_expiry_days: r.stamp_expiry_days,
            active: r.active != 0,
            created_at: rfc3339(r.created_at),
        }
    }
}

/// Every card of the workspace environment, oldest first (cached).
pub(crate) async fn cards(
    env: &Env,
    ws: &str,
    environment: Environment,
) -> Result<Rc<Vec<Card>>, Failure> {
    let key = cache_key(ws, environment);
    let now = store::now_ms();
    if let Some(hit) = CARDS.with(|c| c.borrow_mut().get(&key, now)) {
        return Ok(hit);
    }
    let rows: Vec<CardRow> = store::all(
        &store::db(env)?,
        "SELECT id, name, required, reward, stamp_expiry_days, active, created_at FROM cards \
         WHERE workspace_id = ?1 AND environment = ?2 ORDER BY created_at, id",
        &[Arg::Text(ws), Arg::Text(environment.as_str())],
    )
    .await?;
    let cards = Rc::new(rows.into_iter().map(Card::from).collect::<Vec<_>>());
    CARDS.with(|c| {
        c.borrow_mut()
            .put(key, cards.clone(), now + CARD_CACHE_TTL_MS)
    });
    Ok(cards)
}

/// One card, or `card_not_found`.
pub(crate) async fn card(
    env: &Env,
    ws: &str,
    environment: Environment,
    id: &str,
) -> Result<Card, Failure> {
    cards(env, ws, environment)
        .await?
        .iter()
        .find(|c| c.id == id)
        .cloned()
        .ok_or_else(|| ErrorCode::CardNotFound.into())
}

/// Creates a card (at most [`MAX_CARDS`] per workspace environment) or replaces one's
/// definition. Stamps already on shoppers' cards stay: a card whose `required` drops below a
/// shopper's count can be redeemed at once.
pub(crate) async fn put_card(
    env: &Env,
    ws: &str,
    environment: Environment,
    id: &str,
    spec: &CardSpec,
    now: UnixMillis,
    create: bool,
) -> Result<Card, Failure> {
    let sql = if create {
        "INSERT INTO cards (id, workspace_id, environment, name, required, reward, stamp_expiry_days, active, created_at, updated_at) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9 \
         WHERE (SELECT COUNT(*) FROM cards WHERE workspace_id = ?2 AND environment = ?3) < ?10"
    } else {
        "UPDATE cards SET name = ?4, required = ?5, reward = ?6, stamp_expiry_days = ?7, active = ?8, updated_at = ?9 \
         WHERE id = ?1 AND workspace_id = ?2 AND environment = ?3 AND ?10 > 0"
    };
    let written = store::changes(
        &store::db(env)?,
        sql,
        &[
            Arg::Text(id),
            Arg::Text(ws),
            Arg::Text(environment.as_str()),
            Arg::Text(&spec.name),
            Arg::Int(i64::from(spec.required)),
            Arg::Text(&spec.reward),
            spec.stamp_expiry_days.map(i64::from).into(),
            Arg::Int(i64::from(spec.active)),
            Arg::Int(now),
            Arg::Int(MAX_CARDS as i64),
        ],
    )
    .await?;
    match (written, create) {
        (0, true) => Err(crate::admin::invalid(&format!(
            "A workspace has at most {MAX_CARDS} stamp cards per environment."
        ))),
        (0, false) => Err(ErrorCode::CardNotFound.into()),
        _ => {
            forget(ws, environment);
            card(env, ws, environment, id).await
        }
    }
}

/// Drops this isolate's cached cards of a workspace environment.
fn forget(ws: &str, environment: Environment) {
    let key = cache_key(ws, environment);
    CARDS.with(|c| c.borrow_mut().remove(&key));
}

#[derive(Deserialize)]
struct RewardRow {
    id: String,
    name: String,
    description: Option<String>,
    program: String,
    cost: i64,
    card_id: Option<String>,
    active: i64,
    created_at: i64,
}

impl RewardRow {
    fn reward(self) -> Result<Reward, Failure> {
        Ok(Reward {
            program: Program::parse(&self.program).ok_or_else(|| {
                worker::console_error!("reward {} has an invalid program", self.id);
                Failure::from(ErrorCode::Internal)
            })?,
            id: self.id,
            name: self.name,
            description: self.description,
            cost: self.cost,
            card_id: self.card_id,
            active: self.active != 0,
            created_at: rfc3339(self.created_at),
        })
    }
}

const REWARD_COLUMNS: &str = "id, name, description, program, cost, card_id, active, created_at";

/// Every reward of the workspace environment, oldest first.
pub(crate) async fn rewards(
    env: &Env,
    ws: &str,
    environment: Environment,
) -> Result<Vec<Reward>, Failure> {
    let rows: Vec<RewardRow> = store::all(
        &store::db(env)?,
        &format!(
            "SELECT {REWARD_COLUMNS} FROM rewards WHERE workspace_id = ?1 AND environment = ?2 \
             ORDER BY created_at, id"
        ),
        &[Arg::Text(ws), Arg::Text(environment.as_str())],
    )
    .await?;
    rows.into_iter().map(RewardRow::reward).collect()
}

/// Creates or replaces a reward; a reward in stamps names one of the workspace's cards.
pub(crate) async fn put_reward(
    env: &Env,
    ws: &str,
    environment: Environment,
    id: &str,
    spec: &RewardSpec,
    now: UnixMillis,
    create: bool,
) -> Result<Reward, Failure> {
    if let Some(card_id) = &spec.card_id {
        card(env, ws, environment, card_id).await?;
    }
    let db = store::db(env)?;
    let args = [
        Arg::Text(id),
        Arg::Text(ws),
        Arg::Text(environment.as_str()),
        Arg::Text(&spec.name),
        spec.description.as_deref().into(),
        Arg::Text(spec.program.as_str()),
        Arg::Int(spec.cost),
        spec.card_id.as_deref().into(),
        Arg::Int(i64::from(spec.active)),
        Arg::Int(now),
        Arg::Int(MAX_REWARDS as i64),
    ];
    let written = if create {
        store::changes(
            &db,
            "INSERT INTO rewards (id, workspace_id, environment, name, description, program, cost, card_id, active, created_at, updated_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10 \
             WHERE (SELECT COUNT(*) FROM rewards WHERE workspace_id = ?2 AND environment = ?3) < ?11",
            &args,
        )
        .await?
    } else {
        store::changes(
            &db,
            "UPDATE rewards SET name = ?4, description = ?5, program = ?6, cost = ?7, card_id = ?8, active = ?9, updated_at = ?10 \
             WHERE id = ?1 AND workspace_id = ?2 AND environment = ?3 AND ?11 > 0",
            &args,
        )
        .await?
    };
    match (written, create) {
        (0, true) => Err(crate::admin::invalid(&format!(
            "A workspace has at most {MAX_REWARDS} rewards per environment."
        ))),
        (0, false) => Err(ErrorCode::RewardNotFound.into()),
        _ => rewards(env, ws, environment)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| ErrorCode::Internal.into()),
    }
}

/// Writes the program switches; the currency cannot change once cashback was paid in it.
pub(crate) async fn put_programs(
    env: &Env,
    ws: &str,
    environment: Environment,
    p: &Programs,
    now: UnixMillis,
) -> Result<(), Failure> {
    let db = store::db(env)?;
    let changed = store::changes(
        &db,
        "INSERT INTO programs (workspace_id, environment, coins_enabled, stamps_enabled, cashback_enabled, currency, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT (workspace_id, environment) DO UPDATE SET coins_enabled = excluded.coins_enabled, \
           stamps_enabled = excluded.stamps_enabled, cashback_enabled = excluded.cashback_enabled, \
           currency = excluded.currency, updated_at = excluded.updated_at \
         WHERE programs.currency_locked_at IS NULL OR programs.currency = excluded.currency",
        &[
            Arg::Text(ws),
            Arg::Text(environment.as_str()),
            Arg::Int(i64::from(p.coins.enabled)),
            Arg::Int(i64::from(p.stamps.enabled)),
            Arg::Int(i64::from(p.cashback.enabled)),
            Arg::Text(&p.cashback.currency),
            Arg::Int(now),
        ],
    )
    .await?;
    if changed == 0 {
        return Err(crate::admin::invalid(
            "Cashback was already paid in this workspace's currency; it cannot change (amounts are never converted).",
        ));
    }
    store::stmt(
        &db,
        "UPDATE workspaces SET coin_label = ?2 WHERE id = ?1",
        &[Arg::Text(ws), Arg::Text(&p.coins.label)],
    )?
    .run()
    .await?;
    // Key records carry the programs in the isolate cache.
    keys::forget_all();
    Ok(())
}

/// Marks the currency as used, once: from the first cashback write on it cannot change.
pub(crate) fn lock_currency_later(env: &Env, ctx: &Context, ws: &str, environment: Environment) {
    let (env, ws) = (env.clone(), ws.to_owned());
    ctx.wait_until(async move {
        let result = async {
            store::stmt(
                &store::db(&env)?,
                "INSERT INTO programs (workspace_id, environment, cashback_enabled, updated_at, currency_locked_at) \
                 VALUES (?1, ?2, 1, ?3, ?3) \
                 ON CONFLICT (workspace_id, environment) DO UPDATE SET currency_locked_at = COALESCE(programs.currency_locked_at, excluded.currency_locked_at)",
                &[Arg::Text(&ws), Arg::Text(environment.as_str()), Arg::Int(store::now_ms())],
            )?
            .run()
            .await?;
            Ok::<(), Failure>(())
        };
        if let Err(e) = result.await {
            worker::console_error!("currency lock of {ws} not written: {}", e.error.message);
        }
    });
}

#[derive(Deserialize)]
struct CustomerRow {
    seq: i64,
    id: String,
    name: Option<String>,
    email: Option<String>,
    created_at: i64,
    updated_at: i64,
}

/// A page of the customers index, newest first: rows with `rowid < before`.
pub(crate) async fn list_customers(
    env: &Env,
    ws: &str,
    environment: Environment,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<Customer>, Option<i64>), Failure> {
    let rows: Vec<CustomerRow> = store::all(
        &store::db(env)?,
        "SELECT rowid AS seq, id, name, email, created_at, updated_at FROM customers \
         WHERE workspace_id = ?1 AND environment = ?2 AND rowid < ?3 ORDER BY rowid DESC LIMIT ?4",
        &[
            Arg::Text(ws),
            Arg::Text(environment.as_str()),
            Arg::Int(before.unwrap_or(i64::MAX)),
            Arg::Int(limit + 1),
        ],
    )
    .await?;
    let next = (rows.len() as i64 > limit)
        .then(|| rows.get(limit as usize - 1).map(|r| r.seq))
        .flatten();
    let data = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| Customer {
            id: r.id,
            name: r.name,
            email: r.email,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        })
        .collect();
    Ok((data, next))
}

/// Indexes a customer (new, or renamed) off the response path.
pub(crate) fn index_customer_later(
    env: &Env,
    ctx: &Context,
    ws: &str,
    environment: Environment,
    customer: &Customer,
) {
    let (env, ws, c) = (env.clone(), ws.to_owned(), customer.clone());
    ctx.wait_until(async move {
        let result = async {
            let created = tally_core::time::parse_rfc3339(&c.created_at).unwrap_or(0);
            let updated = tally_core::time::parse_rfc3339(&c.updated_at).unwrap_or(created);
            store::stmt(
                &store::db(&env)?,
                "INSERT INTO customers (workspace_id, environment, id, name, email, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (workspace_id, environment, id) DO UPDATE SET name = excluded.name, \
                   email = COALESCE(excluded.email, customers.email), updated_at = excluded.updated_at",
                &[
                    Arg::Text(&ws),
                    Arg::Text(environment.as_str()),
                    Arg::Text(&c.id),
                    c.name.as_deref().into(),
                    c.email.as_deref().into(),
                    Arg::Int(created),
                    Arg::Int(updated),
                ],
            )?
            .run()
            .await?;
            Ok::<(), Failure>(())
        };
        if let Err(e) = result.await {
            worker::console_error!("customer index of {ws} not written: {}", e.error.message);
        }
    });
}
