//! Customers: read a profile, create or rename one.

use tally_core::ledger;
use tally_core::wire::PutCustomer;
use tally_core::{ApiError, ErrorCode};
use worker::{Request, Response};

use super::{ok, Call};
use crate::error::Failure;
use crate::http;
use crate::wallet;

/// `GET /v1/customers/{id}`
pub(super) async fn get(call: &Call<'_>) -> Result<Response, Failure> {
    let id = call.customer_id()?;
    let view = call.view(&id).await?;
    ok(&view.customer.ok_or(ErrorCode::CustomerNotFound)?)
}

/// `PUT /v1/customers/{id}`
pub(super) async fn put(call: &Call<'_>, req: &mut Request) -> Result<Response, Failure> {
    let id = call.customer_id()?;
    let body: PutCustomer = http::parse_json(&http::body(req).await?)?;
    let name = ledger::validate_text("name", &body.name, 120)?;
    if name.is_empty() {
        return Err(
            ApiError::with_message(ErrorCode::InvalidRequest, "`name` must not be empty.").into(),
        );
    }
    let customer = call
        .wallet(
            &id,
            wallet::PutProfile {
                customer_id: id.clone(),
                name,
                now: call.now,
            },
        )
        .await?;
    ok(&customer.ok_or(ErrorCode::Internal)?)
}
