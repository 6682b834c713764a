//! Referral codes and applied referrals in D1: the workspace-wide indexes a wallet cannot
//! hold (code → customer, referee → referrer).

use serde::Deserialize;
use tally_core::key::Environment;
use tally_core::referral;
use tally_core::time::UnixMillis;
use tally_core::ErrorCode;
use worker::Env;

use crate::error::Failure;
use crate::rng::PlatformRng;
use crate::store::{self, Arg};

/// How many random codes to try before giving up (a collision is ~1 in 10^15 per try
/// for a workspace of a million shoppers).
const ATTEMPTS: u32 = 4;

#[derive(Deserialize)]
struct Owner {
    customer_id: String,
}

/// Registers (or finds) the customer's code: a random one, unique in the workspace and
/// environment, in one D1 round trip per try (a batch: insert unless the customer or the code
/// has a row, then read the customer's row). Concurrent callers converge on the first row
/// written (the customer has a unique index, so a second code for them is ignored); a try
/// whose random code another customer holds reads nothing and draws again.
pub(crate) async fn register_code(
    env: &Env,
    workspace_id: &str,
    environment: Environment,
    customer_id: &str,
    now: UnixMillis,
) -> Result<String, Failure> {
    let db = store::db(env)?;
    for _ in 0..ATTEMPTS {
        let code = referral::random_code(&mut PlatformRng);
        let args = [
            Arg::Text(workspace_id),
            Arg::Text(environment.as_str()),
            Arg::Text(customer_id),
            Arg::Text(&code),
            Arg::Int(now),
        ];
        let insert = store::stmt(
            &db,
            "INSERT OR IGNORE INTO referral_codes (workspace_id, environment, customer_id, code, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            &args,
        )?;
        let select = store::stmt(
            &db,
            "SELECT code FROM referral_codes WHERE workspace_id = ?1 AND environment = ?2 AND customer_id = ?3",
            &args[..3],
        )?;
        if let Some(row) = store::write_then_first::<CodeRow>(&db, insert, select).await? {
            return Ok(row.code);
        }
    }
    Err(ErrorCode::Internal.into())
}

#[derive(Deserialize)]
struct CodeRow {
    code: String,
}

/// The customer a code belongs to.
pub(crate) async fn owner(
    env: &Env,
    workspace_id: &str,
    environment: Environment,
    code: &str,
) -> Result<Option<String>, Failure> {
    let db = store::db(env)?;
    let row: Option<Owner> = store::stmt(
        &db,
        "SELECT customer_id FROM referral_codes WHERE workspace_id = ?1 AND environment = ?2 AND code = ?3",
        &[Arg::Text(workspace_id), Arg::Text(environment.as_str()), Arg::Text(code)],
    )?
    .first(None)
    .await?;
    Ok(row.map(|r| r.customer_id))
}

/// An applied referral.
#[derive(Deserialize)]
pub(crate) struct Applied {
    pub(crate) referrer_id: String,
    pub(crate) code: String,
    pub(crate) created_at: i64,
}

/// Records that `referee` joined with `referrer`'s code, once. Returns the stored row,
/// which names another referrer when the referee was already referred by someone else.
pub(crate) async fn record(
    env: &Env,
    workspace_id: &str,
    environment: Environment,
    referee: &str,
    referrer: &str,
    code: &str,
    now: UnixMillis,
) -> Result<Applied, Failure> {
    let db = store::db(env)?;
    let args = [
        Arg::Text(workspace_id),
        Arg::Text(environment.as_str()),
        Arg::Text(referee),
        Arg::Text(referrer),
        Arg::Text(code),
        Arg::Int(now),
    ];
    let insert = store::stmt(
        &db,
        "INSERT OR IGNORE INTO referrals (workspace_id, environment, referee_id, referrer_id, code, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &args,
    )?;
    let select = store::stmt(
        &db,
        "SELECT referrer_id, code, created_at FROM referrals \
         WHERE workspace_id = ?1 AND environment = ?2 AND referee_id = ?3",
        &args[..3],
    )?;
    store::write_then_first::<Applied>(&db, insert, select)
        .await?
        .ok_or_else(|| ErrorCode::Internal.into())
}
