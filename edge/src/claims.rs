//! Claims, for both planes: filed with a secret key (`POST /v1/claims`), decided with a
//! secret key or from the dashboard's queue. The wallet holds each claim's truth and closes
//! it in the same transaction as its credit; the `claims` table in D1 is the copy that lists
//! them across shoppers, written after the wallet answers and rewritten by any retry, so a
//! retried verdict also repairs a copy an interrupted one left behind.

use serde::Deserialize;
use tally_core::claims::{self, Claim, ClaimStatus, Verdict};
use tally_core::key::Environment;
use tally_core::programs::{Program, Programs};
use tally_core::time::{rfc3339, UnixMillis};
use tally_core::webhook::Event;
use tally_core::{ApiError, ErrorCode};
use worker::{Context, Env};

use crate::catalogue;
use crate::error::Failure;
use crate::store::{self, Arg};
use crate::wallet::{self, NewClaimRow};
use crate::{rng, webhooks};

/// Where a claim belongs.
pub(crate) struct Scope<'a> {
    pub(crate) env: &'a Env,
    pub(crate) ctx: &'a Context,
    pub(crate) ws: &'a str,
    pub(crate) environment: Environment,
}

impl Scope<'_> {
    async fn wallet<R: wallet::WalletRequest>(
        &self,
        customer_id: &str,
        request: R,
    ) -> Result<(R::Answer, i64), Failure> {
        wallet::call(self.env, self.ws, self.environment, customer_id, request).await
    }
}

/// Files a claim: `pending` until decided. Answers the claim and whether it is a replay.
pub(crate) async fn file(
    s: &Scope<'_>,
    programs: &Programs,
    body: &[u8],
    idempotency_key: String,
    now: UnixMillis,
) -> Result<(Claim, bool), Failure> {
    let new = claims::parse_claim(body)?;
    programs.require(new.program)?;
    let currency = match new.program {
        Program::Cashback => Some(programs.currency()?.code().to_owned()),
        Program::Stamps => {
            let card_id = new.card_id.as_deref().unwrap_or_default();
            let card = catalogue::card(s.env, s.ws, s.environment, card_id).await?;
            if i64::from(card.required) < new.amount {
                return Err(ApiError::with_message(
                    ErrorCode::InvalidAmount,
                    format!(
                        "This card holds {} stamps; a claim cannot ask for more.",
                        card.required
                    ),
                )
                .into());
            }
            None
        }
        Program::Coins => None,
    };
    let (filed, _) = s
        .wallet(
            &new.customer_id,
            wallet::FileClaim {
                customer_id: new.customer_id.clone(),
                idempotency_key,
                claim: NewClaimRow {
                    id: rng::new_id("clm"),
                    program: new.program,
                    amount: new.amount,
                    card_id: new.card_id.clone(),
                    currency,
                    evidence: serde_json::Value::Object(new.evidence).to_string(),
                },
                now,
            },
        )
        .await?;
    index(s, &filed.claim).await?;
    if !filed.replayed {
        webhooks::emit_later(
            s.env,
            s.ctx,
            s.ws,
            s.environment,
            Event::ClaimCreated,
            &filed.claim,
        );
    }
    Ok((filed.claim, filed.replayed))
}

/// Approves or rejects a claim. Approving credits once, whatever the retries and races;
/// the same verdict again answers the claim unchanged.
pub(crate) async fn decide(
    s: &Scope<'_>,
    programs: &Programs,
    id: &str,
    verdict: Verdict,
    reason: Option<String>,
    now: UnixMillis,
) -> Result<Claim, Failure> {
    let listed = get(s, id).await?;
    let rule = match (verdict, listed.program, &listed.card_id) {
        (Verdict::Approve, Program::Stamps, Some(card_id)) => Some(
            catalogue::card(s.env, s.ws, s.environment, card_id)
                .await?
                .rule(),
        ),
        _ => None,
    };
    if verdict == Verdict::Approve && listed.status == ClaimStatus::Pending {
        programs.require(listed.program)?;
    }
    let (decided, version) = s
        .wallet(
            &listed.customer_id,
            wallet::DecideClaim {
                customer_id: listed.customer_id.clone(),
                claim_id: id.to_owned(),
                verdict,
                reason,
                rule,
                entry_id: rng::new_id(match listed.program {
                    Program::Coins => "led",
                    Program::Stamps => "stp",
                    Program::Cashback => "cbk",
                }),
                expire_id: rng::new_id("stp"),
                now,
            },
        )
        .await?;
    index(s, &decided.claim).await?;
    if decided.changed {
        let event = match decided.claim.status {
            ClaimStatus::Rejected => Event::ClaimRejected,
            _ => Event::ClaimApproved,
        };
        webhooks::emit_later(s.env, s.ctx, s.ws, s.environment, event, &decided.claim);
    }
    Ok(Claim {
        version: Some(version),
        ..decided.claim
    })
}

