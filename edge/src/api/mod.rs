//! The data plane's handlers, one file per resource: customers, coins, referrals, customer
//! tokens and the widget's read. Authorization has already happened (see `app`); handlers
//! only see a [`Call`]. A new operation is a row in `tally_core::route` and a function here.

mod cashback;
mod catalogue;
mod claims;
mod coins;
mod customers;
mod referrals;
mod stamps;
mod tokens;
mod widget;

use tally_core::ids::validate_customer_id;
use tally_core::programs::{Program, Programs};
use tally_core::referral;
use tally_core::route::{Operation, Route};
use tally_core::token::Claims;
use tally_core::verifier::Grant;
use tally_core::wire::{Customer, Referral};
use tally_core::ErrorCode;
use worker::{Context, Env, Response};

use crate::error::Failure;
use crate::http::Query;
use crate::http::Request;
use crate::keys::WorkspaceSettings;
use crate::respond;
use crate::wallet::{self, WalletRequest, WalletView};

/// Everything a handler may use.
pub(crate) struct Call<'a> {
    pub(crate) env: &'a Env,
    pub(crate) ctx: &'a Context,
    /// This Worker's own origin, as the request reached it.
    pub(crate) origin: String,
    pub(crate) grant: &'a Grant,
    pub(crate) workspace: &'a WorkspaceSettings,
    pub(crate) route: &'a Route,
    pub(crate) claims: Option<Claims>,
    pub(crate) query: &'a Query,
    pub(crate) now: i64,
    /// The highest wallet version the request's wallet calls answered.
    pub(crate) version: std::cell::Cell<i64>,
}

impl Call<'_> {
    /// The customer the request is about: the path's, or (widget) the token's.
    pub(super) fn customer_id(&self) -> Result<String, Failure> {
        match (&self.route.customer_id, &self.claims) {
            (Some(id), _) => Ok(id.clone()),
            (None, Some(c)) => Ok(validate_customer_id(&c.sub)?.to_owned()),
            (None, None) => Err(ErrorCode::InvalidCustomerId.into()),
        }
    }

    /// Asks the customer's wallet; the answer's type is the request's. The wallet's version
    /// is kept for [`Call::version`].
    pub(super) async fn wallet<R: WalletRequest>(
        &self,
        customer_id: &str,
        request: R,
    ) -> Result<R::Answer, Failure> {
        let (answer, version) = wallet::call(
            self.env,
            &self.grant.workspace_id,
            self.grant.env,
            customer_id,
            request,
        )
        .await?;
        self.version.set(self.version.get().max(version));
        Ok(answer)
    }

    /// The wallet's version after this request's wallet calls (read-your-writes).
    pub(super) fn version(&self) -> i64 {
        self.version.get()
    }

    /// After a write to `customer`'s wallet: the widget's cached views of them are dropped,
    /// so the next read, from any reader, goes to the wallet.
    pub(super) fn forget_views(&self, customer: &str) {
        crate::widget_cache::forget(
            self.ctx,
            &self.origin,
            &self.grant.workspace_id,
            self.grant.env,
            customer,
            u64::try_from(self.version()).ok(),
        );
    }

    pub(super) async fn view(&self, customer_id: &str) -> Result<WalletView, Failure> {
        self.wallet(
            customer_id,
            wallet::View {
                customer_id: customer_id.to_owned(),
            },
        )
        .await
    }

    /// The customer's referral code, registering it on first use.
    pub(super) async fn referral_code(
        &self,
        customer_id: &str,
        view: &WalletView,
    ) -> Result<String, Failure> {
        if let Some(code) = &view.referral_code {
            return Ok(code.clone());
        }
        let code = crate::referrals::register_code(
            self.env,
            &self.grant.workspace_id,
            self.grant.env,
            customer_id,
            self.now,
        )
        .await?;
        let stored = self
            .wallet(
                customer_id,
                wallet::SetReferralCode {
                    customer_id: customer_id.to_owned(),
                    code: code.clone(),
                    now: self.now,
                },
            )
            .await?;
        Ok(stored.unwrap_or(code))
    }

    /// Records a webhook event of this workspace and environment, delivered off the
    /// response path.
    pub(super) fn emit(&self, event: tally_core::webhook::Event, body: &impl serde::Serialize) {
        crate::webhooks::emit_later(
            self.env,
            self.ctx,
            &self.grant.workspace_id,
            self.grant.env,
            event,
            body,
        );
    }

    /// A history page's request: the customer, `cursor` (entries before it) and `limit`.
    pub(super) fn history(&self) -> Result<(String, Option<i64>, i64), Failure> {
        Ok((
            self.customer_id()?,
            self.query.int_cursor()?,
            self.query.limit(20, 100)?,
        ))
    }

    /// The workspace's programs, once `program` is checked to be on.
    pub(super) fn program(&self, program: Program) -> Result<Programs, Failure> {
        let programs = self.workspace.programs();
        programs.require(program)?;
        Ok(programs)
    }

    /// After a write that met a shopper for the first time (or changed their profile),
    /// indexes them for `GET /v1/customers`, off the response path.
    pub(super) fn met(&self, id: &str, new: bool, profile: Option<&Customer>) {
        if !new {
            return;
        }
        let now = tally_core::time::rfc3339(self.now);
        let fallback = Customer {
            id: id.to_owned(),
            name: None,
            email: None,
            created_at: now.clone(),
            updated_at: now,
        };
        crate::catalogue::index_customer_later(
            self.env,
            self.ctx,
            &self.grant.workspace_id,
            self.grant.env,
            profile.unwrap_or(&fallback),
        );
    }

    pub(super) fn referral(&self, code: String, count: i64) -> Referral {
        Referral {
            link: referral::link(&self.workspace.referral_url, &code),
            code,
            count,
            reward: self.workspace.referral_reward_text.clone(),
        }
    }
}

