//! `GET /v1/widget`: everything the storefront widget shows, in one read.

use tally_core::programs::Program;
use tally_core::scope::Scope;
use tally_core::wire::{WidgetCashback, WidgetCoins, WidgetCustomer, WidgetView};
use worker::Response;

use super::{ok, Call};
use crate::catalogue;
use crate::error::Failure;

pub(super) async fn read(call: &Call<'_>) -> Result<Response, Failure> {
    let id = call.customer_id()?;
    let programs = call.workspace.programs();
    // A program is shown when it is on and the key may read it.
    let shows = |program: Program, scope: Scope| {
        programs.enabled(program) && call.grant.scopes.contains(scope)
    };
    // Cards come from the isolate's cache nearly always: no round trip.
    let cards = if shows(Program::Stamps, Scope::StampsRead) {
        Some(catalogue::cards(call.env, &call.grant.workspace_id, call.grant.env).await?)
    } else {
        None
    };
    let view = call.view(&id).await?;
    let code = call.referral_code(&id, &view).await?;
    let cashback = match programs.currency() {
        Ok(c) if shows(Program::Cashback, Scope::CashbackRead) => Some(WidgetCashback {
            balance_minor: view.cashback,
            currency: c.code().to_owned(),
            exponent: c.exponent(),
        }),
        _ => None,
    };
    ok(&WidgetView {
        stamps: cards.map(|cards| super::stamps::card_views(&cards, &view.stamps, call.now)),
        cashback,
        customer: WidgetCustomer {
            name: view.customer.and_then(|c| c.name),
            id,
        },
        coins: WidgetCoins {
            balance: view.balance,
            label: call.workspace.coin_label.clone(),
        },
        referral: call.referral(code, view.referral_count),
    })
}
