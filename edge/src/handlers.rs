//! One function per data-plane operation: read the request, call storage, shape the answer.
//! Authorization has already happened (see `app`); handlers only see a [`Call`].

use tally_core::ids::{validate_customer_id, validate_idempotency_key};
use tally_core::ledger::{self, Direction};
use tally_core::referral;
use tally_core::route::{Operation, Route};
use tally_core::time::rfc3339;
use tally_core::token::{self, Claims};
use tally_core::verifier::Grant;
use tally_core::webhook::Event;
use tally_core::wire::{
    AppliedReferral, ApplyReferral, CoinBalance, CoinMutationResult, CustomerReferral,
    CustomerTokenRequest, CustomerTokenResponse, Page, PutCustomer, Referral, ReferralCodeCheck,
    WidgetCoins, WidgetCustomer, WidgetView,
};
use tally_core::{ApiError, ErrorCode};
use worker::{Context, Env, Request, Response};

use crate::error::Failure;
use crate::http::{self, Query};
use crate::keys::WorkspaceSettings;
use crate::wallet::{self, History, Mutated, ReferralRecorded, WalletOp, WalletView};
use crate::{identity, referrals, rng, webhooks};

/// Everything a handler may use.
pub(crate) struct Call<'a> {
    pub(crate) env: &'a Env,
    pub(crate) ctx: &'a Context,
    pub(crate) grant: &'a Grant,
    pub(crate) workspace: &'a WorkspaceSettings,
    pub(crate) route: &'a Route,
    pub(crate) claims: Option<Claims>,
    pub(crate) query: &'a Query,
    pub(crate) now: i64,
}

impl Call<'_> {
    /// The customer the request is about: the path's, or (widget) the token's.
    fn customer_id(&self) -> Result<String, Failure> {
        match (&self.route.customer_id, &self.claims) {
            (Some(id), _) => Ok(id.clone()),
            (None, Some(c)) => Ok(validate_customer_id(&c.cid)?.to_owned()),
            (None, None) => Err(ErrorCode::InvalidCustomerId.into()),
        }
    }

    async fn wallet<T: serde::de::DeserializeOwned>(
        &self,
        customer_id: &str,
        op: &WalletOp,
    ) -> Result<T, Failure> {
        wallet::call(
            self.env,
            &self.grant.workspace_id,
            self.grant.env,
            customer_id,
            op,
        )
        .await
    }

    async fn view(&self, customer_id: &str) -> Result<WalletView, Failure> {
        self.wallet(
            customer_id,
            &WalletOp::View {
                customer_id: customer_id.to_owned(),
            },
        )
        .await
    }

    /// The customer's referral code, registering it on first use.
    async fn referral_code(&self, customer_id: &str, view: &WalletView) -> Result<String, Failure> {
        if let Some(code) = &view.referral_code {
            return Ok(code.clone());
        }
        let code = referrals::register_code(
            self.env,
            &self.grant.workspace_id,
            self.grant.env,
            customer_id,
            self.now,
        )
        .await?;
        let stored: Option<String> = self
            .wallet(
                customer_id,
                &WalletOp::SetReferralCode {
                    customer_id: customer_id.to_owned(),
                    code: code.clone(),
                    now: self.now,
                },
            )
            .await?;
        Ok(stored.unwrap_or(code))
    }

    fn referral(&self, code: String, count: i64) -> Referral {
        Referral {
            link: referral::link(&self.workspace.referral_url, &code),
            code,
            count,
            reward: self.workspace.referral_reward_text.clone(),
        }
    }
}

fn ok<T: serde::Serialize>(body: &T) -> Result<Response, Failure> {
    Ok(http::json(200, body, &[]))
}

/// Runs the operation.
pub(crate) async fn dispatch(call: &Call<'_>, req: &mut Request) -> Result<Response, Failure> {
    match call.route.op {
        Operation::Widget => widget(call).await,
        Operation::GetCustomer => {
            let id = call.customer_id()?;
            let view = call.view(&id).await?;
            ok(&view.customer.ok_or(ErrorCode::CustomerNotFound)?)
        }
        Operation::PutCustomer => put_customer(call, req).await,
        Operation::GetCoins => {
            let id = call.customer_id()?;
            let view = call.view(&id).await?;
            ok(&CoinBalance {
                customer_id: id,
                balance: view.balance,
                label: call.workspace.coin_label.clone(),
            })
        }
        Operation::ListCoinTransactions => transactions(call).await,
        Operation::CreditCoins => mutate(call, req, Direction::Credit).await,
        Operation::DebitCoins => mutate(call, req, Direction::Debit).await,
        Operation::GetCustomerReferral => {
            let id = call.customer_id()?;
            let view = call.view(&id).await?;
            let code = call.referral_code(&id, &view).await?;
            ok(&CustomerReferral {
                customer_id: id,
                referral: call.referral(code, view.referral_count),
            })
        }
        Operation::ValidateReferralCode => validate_code(call).await,
        Operation::ApplyReferral => apply_referral(call, req).await,
        Operation::CreateCustomerToken => customer_token(call, req).await,
        // Public operations are answered before authorization.
        Operation::Health | Operation::OpenApi | Operation::Docs => Err(ErrorCode::NotFound.into()),
    }
}