/// `Idempotent-Replayed: true` on a write answered from its first result.
pub(super) fn replayed(replayed: bool) -> Vec<(&'static str, String)> {
    if replayed {
        vec![("Idempotent-Replayed", "true".to_owned())]
    } else {
        vec![]
    }
}

/// A 200 answer with a wire type.
pub(super) fn ok<T: serde::Serialize>(body: &T) -> Result<Response, Failure> {
    Ok(respond::json(200, body, &[]))
}

/// Runs the operation.
pub(crate) async fn dispatch(call: &Call<'_>, req: &Request) -> Result<Response, Failure> {
    match call.route.op {
        Operation::Widget => widget::read(call, req).await,
        Operation::GetCustomer => customers::get(call).await,
        Operation::PutCustomer => customers::put(call, req).await,
        Operation::GetCoins => coins::balance(call).await,
        Operation::ListCoinTransactions => coins::transactions(call).await,
        Operation::CreditCoins => coins::credit(call, req).await,
        Operation::DebitCoins => coins::debit(call, req).await,
        Operation::GetCustomerReferral => referrals::customer_referral(call).await,
        Operation::ValidateReferralCode => referrals::validate(call).await,
        Operation::ApplyReferral => referrals::apply(call, req).await,
        Operation::CreateCustomerToken => tokens::create(call, req).await,
        Operation::ListCustomers => customers::list(call).await,
        Operation::CreateCustomer => customers::create(call, req).await,
        Operation::GetStamps => stamps::get(call).await,
        Operation::ListStampTransactions => stamps::transactions(call).await,
        Operation::AddStamps => stamps::add(call, req).await,
        Operation::RedeemStamps => stamps::redeem(call, req).await,
        Operation::GetCashback => cashback::balance(call).await,
        Operation::ListCashbackTransactions => cashback::transactions(call).await,
        Operation::CreditCashback => cashback::credit(call, req).await,
        Operation::RedeemCashback => cashback::redeem(call, req).await,
        Operation::ListCards => catalogue::cards(call).await,
        Operation::ListRewards => catalogue::rewards(call).await,
        Operation::CreateClaim => claims::create(call, req).await,
        Operation::ListClaims => claims::list(call).await,
        Operation::GetClaim => claims::get(call).await,
        Operation::ApproveClaim => claims::approve(call).await,
        Operation::RejectClaim => claims::reject(call, req).await,
        // Public operations are answered before authorization.
        Operation::Health
        | Operation::OpenApi
        | Operation::Docs
        | Operation::Dashboard
        | Operation::DashboardPage => Err(ErrorCode::NotFound.into()),
    }
}
