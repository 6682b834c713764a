//! The routes that need no key: health, the OpenAPI document and its readable page.
//!
//! The document and the page are static assets (`scripts/assets.mjs` puts them under
//! `v1/`), not bytes inside the Worker. The Worker still answers their paths
//! (`run_worker_first` for `/v1/*` in `wrangler.toml`; `/docs` has no asset of its own), so
//! step 0 and the CORS rule apply to them like to every API path.

use tally_core::route::Operation;
use tally_core::verifier::Cors;
use tally_core::wire::Health;
use tally_core::ErrorCode;
use worker::{Env, Headers, Response};

use crate::error::Failure;
use crate::respond;

/// Who may read the answer from another origin: the document, anyone (code generators
/// and API explorers run anywhere).
pub(crate) fn cors(op: Operation) -> Cors {
    if op == Operation::OpenApi {
        Cors::Any
    } else {
        Cors::None
    }
}

/// Answers a public operation.
pub(crate) async fn answer(op: Operation, env: &Env) -> Result<Response, Failure> {
    match op {
        Operation::OpenApi => {
            asset(env, "v1/openapi.json", "application/json; charset=utf-8").await
        }
        Operation::Docs => asset(env, "v1/docs.html", "text/html; charset=utf-8").await,
        Operation::Dashboard | Operation::DashboardPage => {
            let mut page = asset(env, "v1/dashboard.html", "text/html; charset=utf-8").await?;
            let h = page.headers_mut();
            // Its own scripts only (and their wasm); same-origin calls; never framed.
            let _ = h.set(
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
                 img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            );
            let _ = h.set("Cache-Control", "no-cache");
            let _ = h.set("Referrer-Policy", "same-origin");
            Ok(page)
        }
        _ => Ok(respond::json(
            200,
            &Health {
                status: "ok".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            &[],
        )),
    }
}

async fn asset(env: &Env, path: &str, content_type: &str) -> Result<Response, Failure> {
    let asset = env
        .assets("ASSETS")?
        .fetch(format!("https://assets.local/{path}"), None)
        .await?;
    if asset.status_code() != 200 {
        worker::console_error!("{path} is missing from the assets");
        return Err(ErrorCode::Internal.into());
    }
    let h = Headers::new();
    let _ = h.set("Content-Type", content_type);
    let _ = h.set("Cache-Control", "public, max-age=300");
    Ok(Response::from_body(asset.body().clone())?.with_headers(h))
}
