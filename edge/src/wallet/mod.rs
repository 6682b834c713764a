//! The coin ledger: one SQLite-backed Durable Object per shopper wallet
//! (`<workspace>:<env>:<customer>`).
//!
//! Why a Durable Object and not D1: a wallet's writes must be serialised (no overdraft under
//! concurrent debits) and idempotent. A Durable Object is a single-threaded actor with its
//! own transactional SQLite: each write below reads the balance, decides with
//! [`tally_core::ledger::plan`], and appends an entry with no `await` in between, so no
//! other request can interleave and the writes commit atomically. Shoppers are
//! independent, so throughput scales with the number of wallets (millions of objects,
//! each placed near its traffic), not with one database's write lock.
//!
//! Entries are append-only (triggers refuse UPDATE and DELETE); the balance is the
//! `balance_after` of the newest entry, which by construction is the sum of all entries.
//!
//! Read-your-writes (`tally_core::version`): the wallet's `version` increases once per
//! request that changed anything, in the same synchronous section as the change (so in the
//! same transaction), and every answer carries the version it reflects in
//! `X-Wallet-Version`. A replayed write changes nothing and answers the current version,
//! which is at least the one its first answer carried.

use std::cell::{Cell, RefCell};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tally_core::claims::Verdict;
use tally_core::key::Environment;
use tally_core::ledger::{self, Direction, Mutation, Plan, Prior};
use tally_core::stamps::{CardRule, StampWrite};
use tally_core::time::{rfc3339, UnixMillis};
use tally_core::wallet_schema;
use tally_core::wire::{Customer, LedgerEntry};
use tally_core::{ApiError, ErrorCode};
use worker::wasm_bindgen::JsValue;
use worker::{
    durable_object, DurableObject, Env, Method, Request, RequestInit, Response, SqlStorage,
    SqlStorageValue, State,
};

use crate::error::Failure;
use crate::respond;

mod programs;

pub(crate) use programs::{
    CardProgress, ClaimDecided, ClaimFiled, NewClaimRow, StampPage, Stamped,
};

/// The Durable Object binding's name in `wrangler.toml`.
const BINDING: &str = "WALLETS";

/// The header that carries the version an answer reflects.
const VERSION_HEADER: &str = "x-wallet-version";

/// A request to a wallet and the answer it gets: each operation is its own type, so a
/// caller cannot read one operation's answer as another's.
pub(crate) trait WalletRequest: Serialize {
    /// What the wallet answers.
    type Answer: Serialize + DeserializeOwned;
    /// Wraps the request for the wire.
    fn into_op(self) -> WalletOp;
}

macro_rules! wallet_ops {
    ($( $(#[doc = $doc:literal])* $op:ident -> $answer:ty { $($field:ident: $ty:ty),* $(,)? } )*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Debug, Serialize, Deserialize)]
            pub(crate) struct $op { $(pub(crate) $field: $ty,)* }

            impl WalletRequest for $op {
                type Answer = $answer;
                fn into_op(self) -> WalletOp {
                    WalletOp::$op(self)
                }
            }
        )*

        /// Every request, as it travels to the Durable Object: `{"view":{…}}`. Externally
        /// tagged: an internally tagged enum (`{"op":"view",…}`) buffers every request
        /// before it can pick the variant, which cost the Worker about 17 KB of code.
        #[derive(Debug, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub(crate) enum WalletOp {
            $( $op($op), )*
        }
    };
}

