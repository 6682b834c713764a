//! Stamp cards: a shopper's progress, its history, adding stamps and redeeming a full card.

use tally_core::ids::validate_idempotency_key;
use tally_core::programs::Program;
use tally_core::stamps::{self, Card, Progress, StampCardView, StampKind};
use tally_core::webhook::Event;
use tally_core::wire::{Page, StampCards, StampWriteResult};
use worker::Response;

use super::{ok, Call};
use crate::catalogue;
use crate::error::Failure;
use crate::http;
use crate::http::Request;
use crate::respond;
use crate::rng;
use crate::wallet::{self, CardProgress};

/// A card as a shopper sees it now: lapsed stamps are not counted.
pub(super) fn card_view(card: &Card, progress: Progress, now: i64) -> StampCardView {
    let (p, _) = stamps::current(card.rule(), progress, now);
    StampCardView {
        card_id: card.id.clone(),
        name: card.name.clone(),
        count: p.count,
        required: card.required,
        reward: card.reward.clone(),
        rewards_earned: p.rewards_earned,
    }
}

/// Every active card, and any inactive one the shopper still has stamps on.
pub(super) fn card_views(cards: &[Card], held: &[CardProgress], now: i64) -> Vec<StampCardView> {
    cards
        .iter()
        .filter_map(|card| {
            let progress = held
                .iter()
                .find(|h| h.card_id == card.id)
                .map(CardProgress::progress)
                .unwrap_or_default();
            let view = card_view(card, progress, now);
            (card.active || view.count > 0).then_some(view)
        })
        .collect()
}

/// `GET /v1/customers/{id}/stamps`
pub(super) async fn get(call: &Call<'_>) -> Result<Response, Failure> {
    call.program(Program::Stamps)?;
    let id = call.customer_id()?;
    let cards = catalogue::cards(call.env, &call.grant.workspace_id, call.grant.env).await?;
    let view = call.view(&id).await?;
    ok(&StampCards {
        data: card_views(&cards, &view.stamps, call.now),
    })
}

/// `GET /v1/customers/{id}/stamps/transactions`
pub(super) async fn transactions(call: &Call<'_>) -> Result<Response, Failure> {
    call.program(Program::Stamps)?;
    let (id, before, limit) = call.history()?;
    let page = call
        .wallet(
            &id,
            wallet::StampHistory {
                customer_id: id.clone(),
                before,
                limit,
            },
        )
        .await?;
    ok(&Page {
        data: page.entries,
        next_cursor: page.next_before.map(|n| n.to_string()),
    })
}

/// `POST /v1/customers/{id}/stamps/add`
pub(super) async fn add(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    write(call, req, StampKind::Add).await
}

/// `POST /v1/customers/{id}/stamps/redeem`
pub(super) async fn redeem(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    write(call, req, StampKind::Redeem).await
}

async fn write(call: &Call<'_>, req: &Request, kind: StampKind) -> Result<Response, Failure> {
    call.program(Program::Stamps)?;
    let id = call.customer_id()?;
    let header = http::header(req, "idempotency-key");
    let idempotency_key = validate_idempotency_key(header.as_deref())?.to_owned();
    let body = http::body(req).await?;
    let write = match kind {
        StampKind::Add => stamps::parse_add(&body)?,
        _ => stamps::parse_redeem(&body)?,
    };
    let card = catalogue::card(
        call.env,
        &call.grant.workspace_id,
        call.grant.env,
        &write.card_id,
    )
    .await?;
    if kind == StampKind::Add && !card.active {
        return Err(tally_core::ApiError::with_message(
            tally_core::ErrorCode::CardNotFound,
            "This card is no longer active: it takes no new stamps (existing ones can still be redeemed).",
        )
        .into());
    }
    let done = call
        .wallet(
            &id,
            wallet::Stamp {
                customer_id: id.clone(),
                idempotency_key,
                write,
                rule: card.rule(),
                entry_id: rng::new_id("stp"),
                expire_id: rng::new_id("stp"),
                now: call.now,
            },
        )
        .await?;
    call.met(&id, done.new_customer, None);
    let body = StampWriteResult {
        card: card_view(&card, done.progress, call.now),
        customer_id: id,
        entry: done.entry,
        version: call.version(),
    };
    if !done.replayed {
        call.forget_views(&body.customer_id);
        let event = match kind {
            StampKind::Add => Event::StampsAdded,
            _ => Event::StampsRedeemed,
        };
        call.emit(event, &body);
    }
    Ok(respond::json(200, &body, &super::replayed(done.replayed)))
}
