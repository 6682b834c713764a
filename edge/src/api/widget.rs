//! `GET /v1/widget`: everything the storefront widget shows, in one read.

use tally_core::wire::{WidgetCoins, WidgetCustomer, WidgetView};
use worker::Response;

use super::{ok, Call};
use crate::error::Failure;

pub(super) async fn read(call: &Call<'_>) -> Result<Response, Failure> {
    let id = call.customer_id()?;
    let view = call.view(&id).await?;
    let code = call.referral_code(&id, &view).await?;
    ok(&WidgetView {
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