wallet_ops! {
    /// Profile, balances, stamp cards, referral code and count in one read.
    View -> WalletView { customer_id: String }
    /// Create or rename the customer; answers the profile.
    PutProfile -> Option<Customer> { customer_id: String, name: String, now: UnixMillis }
    /// Create the customer, or `customer_exists`.
    CreateProfile -> Customer {
        customer_id: String,
        name: String,
        email: Option<String>,
        now: UnixMillis,
    }
    /// Credit or debit coins or cashback, once per idempotency key.
    Mutate -> Mutated {
        customer_id: String,
        ledger: Ledger,
        idempotency_key: String,
        mutation: Mutation,
        entry_id: String,
        now: UnixMillis,
    }
    /// History of coins or cashback, newest first, entries with `seq < before`.
    Transactions -> History { customer_id: String, ledger: Ledger, before: Option<i64>, limit: i64 }
    /// Add stamps to a card or redeem it, once per idempotency key.
    Stamp -> Stamped {
        customer_id: String,
        idempotency_key: String,
        write: StampWrite,
        rule: CardRule,
        entry_id: String,
        expire_id: String,
        now: UnixMillis,
    }
    /// Stamp history, newest first, entries with `seq < before`.
    StampHistory -> StampPage { customer_id: String, before: Option<i64>, limit: i64 }
    /// File a claim, once per idempotency key.
    FileClaim -> ClaimFiled {
        customer_id: String,
        idempotency_key: String,
        claim: NewClaimRow,
        now: UnixMillis,
    }
    /// Approve or reject a claim; an approval credits in the same transaction.
    DecideClaim -> ClaimDecided {
        customer_id: String,
        claim_id: String,
        verdict: Verdict,
        reason: Option<String>,
        rule: Option<CardRule>,
        entry_id: String,
        expire_id: String,
        now: UnixMillis,
    }
    /// Remember the customer's referral code (first one wins); answers the code kept.
    SetReferralCode -> Option<String> { customer_id: String, code: String, now: UnixMillis }
    /// Count a referral and credit its reward, once per referee.
    RecordReferral -> ReferralRecorded {
        customer_id: String,
        referee_id: String,
        reward: i64,
        reason: String,
        entry_id: String,
        now: UnixMillis,
    }
}

/// The answer to `R`, serialised: the type checker holds each arm of the wallet's dispatch
/// to the answer type its request declares.
fn encode<R: WalletRequest>(answer: &R::Answer) -> Result<String, ApiError> {
    serde_json::to_string(answer).map_err(|e| {
        worker::console_error!("wallet answer not serialised: {e}");
        ApiError::new(ErrorCode::Internal)
    })
}

/// `View`'s answer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WalletView {
    pub(crate) customer: Option<Customer>,
    pub(crate) balance: i64,
    pub(crate) referral_code: Option<String>,
    pub(crate) referral_count: i64,
    /// Cashback, in minor units.
    pub(crate) cashback: i64,
    /// Each card the shopper has stamp entries on, as stored (lapses not applied).
    pub(crate) stamps: Vec<CardProgress>,
}

/// Which money ledger a write or a history is about: both are the same rules
/// (`tally_core::ledger`) over two tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Ledger {
    Coins,
    /// Cashback, in minor units of this currency (stored on each entry).
    Cashback(String),
}

impl Ledger {
    /// Its table.
    pub(crate) const fn table(&self) -> &'static str {
        match self {
            Ledger::Coins => "entries",
            Ledger::Cashback(_) => "cashback_entries",
        }
    }
}

/// `Mutate`'s answer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Mutated {
    pub(crate) balance: i64,
    pub(crate) entry: LedgerEntry,
    pub(crate) replayed: bool,
    /// The write met this shopper for the first time.
    pub(crate) new_customer: bool,
}

/// `Transactions`' answer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct History {
    pub(crate) entries: Vec<LedgerEntry>,
    pub(crate) next_before: Option<i64>,
}

/// `RecordReferral`'s answer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ReferralRecorded {
    pub(crate) count: i64,
    pub(crate) balance: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireError {
    code: String,
    message: String,
}

/// One shopper's wallet.
///
/// The object is the only writer of its storage, so while it stays in memory it keeps the
/// answers every widget read asks for: its version, and the last `View` it encoded until
/// any other request. A warm wallet answers a read without a single SQL statement.
#[durable_object]
pub struct Wallet {
    sql: SqlStorage,
    /// Whether the request being applied wrote anything (every write goes through `exec`
    /// or `ensure_profile`, which set it).
    wrote: Cell<bool>,
    /// The stored version, once read or written by this instance.
    version: Cell<Option<i64>>,
    /// `(customer id asked, encoded answer)` of the last `View`; dropped by any other
    /// request, whatever its outcome, before it runs.
    view: RefCell<Option<(String, String)>>,
}

