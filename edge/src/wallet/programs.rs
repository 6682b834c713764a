//! The wallet's stamp cards and claims (seed 001). Cashback shares the coin ledger's code
//! (`Wallet::mutate` over its own table); stamps and claims have their own rules in
//! `tally_core::stamps` and `tally_core::claims`, applied here in the same single-threaded
//! critical section as every other wallet write.

use serde::{Deserialize, Serialize};
use tally_core::claims::{self, Claim, ClaimStatus, Outcome};
use tally_core::ledger::{Direction, Mutation};
use tally_core::programs::Program;
use tally_core::stamps::{self, Progress, StampKind, StampWrite};
use tally_core::time::{rfc3339, UnixMillis};
use tally_core::wire::StampEntry;
use tally_core::{ApiError, ErrorCode};

use super::{DecideClaim, FileClaim, Ledger, Stamp, StampHistory, Wallet};

/// A card's state in the wallet, as stored (the Worker applies lapses with the card's rule).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CardProgress {
    pub(crate) card_id: String,
    pub(crate) count_after: u32,
    pub(crate) rewards_after: u32,
    pub(crate) last_stamp_at: Option<UnixMillis>,
}

impl CardProgress {
    pub(crate) fn progress(&self) -> Progress {
        Progress {
            count: self.count_after,
            rewards_earned: self.rewards_after,
            last_stamp_at: self.last_stamp_at,
        }
    }
}

/// `Stamp`'s answer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Stamped {
    /// The card after the write (or, on a replay, right after the first one).
    pub(crate) progress: Progress,
    pub(crate) entry: StampEntry,
    pub(crate) replayed: bool,
    pub(crate) new_customer: bool,
}

/// `StampHistory`'s answer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct StampPage {
    pub(crate) entries: Vec<StampEntry>,
    pub(crate) next_before: Option<i64>,
}

/// A claim to file, as the Worker validated it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct NewClaimRow {
    pub(crate) id: String,
    pub(crate) program: Program,
    pub(crate) amount: i64,
    pub(crate) card_id: Option<String>,
    /// Cashback claims: the workspace's currency when filed.
    pub(crate) currency: Option<String>,
    /// JSON object text.
    pub(crate) evidence: String,
}

/// `FileClaim`'s answer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ClaimFiled {
    pub(crate) claim: Claim,
    pub(crate) replayed: bool,
    pub(crate) new_customer: bool,
}

/// `DecideClaim`'s answer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ClaimDecided {
    pub(crate) claim: Claim,
    /// False when the same verdict was already given: nothing was written.
    pub(crate) changed: bool,
}

#[derive(Deserialize)]
struct StampRow {
    seq: i64,
    id: String,
    card_id: String,
    kind: String,
    count: u32,
    count_after: u32,
    rewards_after: u32,
    reason: Option<String>,
    idempotency_key: Option<String>,
    created_at: i64,
}

const STAMP_COLUMNS: &str =
    "seq, id, card_id, kind, count, count_after, rewards_after, reason, idempotency_key, created_at";

#[derive(Deserialize)]
struct ClaimRow {
    id: String,
    status: String,
    program: String,
    amount: i64,
    card_id: Option<String>,
    currency: Option<String>,
    evidence: String,
    rejection_reason: Option<String>,
    created_at: i64,
    decided_at: Option<i64>,
}

const CLAIM_COLUMNS: &str = "id, status, program, amount, card_id, currency, evidence, \
     rejection_reason, created_at, decided_at";

fn corrupt(what: &str) -> ApiError {
    worker::console_error!("wallet row with an invalid {what}");
    ApiError::new(ErrorCode::Internal)
}

fn stamp_entry(customer_id: &str, r: StampRow) -> Result<StampEntry, ApiError> {
    Ok(StampEntry {
        id: r.id,
        customer_id: customer_id.to_owned(),
        card_id: r.card_id,
        kind: StampKind::parse(&r.kind).ok_or_else(|| corrupt("stamp kind"))?,
        count: r.count,
        count_after: r.count_after,
        reason: r.reason,
        idempotency_key: r.idempotency_key,
        created_at: rfc3339(r.created_at),
    })
}

fn claim(customer_id: &str, r: ClaimRow) -> Result<Claim, ApiError> {
    Ok(Claim {
        id: r.id,
        status: ClaimStatus::parse(&r.status).ok_or_else(|| corrupt("claim status"))?,
        customer_id: customer_id.to_owned(),
        program: Program::parse(&r.program).ok_or_else(|| corrupt("claim program"))?,
        amount: r.amount,
        card_id: r.card_id,
        currency: r.currency,
        evidence: serde_json::from_str(&r.evidence).map_err(|_| corrupt("claim evidence"))?,
        rejection_reason: r.rejection_reason,
        created_at: rfc3339(r.created_at),
        decided_at: r.decided_at.map(rfc3339),
        version: None,
    })
}

