//! Coins: the balance, the ledger's history, credits and debits.

use tally_core::ids::validate_idempotency_key;
use tally_core::ledger::{self, Direction};
use tally_core::programs::Program;
use tally_core::stats::Metric;
use tally_core::webhook::Event;
use tally_core::wire::{CoinBalance, CoinMutationResult, Page};
use worker::Response;

use super::{ok, Call};
use crate::error::Failure;
use crate::http;
use crate::http::Request;
use crate::respond;
use crate::wallet::{self, Ledger};
use crate::{logs, rng};

/// `GET /v1/customers/{id}/coins`
pub(super) async fn balance(call: &Call<'_>) -> Result<Response, Failure> {
    call.program(Program::Coins)?;
    let id = call.customer_id()?;
    let view = call.view(&id).await?;
    ok(&CoinBalance {
        customer_id: id,
        balance: view.balance,
        label: call.workspace.coin_label.clone(),
    })
}

/// `POST /v1/customers/{id}/coins/credit`
pub(super) async fn credit(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    mutate(call, req, Direction::Credit).await
}

/// `POST /v1/customers/{id}/coins/debit`
pub(super) async fn debit(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    mutate(call, req, Direction::Debit).await
}

/// `GET /v1/customers/{id}/coins/transactions`
pub(super) async fn transactions(call: &Call<'_>) -> Result<Response, Failure> {
    call.program(Program::Coins)?;
    let (id, before, limit) = call.history()?;
    let history = call
        .wallet(
            &id,
            wallet::Transactions {
                customer_id: id.clone(),
                ledger: Ledger::Coins,
                before,
                limit,
            },
        )
        .await?;
    ok(&Page {
        data: history.entries,
        next_cursor: history.next_before.map(|n| n.to_string()),
    })
}

async fn mutate(call: &Call<'_>, req: &Request, direction: Direction) -> Result<Response, Failure> {
    call.program(Program::Coins)?;
    let id = call.customer_id()?;
    let header = http::header(req, "idempotency-key");
    let idempotency_key = validate_idempotency_key(header.as_deref())?.to_owned();
    let mutation = ledger::parse_mutation(direction, &http::body(req).await?)?;
    let result = call
        .wallet(
            &id,
            wallet::Mutate {
                customer_id: id.clone(),
                ledger: Ledger::Coins,
                idempotency_key,
                mutation,
                entry_id: rng::new_id("led"),
                now: call.now,
            },
        )
        .await?;
    call.met(&id, result.new_customer, None);
    let body = CoinMutationResult {
        customer_id: id,
        balance: result.balance,
        label: call.workspace.coin_label.clone(),
        entry: result.entry,
        version: call.version(),
    };
    if !result.replayed {
        call.forget_views(&body.customer_id);
        let (kind, metric) = match direction {
            Direction::Credit => (Event::CoinsCredited, Metric::CoinsCredited),
            Direction::Debit => (Event::CoinsDebited, Metric::CoinsDebited),
        };
        logs::count(&call.grant.workspace_id, metric, body.entry.amount);
        call.emit(kind, &body);
    }
    Ok(respond::json(200, &body, &super::replayed(result.replayed)))
}