async fn widget(call: &Call<'_>) -> Result<Response, Failure> {
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

async fn put_customer(call: &Call<'_>, req: &mut Request) -> Result<Response, Failure> {
    let id = call.customer_id()?;
    let body: PutCustomer = http::parse_json(&http::body(req).await?)?;
    let name = ledger::validate_text("name", &body.name, 120)?;
    if name.is_empty() {
        return Err(
            ApiError::with_message(ErrorCode::InvalidRequest, "`name` must not be empty.").into(),
        );
    }
    let customer: Option<tally_core::wire::Customer> = call
        .wallet(
            &id,
            &WalletOp::PutProfile {
                customer_id: id.clone(),
                name,
                now: call.now,
            },
        )
        .await?;
    ok(&customer.ok_or(ErrorCode::Internal)?)
}

async fn transactions(call: &Call<'_>) -> Result<Response, Failure> {
    let id = call.customer_id()?;
    let before = call.query.int_cursor()?;
    let limit = call.query.limit(20, 100)?;
    let history: History = call
        .wallet(
            &id,
            &WalletOp::Transactions {
                customer_id: id.clone(),
                before,
                limit,
            },
        )
        .await?;
    ok(&Page {
        data: history.entries,
        next_cursor: history.next_before.map(|n| n.to_string()),
    })
}

async fn mutate(
    call: &Call<'_>,
    req: &mut Request,
    direction: Direction,
) -> Result<Response, Failure> {
    let id = call.customer_id()?;
    let header = http::header(req, "idempotency-key");
    let idempotency_key = validate_idempotency_key(header.as_deref())?.to_owned();
    let mutation = ledger::parse_mutation(direction, &http::body(req).await?)?;
    let result: Mutated = call
        .wallet(
            &id,
            &WalletOp::Mutate {
                customer_id: id.clone(),
                idempotency_key,
                mutation,
                entry_id: rng::new_id("led"),
                now: call.now,
            },
        )
        .await?;
    let body = CoinMutationResult {
        customer_id: id,
        balance: result.balance,
        label: call.workspace.coin_label.clone(),
        entry: result.entry,
    };
    if !result.replayed {
        let kind = match direction {
            Direction::Credit => Event::CoinsCredited,
            Direction::Debit => Event::CoinsDebited,
        };
        webhooks::emit_later(
            call.env,
            call.ctx,
            &call.grant.workspace_id,
            call.grant.env,
            kind,
            serde_json::to_value(&body)?,
        );
    }
    let extra = if result.replayed {
        vec![("Idempotent-Replayed", "true".to_owned())]
    } else {
        vec![]
    };
    Ok(http::json(200, &body, &extra))
}

async fn validate_code(call: &Call<'_>) -> Result<Response, Failure> {
    let raw = call.route.code.as_deref().unwrap_or_default();
    let code = referral::normalize_code(raw).ok_or(ErrorCode::ReferralCodeNotFound)?;
    referrals::owner(call.env, &call.grant.workspace_id, call.grant.env, &code)
        .await?
        .ok_or(ErrorCode::ReferralCodeNotFound)?;
    ok(&ReferralCodeCheck {
        code,
        valid: true,
        reward: call.workspace.referral_reward_text.clone(),
    })
}

async fn apply_referral(call: &Call<'_>, req: &mut Request) -> Result<Response, Failure> {
    let body: ApplyReferral = http::parse_json(&http::body(req).await?)?;
    let referee = validate_customer_id(&body.customer_id)?.to_owned();
    let code = referral::normalize_code(&body.code).ok_or(ErrorCode::ReferralCodeNotFound)?;
    let (ws, env) = (&call.grant.workspace_id, call.grant.env);
    let referrer = referrals::owner(call.env, ws, env, &code)
        .await?
        .ok_or(ErrorCode::ReferralCodeNotFound)?;
    if referrer == referee {
        return Err(ErrorCode::SelfReferral.into());
    }
    let applied =
        referrals::record(call.env, ws, env, &referee, &referrer, &code, call.now).await?;
    if applied.referrer_id != referrer || applied.code != code {
        return Err(ErrorCode::AlreadyReferred.into());
    }
    // Idempotent per referee: a retry after a failure here completes the reward once.
    let reward = call.workspace.referral_reward_coins;
    let recorded: ReferralRecorded = call
        .wallet(
            &referrer,
            &WalletOp::RecordReferral {
                customer_id: referrer.clone(),
                referee_id: referee.clone(),
                reward,
                reason: format!("Referral: {referee} joined with code {code}"),
                entry_id: rng::new_id("led"),
                now: call.now,
            },
        )
        .await?;
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
        webhooks::emit_later(
            call.env,
            call.ctx,
            ws,
            env,
            Event::ReferralApplied,
            serde_json::to_value(&answer)?,
        );
    }
    ok(&answer)
}

async fn customer_token(call: &Call<'_>, req: &mut Request) -> Result<Response, Failure> {
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
    let exp = call.now / 1000 + ttl;
    let claims = Claims {
        ws: call.grant.workspace_id.clone(),
        env: call.grant.env.as_str().to_owned(),
        cid,
        exp,
        kid: current.kid.clone(),
    };
    ok(&CustomerTokenResponse {
        token: token::sign(&claims, &current.secret),
        expires_at: rfc3339(exp * 1000),
    })
}