impl Wallet {
    /// Every card with stamp entries: its newest entry, and its last stamp's time.
    pub(super) fn all_progress(&self) -> Result<Vec<CardProgress>, ApiError> {
        self.rows(
            "SELECT s.card_id, s.count_after, s.rewards_after, \
               (SELECT MAX(a.created_at) FROM stamp_entries a WHERE a.card_id = s.card_id AND a.kind = 'add') AS last_stamp_at \
             FROM stamp_entries s \
             WHERE s.seq IN (SELECT MAX(seq) FROM stamp_entries GROUP BY card_id)",
            vec![],
        )
    }

    fn progress(&self, card_id: &str) -> Result<Progress, ApiError> {
        let rows: Vec<CardProgress> = self.rows(
            "SELECT card_id, count_after, rewards_after, \
               (SELECT MAX(created_at) FROM stamp_entries WHERE card_id = ? AND kind = 'add') AS last_stamp_at \
             FROM stamp_entries WHERE card_id = ? ORDER BY seq DESC LIMIT 1",
            vec![card_id.into(), card_id.into()],
        )?;
        Ok(rows.first().map(CardProgress::progress).unwrap_or_default())
    }

    /// Adds or redeems, once per idempotency key; a lapse is recorded first.
    pub(super) fn stamp(&self, op: Stamp) -> Result<Stamped, ApiError> {
        let Stamp {
            customer_id,
            idempotency_key,
            write,
            rule,
            entry_id,
            expire_id,
            now,
        } = op;
        let prior: Option<StampRow> = self
            .rows(
                &format!("SELECT {STAMP_COLUMNS} FROM stamp_entries WHERE idempotency_key = ?"),
                vec![idempotency_key.as_str().into()],
            )?
            .into_iter()
            .next();
        if let Some(p) = prior {
            let same = p.card_id == write.card_id
                && p.kind == write.kind.as_str()
                && (write.kind != StampKind::Add || p.count == write.count)
                && p.reason == write.reason;
            if !same {
                return Err(ApiError::new(ErrorCode::IdempotencyKeyReused));
            }
            let progress = Progress {
                count: p.count_after,
                rewards_earned: p.rewards_after,
                last_stamp_at: Some(p.created_at),
            };
            return Ok(Stamped {
                progress,
                entry: stamp_entry(&customer_id, p)?,
                replayed: true,
                new_customer: false,
            });
        }
        let before = self.progress(&write.card_id)?;
        let plan = stamps::plan(rule, before, write.kind, write.count, now)?;
        let new_customer = self.ensure_profile(&customer_id, now)?;
        let insert = |id: &str,
                      kind: StampKind,
                      count: u32,
                      after: Progress,
                      reason: Option<String>,
                      key: Option<&str>| {
            self.exec(
                "INSERT INTO stamp_entries (id, card_id, kind, count, count_after, rewards_after, reason, idempotency_key, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                vec![
                    id.into(),
                    write.card_id.as_str().into(),
                    kind.as_str().into(),
                    i64::from(count).into(),
                    i64::from(after.count).into(),
                    i64::from(after.rewards_earned).into(),
                    reason.into(),
                    key.into(),
                    now.into(),
                ],
            )
        };
        if plan.expired > 0 {
            let lapsed = Progress { count: 0, ..before };
            insert(
                &expire_id,
                StampKind::Expire,
                plan.expired,
                lapsed,
                Some("Stamps lapsed".to_owned()),
                None,
            )?;
        }
        insert(
            &entry_id,
            write.kind,
            plan.count,
            plan.after,
            write.reason.clone(),
            Some(&idempotency_key),
        )?;
        let written: Option<StampRow> = self
            .rows(
                &format!("SELECT {STAMP_COLUMNS} FROM stamp_entries WHERE id = ?"),
                vec![entry_id.as_str().into()],
            )?
            .into_iter()
            .next();
        let written = written.ok_or_else(|| ApiError::new(ErrorCode::Internal))?;
        Ok(Stamped {
            progress: plan.after,
            entry: stamp_entry(&customer_id, written)?,
            replayed: false,
            new_customer,
        })
    }

    pub(super) fn stamp_history(&self, op: StampHistory) -> Result<StampPage, ApiError> {
        let (rows, next_before) = self.page::<StampRow>(
            &format!(
                "SELECT {STAMP_COLUMNS} FROM stamp_entries WHERE seq < ? ORDER BY seq DESC LIMIT ?"
            ),
            op.before,
            op.limit,
            |r| r.seq,
        )?;
        Ok(StampPage {
            entries: rows
                .into_iter()
                .map(|r| stamp_entry(&op.customer_id, r))
                .collect::<Result<_, _>>()?,
            next_before,
        })
    }

    fn claim_row(&self, column: &str, value: &str) -> Result<Option<ClaimRow>, ApiError> {
        Ok(self
            .rows(
                &format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE {column} = ?"),
                vec![value.into()],
            )?
            .into_iter()
            .next())
    }

    /// Files a claim, once per idempotency key.
    pub(super) fn file_claim(&self, op: FileClaim) -> Result<ClaimFiled, ApiError> {
        let FileClaim {
            customer_id,
            idempotency_key,
            claim: new,
            now,
        } = op;
        if let Some(prior) = self.claim_row("idempotency_key", &idempotency_key)? {
            let same = prior.program == new.program.as_str()
                && prior.amount == new.amount
                && prior.card_id == new.card_id
                && serde_json::from_str::<serde_json::Value>(&prior.evidence).ok()
                    == serde_json::from_str::<serde_json::Value>(&new.evidence).ok();
            if !same {
                return Err(ApiError::new(ErrorCode::IdempotencyKeyReused));
            }
            return Ok(ClaimFiled {
                claim: claim(&customer_id, prior)?,
                replayed: true,
                new_customer: false,
            });
        }
        let new_customer = self.ensure_profile(&customer_id, now)?;
        self.exec(
            "INSERT INTO claims (id, status, program, amount, card_id, currency, evidence, idempotency_key, created_at) \
             VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?)",
            vec![
                new.id.as_str().into(),
                new.program.as_str().into(),
                new.amount.into(),
                new.card_id.clone().into(),
                new.currency.clone().into(),
                new.evidence.as_str().into(),
                idempotency_key.as_str().into(),
                now.into(),
            ],
        )?;
        let row = self
            .claim_row("id", &new.id)?
            .ok_or_else(|| ApiError::new(ErrorCode::Internal))?;
        Ok(ClaimFiled {
            claim: claim(&customer_id, row)?,
            replayed: false,
            new_customer,
        })
    }

    /// Closes a claim once. An approval credits the claim's ledger under the idempotency
    /// key `claim:<id>` before the claim is closed, all in this one critical section: a
    /// credit that is refused (a full card) leaves the claim pending.
    pub(super) fn decide_claim(&self, op: DecideClaim) -> Result<ClaimDecided, ApiError> {
        let DecideClaim {
            customer_id,
            claim_id,
            verdict,
            reason,
            rule,
            entry_id,
            expire_id,
            now,
        } = op;
        let row = self
            .claim_row("id", &claim_id)?
            .ok_or_else(|| ApiError::new(ErrorCode::ClaimNotFound))?;
        let current = claim(&customer_id, row)?;
        let status = match claims::decide(current.status, verdict)? {
            Outcome::Unchanged => {
                return Ok(ClaimDecided {
                    claim: current,
                    changed: false,
                })
            }
            Outcome::Close(status) => status,
        };
        if status == ClaimStatus::Approved {
            let key = format!("claim:{claim_id}");
            let why = Some(format!("Claim {claim_id}"));
            match current.program {
                Program::Coins | Program::Cashback => {
                    let ledger = match (current.program, &current.currency) {
                        (Program::Cashback, Some(c)) => Ledger::Cashback(c.clone()),
                        (Program::Cashback, None) => return Err(corrupt("cashback claim")),
                        _ => Ledger::Coins,
                    };
                    let m = Mutation {
                        direction: Direction::Credit,
                        amount: current.amount,
                        reason: why,
                    };
                    self.mutate(&ledger, &customer_id, &key, &m, &entry_id, now)?;
                }
                Program::Stamps => {
                    let card_id = current
                        .card_id
                        .clone()
                        .ok_or_else(|| corrupt("stamps claim"))?;
                    let rule = rule.ok_or_else(|| ApiError::new(ErrorCode::CardNotFound))?;
                    let count =
                        u32::try_from(current.amount).map_err(|_| corrupt("stamps claim"))?;
                    self.stamp(Stamp {
                        customer_id: customer_id.clone(),
                        idempotency_key: key,
                        write: StampWrite {
                            card_id,
                            kind: StampKind::Add,
                            count,
                            reason: why,
                        },
                        rule,
                        entry_id,
                        expire_id,
                        now,
                    })?;
                }
            }
        }
        self.exec(
            "UPDATE claims SET status = ?, rejection_reason = ?, decided_at = ? WHERE id = ?",
            vec![
                status.as_str().into(),
                reason.into(),
                now.into(),
                claim_id.as_str().into(),
            ],
        )?;
        let row = self
            .claim_row("id", &claim_id)?
            .ok_or_else(|| ApiError::new(ErrorCode::Internal))?;
        Ok(ClaimDecided {
            claim: claim(&customer_id, row)?,
            changed: true,
        })
    }
}
