//! Tally's edge: a Cloudflare Worker (workers-rs).
//!
//! Thin glue around `tally-core`: [`app`] turns a `worker::Request` into core types, asks the
//! core to decide, calls storage, and turns the answer into a `Response`. Storage lives in
//! one small module per store: [`keys`] and [`identity`] (D1 behind isolate caches),
//! [`wallet`] (a Durable Object per shopper wallet: the coin ledger), [`referrals`],
//! [`exposures`] and [`logs`] (D1). Errors become HTTP in one place, [`error`].

mod admin;
mod api;
mod app;
mod catalogue;
mod claims;
mod error;
mod exposures;

mod http;
mod identity;
mod keys;
mod limits;
mod logs;
mod public;
mod referrals;
mod respond;
mod rng;
mod sealing;
mod store;
mod wallet;
mod webhooks;
mod widget_cache;

use worker::worker_sys::web_sys;
use worker::{event, Context, Env, Response, Result, ScheduleContext, ScheduledEvent};

pub use wallet::Wallet;
pub use webhooks::WebhookDispatcher;

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> Result<Response> {
    Ok(app::handle(http::Request::new(req), env, ctx).await)
}

/// The hourly cron (`[triggers]` in `wrangler.toml`): `api_key.expiring` for keys that
/// expire within 7 days, once per key.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    webhooks::announce_expiring_keys(&env).await;
}
