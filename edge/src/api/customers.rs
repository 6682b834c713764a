//! Customers (members): list, enrol, read a profile, rename.

use tally_core::ledger;
use tally_core::wire::{NewCustomer, Page, PutCustomer};
use tally_core::{ApiError, ErrorCode};
use worker::Response;

use super::{ok, Call};
use crate::catalogue;
use crate::error::Failure;
use crate::http;
use crate::http::Request;
use crate::respond;
use crate::{rng, wallet};

/// `GET /v1/customers`: the customers index, newest first.
pub(super) async fn list(call: &Call<'_>) -> Result<Response, Failure> {
    let before = call.query.int_cursor()?;
    let limit = call.query.limit(20, 100)?;
    let (data, next) = catalogue::list_customers(
        call.env,
        &call.grant.workspace_id,
        call.grant.env,
        before,
        limit,
    )
    .await?;
    ok(&Page {
        data,
        next_cursor: next.map(|n| n.to_string()),
    })
}

/// `POST /v1/customers`: enrols a shopper; `customer_exists` when the id is taken.
pub(super) async fn create(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    let body: NewCustomer = http::parse_json(&http::body(req).await?)?;
    let body = body.validate()?;
    let id = body.id.unwrap_or_else(|| rng::new_id("cus"));
    let customer = call
        .wallet(
            &id,
            wallet::CreateProfile {
                customer_id: id.clone(),
                name: body.name,
                email: body.email,
                now: call.now,
            },
        )
        .await?;
    call.met(&id, true, Some(&customer));
    call.forget_views(&id);
    Ok(respond::json(201, &customer, &[]))
}

/// `GET /v1/customers/{id}`
pub(super) async fn get(call: &Call<'_>) -> Result<Response, Failure> {
    let id = call.customer_id()?;
    let view = call.view(&id).await?;
    ok(&view.customer.ok_or(ErrorCode::CustomerNotFound)?)
}

/// `PUT /v1/customers/{id}`
pub(super) async fn put(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
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
    let customer = customer.ok_or(ErrorCode::Internal)?;
    call.met(&id, true, Some(&customer));
    call.forget_views(&id);
    ok(&customer)
}
