//! The programs of seed 001 from the dashboard: which run, their stamp cards and rewards,
//! and the claims queue. Each call names its environment (`?environment=`, default `test`).

use tally_core::admin::environment_or_test;
use tally_core::claims::{self as rules, Verdict};
use tally_core::key::Environment;
use tally_core::programs::Programs;
use tally_core::stamps::CardSpec;
use tally_core::wire::{Page, RejectClaim, RewardSpec};
use tally_core::ErrorCode;
use worker::Response;

use super::AdminCall;
use crate::catalogue;
use crate::claims;
use crate::error::Failure;
use crate::http::Request;
use crate::rng;
use crate::store::{self, Arg};

impl AdminCall<'_> {
    fn environment(&self) -> Result<Environment, Failure> {
        Ok(environment_or_test(self.query.get("environment"))?)
    }

    fn claims(&self, environment: Environment) -> claims::Scope<'_> {
        claims::Scope {
            env: self.env,
            ctx: self.ctx,
            ws: self.ws(),
            environment,
        }
    }
}

#[derive(serde::Deserialize)]
struct ProgramRow {
    coin_label: String,
    coins_enabled: i64,
    stamps_enabled: i64,
    cashback_enabled: i64,
    currency: String,
}

/// The programs of one environment (the defaults when none were set).
async fn programs(call: &AdminCall<'_>, environment: Environment) -> Result<Programs, Failure> {
    let row: Option<ProgramRow> = store::first(
        &store::db(call.env)?,
        "SELECT w.coin_label, COALESCE(p.coins_enabled, 1) AS coins_enabled, \
           COALESCE(p.stamps_enabled, 0) AS stamps_enabled, COALESCE(p.cashback_enabled, 0) AS cashback_enabled, \
           COALESCE(p.currency, 'EUR') AS currency \
         FROM workspaces w LEFT JOIN programs p ON p.workspace_id = w.id AND p.environment = ?2 WHERE w.id = ?1",
        &[Arg::Text(call.ws()), Arg::Text(environment.as_str())],
    )
    .await?;
    let r = row.ok_or_else(|| Failure::from(ErrorCode::Internal))?;
    let mut p = Programs::default();
    p.coins.enabled = r.coins_enabled != 0;
    p.coins.label = r.coin_label;
    p.stamps.enabled = r.stamps_enabled != 0;
    p.cashback.enabled = r.cashback_enabled != 0;
    p.cashback.currency = r.currency;
    Ok(p)
}

/// `GET /v1/admin/programs`
pub(super) async fn get(call: &AdminCall<'_>) -> Result<Response, Failure> {
    super::answer(200, &programs(call, call.environment()?).await?)
}

/// `PUT /v1/admin/programs`
pub(super) async fn put(req: &Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let environment = call.environment()?;
    let body: Programs = super::body(req).await?;
    let body = body.validate()?;
    catalogue::put_programs(call.env, call.ws(), environment, &body, call.now).await?;
    super::answer(200, &programs(call, environment).await?)
}

/// `GET /v1/admin/cards`
pub(super) async fn cards(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let cards = catalogue::cards(call.env, call.ws(), call.environment()?).await?;
    super::answer(
        200,
        &Page {
            data: cards.to_vec(),
            next_cursor: None,
        },
    )
}

/// `POST /v1/admin/cards`
pub(super) async fn create_card(req: &Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let environment = call.environment()?;
    let spec: CardSpec = super::body(req).await?;
    let spec = spec.validate()?;
    let id = rng::new_id("card");
    call.set_target(id.clone());
    let card =
        catalogue::put_card(call.env, call.ws(), environment, &id, &spec, call.now, true).await?;
    super::answer(201, &card)
}

/// `PUT /v1/admin/cards/{id}`
pub(super) async fn put_card(req: &Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let environment = call.environment()?;
    let spec: CardSpec = super::body(req).await?;
    let spec = spec.validate()?;
    let card = catalogue::put_card(
        call.env,
        call.ws(),
        environment,
        call.id()?,
        &spec,
        call.now,
        false,
    )
    .await?;
    super::answer(200, &card)
}

/// `GET /v1/admin/rewards`
pub(super) async fn rewards(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let data = catalogue::rewards(call.env, call.ws(), call.environment()?).await?;
    super::answer(
        200,
        &Page {
            data,
            next_cursor: None,
        },
    )
}

/// `POST /v1/admin/rewards` and `PUT /v1/admin/rewards/{id}`
pub(super) async fn put_reward(
    req: &Request,
    call: &AdminCall<'_>,
    create: bool,
) -> Result<Response, Failure> {
    let environment = call.environment()?;
    let spec: RewardSpec = super::body(req).await?;
    let spec = spec.validate()?;
    let id = if create {
        let id = rng::new_id("rwd");
        call.set_target(id.clone());
        id
    } else {
        call.id()?.to_owned()
    };
    let reward = catalogue::put_reward(
        call.env,
        call.ws(),
        environment,
        &id,
        &spec,
        call.now,
        create,
    )
    .await?;
    super::answer(if create { 201 } else { 200 }, &reward)
}

/// `GET /v1/admin/claims`
pub(super) async fn claims(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let environment = call.environment()?;
    let status = rules::status_filter(call.query.get("status"))?;
    let cursor = call.query.pair_cursor()?;
    let limit = call.query.limit(50, 200)?;
    let (data, next_cursor) =
        claims::list(&call.claims(environment), status, cursor, limit).await?;
    super::answer(200, &Page { data, next_cursor })
}

/// `POST /v1/admin/claims/{id}/approve` and `…/reject`
pub(super) async fn decide(
    req: &Request,
    call: &AdminCall<'_>,
    verdict: Verdict,
) -> Result<Response, Failure> {
    let environment = call.environment()?;
    let reason = match verdict {
        Verdict::Reject => {
            let body: RejectClaim = super::body(req).await?;
            Some(rules::rejection_reason(Some(&body.reason))?)
        }
        Verdict::Approve => None,
    };
    let programs = programs(call, environment).await?;
    let id = call.id()?;
    if !rules::is_claim_id(id) {
        return Err(ErrorCode::ClaimNotFound.into());
    }
    let claim = claims::decide(
        &call.claims(environment),
        &programs,
        id,
        verdict,
        reason,
        call.now,
    )
    .await?;
    // The shopper's widget shows the credit on its next read.
    let origin = req.origin()?;
    crate::widget_cache::forget(
        call.ctx,
        origin,
        call.ws(),
        environment,
        &claim.customer_id,
        None,
    );
    super::answer(200, &claim)
}