impl DurableObject for Wallet {
    fn new(state: State, _env: Env) -> Self {
        let wallet = Wallet {
            sql: state.storage().sql(),
            wrote: Cell::new(false),
            version: Cell::new(None),
            view: RefCell::new(None),
        };
        // A wallet wakes on every read after an eviction: one statement when its schema is
        // current, instead of the dozen or so `IF NOT EXISTS` of the whole schema.
        if wallet.schema_version() < wallet_schema::VERSION {
            wallet.migrate();
        }
        wallet
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        // Parsed by serde_json from the text, not by `JSON.parse`: a JavaScript number would
        // turn an i64 beyond 2^53 (a cursor) into a float.
        let text = req.text().await?;
        let op: Result<WalletOp, _> = serde_json::from_str(&text);
        // Everything from here to the response is synchronous: one critical section.
        self.wrote.set(false);
        let result = match op {
            Ok(WalletOp::View(View { customer_id })) => self.cached_view(customer_id),
            Ok(op) => {
                self.view.take();
                self.apply(op)
            }
            Err(e) => {
                worker::console_error!("bad wallet request: {e}");
                Err(ApiError::new(ErrorCode::Internal))
            }
        };
        // Settled even when the request failed after a statement wrote, so the version
        // never stays behind the rows.
        let version = self.settle_version();
        let result = result.and_then(|text| Ok((text, version?)));
        Ok(match result {
            Ok((text, version)) => {
                let mut r = respond::json_text(200, text);
                r.headers_mut().set(VERSION_HEADER, &version.to_string())?;
                r
            }
            Err(e) => respond::json(
                e.status(),
                &WireError {
                    code: e.code.as_str().to_owned(),
                    message: e.message,
                },
                &[],
            ),
        })
    }
}

#[derive(Deserialize)]
struct EntryRow {
    seq: i64,
    id: String,
    direction: String,
    amount: i64,
    balance_after: i64,
    reason: Option<String>,
    idempotency_key: String,
    created_at: i64,
}

/// `Wallet::view`'s first statement: the profile's columns are null before the profile
/// exists.
#[derive(Deserialize)]
struct ViewRow {
    customer_id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    referral_code: Option<String>,
    created_at: Option<i64>,
    updated_at: Option<i64>,
    referral_count: i64,
    balance: i64,
    cashback: i64,
    version: i64,
}

#[derive(Deserialize)]
struct CountRow {
    n: i64,
}

const ENTRY_COLUMNS: &str =
    "seq, id, direction, amount, balance_after, reason, idempotency_key, created_at";

/// A wallet's storage as the schema upgrade sees it.
struct Schema<'a>(&'a Wallet);

impl wallet_schema::Storage for Schema<'_> {
    type Error = ApiError;

    fn run(&self, sql: &str) -> Result<(), ApiError> {
        self.0.exec(sql, vec![])
    }

    fn column_count(&self, table: &str, column: &str) -> Result<i64, ApiError> {
        let rows: Vec<CountRow> = self.0.rows(
            wallet_schema::COLUMN_COUNT,
            vec![table.into(), column.into()],
        )?;
        Ok(rows.first().map_or(0, |r| r.n))
    }

    fn record_version(&self, version: i64) -> Result<(), ApiError> {
        self.0
            .exec(wallet_schema::RECORD_VERSION, vec![version.into()])
    }
}

fn sql_err(e: worker::Error) -> ApiError {
    worker::console_error!("wallet storage: {e}");
    ApiError::new(ErrorCode::Internal)
}

impl Wallet {
    /// The version after this request: one more when it wrote, in the same synchronous
    /// section as its writes.
    fn settle_version(&self) -> Result<i64, ApiError> {
        let sql = if self.wrote.replace(false) {
            "INSERT INTO meta (id, version) VALUES (1, 1) \
             ON CONFLICT (id) DO UPDATE SET version = version + 1 RETURNING version AS n"
        } else if let Some(v) = self.version.get() {
            return Ok(v);
        } else {
            "SELECT COALESCE((SELECT version FROM meta WHERE id = 1), 0) AS n"
        };
        let rows: Vec<CountRow> = self.rows(sql, vec![])?;
        let v = rows
            .first()
            .map(|r| r.n)
            .ok_or_else(|| ApiError::new(ErrorCode::Internal))?;
        self.version.set(Some(v));
        Ok(v)
    }

    /// A `View`, from memory when nothing was asked of the wallet since the last one.
    fn cached_view(&self, customer_id: String) -> Result<String, ApiError> {
        if let Some((asked, text)) = &*self.view.borrow() {
            if *asked == customer_id {
                return Ok(text.clone());
            }
        }
        let text = encode::<View>(&self.view(&customer_id)?)?;
        *self.view.borrow_mut() = Some((customer_id, text.clone()));
        Ok(text)
    }