/// Writes (or rewrites) the claim's copy in the queue.
async fn index(s: &Scope<'_>, c: &Claim) -> Result<(), Failure> {
    let created = tally_core::time::parse_rfc3339(&c.created_at).unwrap_or(0);
    let decided = c
        .decided_at
        .as_deref()
        .and_then(tally_core::time::parse_rfc3339);
    let evidence = serde_json::Value::Object(c.evidence.clone()).to_string();
    store::stmt(
        &store::db(s.env)?,
        "INSERT INTO claims (id, workspace_id, environment, customer_id, program, amount, card_id, currency, evidence, status, rejection_reason, created_at, decided_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, rejection_reason = excluded.rejection_reason, \
           decided_at = excluded.decided_at",
        &[
            Arg::Text(&c.id),
            Arg::Text(s.ws),
            Arg::Text(s.environment.as_str()),
            Arg::Text(&c.customer_id),
            Arg::Text(c.program.as_str()),
            Arg::Int(c.amount),
            c.card_id.as_deref().into(),
            c.currency.as_deref().into(),
            Arg::Text(&evidence),
            Arg::Text(c.status.as_str()),
            c.rejection_reason.as_deref().into(),
            Arg::Int(created),
            decided.into(),
        ],
    )?
    .run()
    .await?;
    Ok(())
}

#[derive(Deserialize)]
struct Row {
    id: String,
    customer_id: String,
    program: String,
    amount: i64,
    card_id: Option<String>,
    currency: Option<String>,
    evidence: String,
    status: String,
    rejection_reason: Option<String>,
    created_at: i64,
    decided_at: Option<i64>,
}

const COLUMNS: &str = "id, customer_id, program, amount, card_id, currency, evidence, status, \
     rejection_reason, created_at, decided_at";

impl Row {
    fn claim(self) -> Result<Claim, Failure> {
        let corrupt = |what: &str| {
            worker::console_error!("claims row {} has an invalid {what}", self.id);
            Failure::from(ErrorCode::Internal)
        };
        Ok(Claim {
            status: ClaimStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            program: Program::parse(&self.program).ok_or_else(|| corrupt("program"))?,
            evidence: serde_json::from_str(&self.evidence).map_err(|_| corrupt("evidence"))?,
            id: self.id,
            customer_id: self.customer_id,
            amount: self.amount,
            card_id: self.card_id,
            currency: self.currency,
            rejection_reason: self.rejection_reason,
            created_at: rfc3339(self.created_at),
            decided_at: self.decided_at.map(rfc3339),
            version: None,
        })
    }
}

/// One claim from the queue, or `claim_not_found`.
pub(crate) async fn get(s: &Scope<'_>, id: &str) -> Result<Claim, Failure> {
    let row: Option<Row> = store::first(
        &store::db(s.env)?,
        &format!(
            "SELECT {COLUMNS} FROM claims WHERE id = ?1 AND workspace_id = ?2 AND environment = ?3"
        ),
        &[
            Arg::Text(id),
            Arg::Text(s.ws),
            Arg::Text(s.environment.as_str()),
        ],
    )
    .await?;
    row.ok_or_else(|| Failure::from(ErrorCode::ClaimNotFound))?
        .claim()
}

/// A page of the queue, newest first, optionally of one status.
pub(crate) async fn list(
    s: &Scope<'_>,
    status: Option<ClaimStatus>,
    cursor: Option<(i64, String)>,
    limit: i64,
) -> Result<(Vec<Claim>, Option<String>), Failure> {
    let (t, after_id) = cursor.unwrap_or((i64::MAX, String::new()));
    let rows: Vec<Row> = store::all(
        &store::db(s.env)?,
        &format!(
            "SELECT {COLUMNS} FROM claims WHERE workspace_id = ?1 AND environment = ?2 \
             AND (?3 IS NULL OR status = ?3) \
             AND (created_at < ?4 OR (created_at = ?4 AND id < ?5 AND ?5 <> '')) \
             ORDER BY created_at DESC, id DESC LIMIT ?6"
        ),
        &[
            Arg::Text(s.ws),
            Arg::Text(s.environment.as_str()),
            status.map(ClaimStatus::as_str).into(),
            Arg::Int(t),
            Arg::Text(&after_id),
            Arg::Int(limit + 1),
        ],
    )
    .await?;
    let more = rows.len() as i64 > limit;
    let claims: Vec<Claim> = rows
        .into_iter()
        .take(limit as usize)
        .map(Row::claim)
        .collect::<Result<_, _>>()?;
    let next = if more {
        claims.last().map(|c| {
            format!(
                "{}.{}",
                tally_core::time::parse_rfc3339(&c.created_at).unwrap_or(0),
                c.id
            )
        })
    } else {
        None
    };
    Ok((claims, next))
}
