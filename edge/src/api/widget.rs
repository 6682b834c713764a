//! `GET /v1/widget`: everything the storefront widget shows, in one read, from the first
//! tier that holds a view new and fresh enough (`crate::widget_cache`), with an `ETag` and a
//! short private browser lifetime so a shopper's next page views cost no request at all.

use tally_core::programs::Program;
use tally_core::scope::Scope;
use tally_core::version::{min_version, not_modified, Tier, BROWSER_MAX_AGE_S};
use tally_core::wire::{WidgetCashback, WidgetCoins, WidgetCustomer, WidgetView};
use worker::Response;

use super::Call;
use crate::catalogue;
use crate::error::Failure;
use crate::http::Request;
use crate::widget_cache::{Slot, View};
use crate::{http, respond};

pub(super) async fn read(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    // Read-your-writes: at least the version the reader saw (`v`) or the merchant's backend
    // put in the token.
    let asked = min_version(call.query.get("v"))?;
    let min = asked.max(call.claims.as_ref().map_or(0, |c| c.v));
    let id = call.customer_id()?;
    let programs = call.workspace.programs();
    // A program is shown when it is on and the key may read it.
    let shows = |program: Program, scope: Scope| {
        programs.enabled(program) && call.grant.scopes.contains(scope)
    };
    let (stamps, cashback) = (
        shows(Program::Stamps, Scope::StampsRead),
        shows(Program::Cashback, Scope::CashbackRead),
    );
    let slot = Slot::new(
        &call.origin,
        &call.grant.workspace_id,
        call.grant.env,
        &id,
        u8::from(stamps) | u8::from(cashback) << 1,
    );
    if let Some(hit) = slot.memory(min, call.now) {
        return answer(req, hit, Tier::Memory);
    }
    if let Some(hit) = slot.edge(min, call.now).await {
        return answer(req, hit, Tier::Edge);
    }
    // Cards come from the isolate's cache nearly always: no round trip.
    let cards = if stamps {
        Some(catalogue::cards(call.env, &call.grant.workspace_id, call.grant.env).await?)
    } else {
        None
    };
    let view = call.view(&id).await?;
    // The version of exactly this read (the first wallet call here): registering a referral
    // code below may answer a later version, after writes this view does not show, and a view
    // must never claim to be newer than it is.
    let version = call.version();
    let code = call.referral_code(&id, &view).await?;
    let cashback = match programs.currency() {
        Ok(c) if cashback => Some(WidgetCashback {
            balance_minor: view.cashback,
            currency: c.code().to_owned(),
            exponent: c.exponent(),
        }),
        _ => None,
    };
    let view = View::new(serde_json::to_string(&WidgetView {
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
        version,
    })?);
    let version = u64::try_from(version).unwrap_or(0);
    slot.fill(call.ctx, &view, version, call.now);
    answer(req, view, Tier::Wallet)
}

/// The view, or a 304 when the browser's copy is this one.
fn answer(req: &Request, view: View, tier: Tier) -> Result<Response, Failure> {
    let fresh = not_modified(http::header(req, "if-none-match").as_deref(), &view.etag);
    let mut r = if fresh {
        Response::empty()?.with_status(304)
    } else {
        respond::json_text(200, view.body)
    };
    let h = r.headers_mut();
    h.set("ETag", &view.etag)?;
    h.set(
        "Cache-Control",
        &format!("private, max-age={BROWSER_MAX_AGE_S}"),
    )?;
    h.set("X-Tally-Cache", tier.as_str())?;
    Ok(r)
}
