//! Step 8: rate limits, with the Workers Rate Limiting bindings (per Cloudflare location,
//! no storage round trip; simulated locally by `wrangler dev`).
//!
//! Three buckets, sized in `wrangler.toml`: per secret key, per publishable key, and per
//! publishable key and client ip (so one abusive client cannot spend a storefront's whole
//! allowance). A limiter that cannot be reached fails open and says so in the log: the
//! limits protect capacity, the verifier protects data.

use tally_core::key::KeyKind;
use tally_core::verifier::{Grant, RateSubject};
use tally_core::{ApiError, ErrorCode};
use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::worker_sys::RateLimiter;
use worker::Env;

use crate::error::Failure;

/// The bindings' period, seconds (`simple.period` in `wrangler.toml`): what `Retry-After` says.
pub(crate) const PERIOD_SECONDS: u32 = 10;

pub(crate) async fn check(env: &Env, grant: &Grant, ip: Option<&str>) -> Result<(), Failure> {
    for subject in grant.rate_limit_subjects(ip) {
        let (binding, key) = match (&subject, grant.kind) {
            (RateSubject::Key(id), KeyKind::Secret) => ("SECRET_KEY_LIMITER", id.clone()),
            (RateSubject::Key(id), KeyKind::Publishable) => ("PUBLISHABLE_KEY_LIMITER", id.clone()),
            (RateSubject::KeyAndIp(id, ip), _) => ("PUBLISHABLE_IP_LIMITER", format!("{id}|{ip}")),
        };
        match limit(env, binding, &key).await {
            Ok(false) => {
                let scope = match subject {
                    RateSubject::Key(_) => "this key",
                    RateSubject::KeyAndIp(..) => "this key from this address",
                };
                return Err(Failure {
                    error: ApiError::with_message(
                        ErrorCode::RateLimited,
                        format!(
                            "Too many requests for {scope}; retry in {PERIOD_SECONDS} seconds."
                        ),
                    ),
                    retry_after: Some(PERIOD_SECONDS),
                    allow: None,
                });
            }
            Ok(true) => {}
            Err(e) => {
                worker::console_error!("rate limiter {binding} unavailable, failing open: {e:?}")
            }
        }
    }
    Ok(())
}

/// One count against `binding`'s bucket for `key`: whether it is within the limit.
///
/// The binding's own API, called directly: `worker::RateLimiter` finds the binding by its
/// constructor's name and goes through serde for a one-field object each way, which was a
/// measurable part of every keyed request's CPU.
async fn limit(env: &Env, binding: &str, key: &str) -> Result<bool, JsValue> {
    let limiter = js_sys::Reflect::get(env, &JsValue::from_str(binding))?;
    if limiter.is_undefined() {
        return Err(JsValue::from_str("no such binding"));
    }
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &JsValue::from_str("key"), &JsValue::from_str(key))?;
    let outcome = JsFuture::from(limiter.unchecked_into::<RateLimiter>().limit(options)?).await?;
    js_sys::Reflect::get(&outcome, &JsValue::from_str("success"))?
        .as_bool()
        .ok_or_else(|| JsValue::from_str("no success field in the outcome"))
}

/// Sign-in attempts per client address (`SIGN_IN_LIMITER`: 20 a minute), so passwords
/// cannot be guessed at the speed of the network. Fails open like the others.
pub(crate) async fn check_sign_in(env: &Env, ip: &str) -> Result<(), Failure> {
    match limit(env, "SIGN_IN_LIMITER", &format!("signin|{ip}")).await {
        Ok(false) => Err(Failure {
            error: ApiError::with_message(
                ErrorCode::RateLimited,
                "Too many sign-in attempts from this address; retry in a minute.",
            ),
            retry_after: Some(60),
            allow: None,
        }),
        Ok(true) => Ok(()),
        Err(e) => {
            worker::console_error!("rate limiter SIGN_IN_LIMITER unavailable, failing open: {e:?}");
            Ok(())
        }
    }
}
