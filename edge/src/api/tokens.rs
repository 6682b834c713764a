//! `POST /v1/customer-tokens`: a customer token minted for a merchant's server.

use tally_core::ids::validate_customer_id;
use tally_core::time::rfc3339;
use tally_core::token;
use tally_core::wire::{CustomerTokenRequest, CustomerTokenResponse};
use tally_core::{ApiError, ErrorCode};
use worker::Response;

use super::{ok, Call};
use crate::error::Failure;
use crate::http;
use crate::http::Request;
use crate::identity;

/// Mints a token with the workspace's current identity secret.
pub(super) async fn create(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    let body: CustomerTokenRequest = http::parse_json(&http::body(req).await?)?;
    let cid = validate_customer_id(&body.customer_id)?.to_owned();
    let ttl = body.ttl_seconds.unwrap_or(3600);
    if !(60..=token::MAX_TTL_SECONDS).contains(&ttl) {
        return Err(ApiError::with_message(
            ErrorCode::InvalidRequest,
            format!(
                "`ttl_seconds` must be from 60 to {}.",
                token::MAX_TTL_SECONDS
            ),
        )
        .into());
    }
    let secrets = identity::secrets(call.env, &call.grant.workspace_id, call.grant.env).await?;
    let current = secrets.iter().find(|s| s.retires_at.is_none()).ok_or_else(|| {
        ApiError::with_message(
            ErrorCode::InvalidRequest,
            "This workspace has no identity secret for this environment yet; create one in the dashboard.",
        )
    })?;
    let now = call.now / 1000;
    let exp = now + ttl;
    ok(&CustomerTokenResponse {
        token: token::sign(&cid, now, exp, &current.kid, &current.secret),
        expires_at: rfc3339(exp * 1000),
    })
}
