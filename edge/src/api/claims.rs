//! Claims with a secret key: file, list, read, approve, reject. The rules and the storage
//! are shared with the dashboard's queue (`crate::claims`).

use tally_core::claims::{self as rules, Verdict};
use tally_core::ids::validate_idempotency_key;
use tally_core::wire::Page;
use tally_core::ErrorCode;
use worker::Response;

use super::{ok, Call};
use crate::claims;
use crate::error::Failure;
use crate::http;
use crate::http::Request;
use crate::respond;

impl Call<'_> {
    fn claims(&self) -> claims::Scope<'_> {
        claims::Scope {
            env: self.env,
            ctx: self.ctx,
            ws: &self.grant.workspace_id,
            environment: self.grant.env,
        }
    }

    fn claim_id(&self) -> Result<&str, Failure> {
        self.route
            .claim_id
            .as_deref()
            .ok_or_else(|| ErrorCode::ClaimNotFound.into())
    }
}

/// `POST /v1/claims`
pub(super) async fn create(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    let header = http::header(req, "idempotency-key");
    let idempotency_key = validate_idempotency_key(header.as_deref())?.to_owned();
    let body = http::body(req).await?;
    let programs = call.workspace.programs();
    let (claim, replayed) =
        claims::file(&call.claims(), &programs, &body, idempotency_key, call.now).await?;
    // A replay answers what the first request did: 201 and the same claim.
    Ok(respond::json(201, &claim, &super::replayed(replayed)))
}

/// `GET /v1/claims`
pub(super) async fn list(call: &Call<'_>) -> Result<Response, Failure> {
    let status = rules::status_filter(call.query.get("status"))?;
    let cursor = call.query.pair_cursor()?;
    let limit = call.query.limit(20, 100)?;
    let (data, next_cursor) = claims::list(&call.claims(), status, cursor, limit).await?;
    ok(&Page { data, next_cursor })
}

/// `GET /v1/claims/{claim_id}`
pub(super) async fn get(call: &Call<'_>) -> Result<Response, Failure> {
    ok(&claims::get(&call.claims(), call.claim_id()?).await?)
}

/// `POST /v1/claims/{claim_id}/approve`
pub(super) async fn approve(call: &Call<'_>) -> Result<Response, Failure> {
    let programs = call.workspace.programs();
    let claim = claims::decide(
        &call.claims(),
        &programs,
        call.claim_id()?,
        Verdict::Approve,
        None,
        call.now,
    )
    .await?;
    call.forget_views(&claim.customer_id);
    ok(&claim)
}

/// `POST /v1/claims/{claim_id}/reject`
pub(super) async fn reject(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    let reason = rules::parse_rejection(&http::body(req).await?)?;
    let programs = call.workspace.programs();
    let claim = claims::decide(
        &call.claims(),
        &programs,
        call.claim_id()?,
        Verdict::Reject,
        Some(reason),
        call.now,
    )
    .await?;
    call.forget_views(&claim.customer_id);
    ok(&claim)
}
