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
        let outcome = match env.rate_limiter(binding) {
            Ok(limiter) => limiter.limit(key).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(o) if !o.success => {
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
            Ok(_) => {}
            Err(e) => {
                worker::console_error!("rate limiter {binding} unavailable, failing open: {e}")
            }
        }
    }
    Ok(())
}

/// Sign-in attempts per client address (`SIGN_IN_LIMITER`: 20 a minute), so passwords
/// cannot be guessed at the speed of the network. Fails open like the others.
pub(crate) async fn check_sign_in(env: &Env, ip: &str) -> Result<(), Failure> {
    let outcome = match env.rate_limiter("SIGN_IN_LIMITER") {
        Ok(limiter) => limiter.limit(format!("signin|{ip}")).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(o) if !o.success => Err(Failure {
            error: ApiError::with_message(
                ErrorCode::RateLimited,
                "Too many sign-in attempts from this address; retry in a minute.",
            ),
            retry_after: Some(60),
            allow: None,
        }),
        Ok(_) => Ok(()),
        Err(e) => {
            worker::console_error!("rate limiter SIGN_IN_LIMITER unavailable, failing open: {e}");
            Ok(())
        }
    }
}
