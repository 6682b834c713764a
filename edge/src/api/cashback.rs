//! Cashback: money back in the workspace's currency, in integer minor units, on the same
//! ledger rules as coins.

use tally_core::ids::validate_idempotency_key;
use tally_core::ledger::Direction;
use tally_core::money;
use tally_core::programs::Program;
use tally_core::webhook::Event;
use tally_core::wire::{CashbackBalance, CashbackEntry, CashbackMutationResult, LedgerEntry, Page};
use worker::Response;

use super::{ok, Call};
use crate::catalogue;
use crate::error::Failure;
use crate::http;
use crate::http::Request;
use crate::respond;
use crate::rng;
use crate::wallet::{self, Ledger};

fn entry(e: LedgerEntry, currency: &str) -> CashbackEntry {
    CashbackEntry {
        id: e.id,
        customer_id: e.customer_id,
        kind: e.kind,
        amount_minor: e.amount,
        balance_after_minor: e.balance_after,
        currency: currency.to_owned(),
        reason: e.reason,
        idempotency_key: e.idempotency_key,
        created_at: e.created_at,
    }
}

/// `GET /v1/customers/{id}/cashback`
pub(super) async fn balance(call: &Call<'_>) -> Result<Response, Failure> {
    let currency = call.program(Program::Cashback)?.currency()?;
    let id = call.customer_id()?;
    let view = call.view(&id).await?;
    ok(&CashbackBalance {
        customer_id: id,
        balance_minor: view.cashback,
        currency: currency.code().to_owned(),
    })
}

/// `GET /v1/customers/{id}/cashback/transactions`
pub(super) async fn transactions(call: &Call<'_>) -> Result<Response, Failure> {
    let currency = call.program(Program::Cashback)?.currency()?;
    let (id, before, limit) = call.history()?;
    let history = call
        .wallet(
            &id,
            wallet::Transactions {
                customer_id: id.clone(),
                ledger: Ledger::Cashback(currency.code().to_owned()),
                before,
                limit,
            },
        )
        .await?;
    ok(&Page {
        data: history
            .entries
            .into_iter()
            .map(|e| entry(e, currency.code()))
            .collect(),
        next_cursor: history.next_before.map(|n| n.to_string()),
    })
}

/// `POST /v1/customers/{id}/cashback/credit`
pub(super) async fn credit(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    mutate(call, req, Direction::Credit).await
}

/// `POST /v1/customers/{id}/cashback/redeem`
pub(super) async fn redeem(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    mutate(call, req, Direction::Debit).await
}

async fn mutate(call: &Call<'_>, req: &Request, direction: Direction) -> Result<Response, Failure> {
    let currency = call.program(Program::Cashback)?.currency()?;
    let id = call.customer_id()?;
    let header = http::header(req, "idempotency-key");
    let idempotency_key = validate_idempotency_key(header.as_deref())?.to_owned();
    let write = money::parse_cashback(direction, &http::body(req).await?, currency)?;
    let code = currency.code().to_owned();
    let result = call
        .wallet(
            &id,
            wallet::Mutate {
                customer_id: id.clone(),
                ledger: Ledger::Cashback(code.clone()),
                idempotency_key,
                mutation: write.mutation,
                entry_id: rng::new_id("cbk"),
                now: call.now,
            },
        )
        .await?;
    call.met(&id, result.new_customer, None);
    if call.workspace.currency_locked == 0 {
        catalogue::lock_currency_later(
            call.env,
            call.ctx,
            &call.grant.workspace_id,
            call.grant.env,
        );
    }
    let body = CashbackMutationResult {
        customer_id: id,
        balance_minor: result.balance,
        entry: entry(result.entry, &code),
        currency: code,
        version: call.version(),
    };
    if !result.replayed {
        call.forget_views(&body.customer_id);
        let event = match direction {
            Direction::Credit => Event::CashbackCredited,
            Direction::Debit => Event::CashbackRedeemed,
        };
        call.emit(event, &body);
    }
    Ok(respond::json(200, &body, &super::replayed(result.replayed)))
}