    fn apply(&self, op: WalletOp) -> Result<String, ApiError> {
        match op {
            WalletOp::View(View { customer_id }) => encode::<View>(&self.view(&customer_id)?),
            WalletOp::PutProfile(PutProfile {
                customer_id,
                name,
                now,
            }) => {
                self.ensure_profile(&customer_id, now)?;
                self.exec(
                    "UPDATE profile SET name = ?, updated_at = ? WHERE id = 1",
                    vec![name.into(), now.into()],
                )?;
                encode::<PutProfile>(&self.view(&customer_id)?.customer)
            }
            WalletOp::CreateProfile(CreateProfile {
                customer_id,
                name,
                email,
                now,
            }) => {
                if !self.ensure_profile(&customer_id, now)? {
                    return Err(ApiError::new(ErrorCode::CustomerExists));
                }
                self.exec(
                    "UPDATE profile SET name = ?, email = ? WHERE id = 1",
                    vec![name.into(), email.into()],
                )?;
                let customer = self.view(&customer_id)?.customer;
                encode::<CreateProfile>(
                    &customer.ok_or_else(|| ApiError::new(ErrorCode::Internal))?,
                )
            }
            WalletOp::Mutate(Mutate {
                customer_id,
                ledger,
                idempotency_key,
                mutation,
                entry_id,
                now,
            }) => encode::<Mutate>(&self.mutate(
                &ledger,
                &customer_id,
                &idempotency_key,
                &mutation,
                &entry_id,
                now,
            )?),
            WalletOp::Transactions(Transactions {
                customer_id,
                ledger,
                before,
                limit,
            }) => {
                let (rows, next_before) = self.page::<EntryRow>(
                    &format!(
                        "SELECT {ENTRY_COLUMNS} FROM {} WHERE seq < ? ORDER BY seq DESC LIMIT ?",
                        ledger.table()
                    ),
                    before,
                    limit,
                    |r| r.seq,
                )?;
                encode::<Transactions>(&History {
                    entries: rows.into_iter().map(|r| entry(&customer_id, r)).collect(),
                    next_before,
                })
            }
            WalletOp::Stamp(op) => encode::<Stamp>(&self.stamp(op)?),
            WalletOp::StampHistory(op) => encode::<StampHistory>(&self.stamp_history(op)?),
            WalletOp::FileClaim(op) => encode::<FileClaim>(&self.file_claim(op)?),
            WalletOp::DecideClaim(op) => encode::<DecideClaim>(&self.decide_claim(op)?),
            WalletOp::SetReferralCode(SetReferralCode {
                customer_id,
                code,
                now,
            }) => {
                self.ensure_profile(&customer_id, now)?;
                self.exec(
                    "UPDATE profile SET referral_code = ? WHERE id = 1 AND referral_code IS NULL",
                    vec![code.into()],
                )?;
                encode::<SetReferralCode>(&self.view(&customer_id)?.referral_code)
            }
            WalletOp::RecordReferral(RecordReferral {
                customer_id,
                referee_id,
                reward,
                reason,
                entry_id,
                now,
            }) => {
                let seen: Vec<CountRow> = self.rows(
                    "SELECT COUNT(*) AS n FROM referrals WHERE referee_id = ?",
                    vec![referee_id.clone().into()],
                )?;
                if seen.first().map_or(0, |r| r.n) == 0 {
                    if reward > 0 {
                        let m = Mutation {
                            direction: Direction::Credit,
                            amount: reward,
                            reason: Some(reason),
                        };
                        self.mutate(
                            &Ledger::Coins,
                            &customer_id,
                            &format!("referral:{referee_id}"),
                            &m,
                            &entry_id,
                            now,
                        )?;
                    }
                    self.ensure_profile(&customer_id, now)?;
                    self.exec(
                        "INSERT INTO referrals (referee_id, created_at) VALUES (?, ?)",
                        vec![referee_id.into(), now.into()],
                    )?;
                }
                let view = self.view(&customer_id)?;
                encode::<RecordReferral>(&ReferralRecorded {
                    count: view.referral_count,
                    balance: view.balance,
                })
            }
        }
    }

