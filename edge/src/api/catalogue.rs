//! The catalogue: the workspace's stamp cards and rewards.

use tally_core::wire::Page;
use worker::Response;

use super::{ok, Call};
use crate::catalogue;
use crate::error::Failure;

/// `GET /v1/cards`
pub(super) async fn cards(call: &Call<'_>) -> Result<Response, Failure> {
    let cards = catalogue::cards(call.env, &call.grant.workspace_id, call.grant.env).await?;
    ok(&Page {
        data: cards.to_vec(),
        next_cursor: None,
    })
}

/// `GET /v1/rewards`
pub(super) async fn rewards(call: &Call<'_>) -> Result<Response, Failure> {
    ok(&Page {
        data: catalogue::rewards(call.env, &call.grant.workspace_id, call.grant.env).await?,
        next_cursor: None,
    })
}
