//! Referrals: a customer's code and link, checking a code, applying one.

use tally_core::ids::validate_customer_id;
use tally_core::referral;
use tally_core::stats::Metric;
use tally_core::time::rfc3339;
use tally_core::webhook::Event;
use tally_core::wire::{AppliedReferral, ApplyReferral, CustomerReferral, ReferralCodeCheck};
use tally_core::ErrorCode;
use worker::Response;

use super::{ok, Call};
use crate::error::Failure;
use crate::http;
use crate::http::Request;
use crate::referrals as codes;
use crate::wallet;
use crate::{logs, rng, webhooks};

/// `GET /v1/customers/{id}/referral`: the code is registered on first use.
pub(super) async fn customer_referral(call: &Call<'_>) -> Result<Response, Failure> {
    let id = call.customer_id()?;
    let view = call.view(&id).await?;
    let code = call.referral_code(&id, &view).await?;
    ok(&CustomerReferral {
        customer_id: id,
        referral: call.referral(code, view.referral_count),
    })
}

/// `GET /v1/referrals/{code}`
pub(super) async fn validate(call: &Call<'_>) -> Result<Response, Failure> {
    let raw = call.route.code.as_deref().unwrap_or_default();
    let code = referral::normalize_code(raw).ok_or(ErrorCode::ReferralCodeNotFound)?;
    codes::owner(call.env, &call.grant.workspace_id, call.grant.env, &code)
        .await?
        .ok_or(ErrorCode::ReferralCodeNotFound)?;
    ok(&ReferralCodeCheck {
        code,
        valid: true,
        reward: call.workspace.referral_reward_text.clone(),
    })
}

/// `POST /v1/referrals/apply`
pub(super) async fn apply(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    let body: ApplyReferral = http::parse_json(&http::body(req).await?)?;
    let referee = validate_customer_id(&body.customer_id)?.to_owned();
    let code = referral::normalize_code(&body.code).ok_or(ErrorCode::ReferralCodeNotFound)?;
    let (ws, env) = (&call.grant.workspace_id, call.grant.env);
    let referrer = codes::owner(call.env, ws, env, &code)
        .await?
        .ok_or(ErrorCode::ReferralCodeNotFound)?;
    if referrer == referee {
        return Err(ErrorCode::SelfReferral.into());
    }
    let applied = codes::record(call.env, ws, env, &referee, &referrer, &code, call.now).await?;
    if applied.referrer_id != referrer || applied.code != code {
        return Err(ErrorCode::AlreadyReferred.into());
    }
    // Idempotent per referee: a retry after a failure here completes the reward once.
    let reward = call.workspace.referral_reward_coins;
    let recorded = call
        .wallet(
            &referrer,
            wallet::RecordReferral {
                customer_id: referrer.clone(),
                referee_id: referee.clone(),
                reward,
                reason: format!("Referral: {referee} joined with code {code}"),
                entry_id: rng::new_id("led"),
                now: call.now,
            },
        )
        .await?;
    call.forget_views(&referrer);
    let answer = AppliedReferral {
        code,
        referrer_id: referrer,
        referee_id: referee,
        reward_coins: reward,
        referrer_count: recorded.count,
        created_at: rfc3339(applied.created_at),
    };
    // Retries find the first application's row: only the request that wrote it announces it.
    if applied.created_at == call.now {
        logs::count(ws, Metric::CoinsCredited, reward);
        webhooks::emit_later(call.env, call.ctx, ws, env, Event::ReferralApplied, &answer);
    }
    ok(&answer)
}