    fn mutate(
        &self,
        ledger: &Ledger,
        customer_id: &str,
        idempotency_key: &str,
        m: &Mutation,
        entry_id: &str,
        now: UnixMillis,
    ) -> Result<Mutated, ApiError> {
        let table = ledger.table();
        let prior: Option<EntryRow> = self
            .rows(
                &format!("SELECT {ENTRY_COLUMNS} FROM {table} WHERE idempotency_key = ?"),
                vec![idempotency_key.into()],
            )?
            .into_iter()
            .next();
        let prior_mutation = prior.as_ref().and_then(|p| {
            Direction::parse(&p.direction).map(|direction| Prior {
                mutation: Mutation {
                    direction,
                    amount: p.amount,
                    reason: p.reason.clone(),
                },
            })
        });
        match ledger::plan(self.balance(ledger)?, m, prior_mutation.as_ref())? {
            Plan::Replay => {
                let p = prior.ok_or_else(|| ApiError::new(ErrorCode::Internal))?;
                Ok(Mutated {
                    balance: p.balance_after,
                    entry: entry(customer_id, p),
                    replayed: true,
                    new_customer: false,
                })
            }
            Plan::Apply { balance_after } => {
                let new_customer = self.ensure_profile(customer_id, now)?;
                let mut args: Vec<SqlStorageValue> = vec![
                    entry_id.into(),
                    m.direction.as_str().into(),
                    m.amount.into(),
                    balance_after.into(),
                    m.reason.clone().into(),
                    idempotency_key.into(),
                    now.into(),
                ];
                let sql = match ledger {
                    Ledger::Coins => "INSERT INTO entries (id, direction, amount, balance_after, reason, idempotency_key, created_at) \
                         VALUES (?, ?, ?, ?, ?, ?, ?)",
                    Ledger::Cashback(currency) => {
                        args.push(currency.as_str().into());
                        "INSERT INTO cashback_entries (id, direction, amount, balance_after, reason, idempotency_key, created_at, currency) \
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    }
                };
                self.exec(sql, args)?;
                let written: Option<EntryRow> = self
                    .rows(
                        &format!("SELECT {ENTRY_COLUMNS} FROM {table} WHERE id = ?"),
                        vec![entry_id.into()],
                    )?
                    .into_iter()
                    .next();
                let written = written.ok_or_else(|| ApiError::new(ErrorCode::Internal))?;
                Ok(Mutated {
                    balance: balance_after,
                    entry: entry(customer_id, written),
                    replayed: false,
                    new_customer,
                })
            }
        }
    }

    fn balance(&self, ledger: &Ledger) -> Result<i64, ApiError> {
        let rows: Vec<CountRow> = self.rows(
            &format!(
                "SELECT COALESCE((SELECT balance_after FROM {} ORDER BY seq DESC LIMIT 1), 0) AS n",
                ledger.table()
            ),
            vec![],
        )?;
        Ok(rows.first().map_or(0, |r| r.n))
    }

    /// One page of a history, newest first: rows with `seq < before`, and the cursor of the
    /// next page when there is one.
    fn page<T: DeserializeOwned>(
        &self,
        sql: &str,
        before: Option<i64>,
        limit: i64,
        seq: impl Fn(&T) -> i64,
    ) -> Result<(Vec<T>, Option<i64>), ApiError> {
        let limit = limit.clamp(1, 100);
        let mut rows: Vec<T> = self.rows(
            sql,
            vec![before.unwrap_or(i64::MAX).into(), (limit + 1).into()],
        )?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_before = if more { rows.last().map(seq) } else { None };
        Ok((rows, next_before))
    }

    /// The schema this wallet's storage has: 0 for a new wallet and for one made before the
    /// schema was versioned (the table is not there, so the statement fails).
    fn schema_version(&self) -> i64 {
        self.sql
            .exec(wallet_schema::READ_VERSION, None)
            .and_then(|c| c.to_array::<CountRow>())
            .ok()
            .and_then(|rows| rows.first().map(|r| r.n))
            .unwrap_or(0)
    }

    /// Brings the storage to `wallet_schema::VERSION` (`wallet_schema::upgrade`): every
    /// step is idempotent, so a wallet of any earlier schema (or none) ends the same.
    fn migrate(&self) {
        if let Err(e) = wallet_schema::upgrade(&Schema(self)) {
            worker::console_error!("wallet schema: {e:?}");
        }
    }

    /// Everything a widget shows, in two statements (the stamp cards are the second): a
    /// wallet that just woke answers its first read with little more than that. The
    /// version is read in the same statement and kept.
    fn view(&self, customer_id: &str) -> Result<WalletView, ApiError> {
        let row = self
            .rows::<ViewRow>(
                "SELECT p.customer_id, p.name, p.email, p.referral_code, p.created_at, p.updated_at, \
                   (SELECT COUNT(*) FROM referrals) AS referral_count, \
                   COALESCE((SELECT balance_after FROM entries ORDER BY seq DESC LIMIT 1), 0) AS balance, \
                   COALESCE((SELECT balance_after FROM cashback_entries ORDER BY seq DESC LIMIT 1), 0) AS cashback, \
                   COALESCE((SELECT version FROM meta WHERE id = 1), 0) AS version \
                 FROM (SELECT 1) LEFT JOIN profile p ON p.id = 1",
                vec![],
            )?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::new(ErrorCode::Internal))?;
        if self.version.get().is_none() {
            self.version.set(Some(row.version));
        }
        Ok(WalletView {
            balance: row.balance,
            cashback: row.cashback,
            stamps: self.all_progress()?,
            referral_code: row.referral_code,
            referral_count: row.referral_count,
            customer: row.customer_id.map(|id| Customer {
                id: if id.is_empty() {
                    customer_id.to_owned()
                } else {
                    id
                },
                name: row.name,
                email: row.email,
                created_at: rfc3339(row.created_at.unwrap_or(0)),
                updated_at: rfc3339(row.updated_at.unwrap_or(0)),
            }),
        })
    }

    /// Creates the profile on a shopper's first write; true when it did.
    fn ensure_profile(&self, customer_id: &str, now: UnixMillis) -> Result<bool, ApiError> {
        let cursor = self
            .sql
            .exec(
                "INSERT OR IGNORE INTO profile (id, customer_id, created_at, updated_at) VALUES (1, ?, ?, ?)",
                vec![customer_id.into(), now.into(), now.into()],
            )
            .map_err(sql_err)?;
        let created = cursor.rows_written() > 0;
        if created {
            self.wrote.set(true);
        }
        Ok(created)
    }

    /// Runs a statement that writes; the request then counts as a write when it changed a
    /// row.
    fn exec(&self, sql: &str, args: Vec<SqlStorageValue>) -> Result<(), ApiError> {
        let cursor = self.sql.exec(sql, args).map_err(sql_err)?;
        if cursor.rows_written() > 0 {
            self.wrote.set(true);
        }
        Ok(())
    }

    fn rows<T: DeserializeOwned>(
        &self,
        sql: &str,
        args: Vec<SqlStorageValue>,
    ) -> Result<Vec<T>, ApiError> {
        self.sql
            .exec(sql, args)
            .and_then(|c| c.to_array())
            .map_err(sql_err)
    }
}

fn entry(customer_id: &str, r: EntryRow) -> LedgerEntry {
    LedgerEntry {
        id: r.id,
        customer_id: customer_id.to_owned(),
        kind: Direction::parse(&r.direction).unwrap_or(Direction::Credit),
        amount: r.amount,
        balance_after: r.balance_after,
        reason: r.reason,
        idempotency_key: r.idempotency_key,
        created_at: rfc3339(r.created_at),
    }
}

/// Sends `op` to the wallet of `customer_id` and decodes its answer, with the wallet's
/// version it reflects.
pub(crate) async fn call<R: WalletRequest>(
    env: &Env,
    workspace_id: &str,
    environment: Environment,
    customer_id: &str,
    request: R,
) -> Result<(R::Answer, i64), Failure> {
    let op = request.into_op();
    let name = format!("{workspace_id}:{}:{customer_id}", environment.as_str());
    let stub = env.durable_object(BINDING)?.get_by_name(&name)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(JsValue::from_str(&serde_json::to_string(&op)?)));
    let req = Request::new_with_init("https://wallet.internal/", &init)?;
    let mut resp = stub.fetch_with_request(req).await?;
    let status = resp.status_code();
    let text = resp.text().await?;
    if status == 200 {
        let version = resp
            .headers()
            .get(VERSION_HEADER)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        return Ok((serde_json::from_str(&text)?, version));
    }
    let wire: WireError = serde_json::from_str(&text)?;
    let code = ErrorCode::ALL
        .iter()
        .copied()
        .find(|c| c.as_str() == wire.code)
        .unwrap_or(ErrorCode::Internal);
    Err(ApiError::with_message(code, wire.message).into())
}
