//! The request pipeline: every request to the Worker that is not a static asset comes
//! through [`handle`].
//!
//! 1. Read what the decision needs from the request (headers, query) into plain values.
//! 2. Step 0 on every path (`tally_core::screen`): a secret key in the URL, or from a
//!    browser, is refused and recorded before anything else is looked at.
//! 3. Answer CORS preflights (never allowing `Authorization`) and public routes.
//! 4. Run the verifier: `tally_core::verifier::extract` (steps 1–2), the key lookup
//!    (step 3, [`keys`]), `authorize` (steps 3–6), the customer token (step 7), rate limits
//!    (step 8). A refusal that is an exposure is recorded before it is answered.
//! 5. Hand the [`Call`] to a handler; map any failure to JSON in `error`; add request id,
//!    cache and CORS headers; log the decision off the response path.

use tally_core::caller::{BrowserSignals, CallerClass};
use tally_core::key::{self, KeyHash, KeyKind};
use tally_core::route::{self, Route};
use tally_core::screen;
use tally_core::verifier::{self, Cors, Credentials, Denial, RequestFacts};
use tally_core::ErrorCode;
use worker::{Context, Env, Headers, Response};

use crate::api::{self, Call};
use crate::error::{self, Failure};
use crate::exposures::{self, Witness};
use crate::http::Request;
use crate::http::{self, Query};
use crate::keys::{self, KeyContext};
use crate::logs::{self, LogRow};
use crate::{admin, identity, limits, public, rng, store};

/// What the pipeline learns about a request as it goes, for headers and the log.
struct Exchange {
    request_id: String,
    started: i64,
    method: String,
    route: &'static str,
    cors: Cors,
    caller: CallerClass,
    workspace_id: Option<String>,
    key_id: Option<String>,
    logged: bool,
    /// The request carries a secret key: its answer never has CORS headers.
    carries_secret: bool,
}

/// The parts of a request the decision reads, as owned values.
struct Incoming {
    /// The path as received (percent-encoded).
    path: String,
    /// The query string as received.
    raw_query: Option<String>,
    /// The Worker's own origin (the control plane answers only it).
    own_origin: String,
    query: Query,
    content_type: Option<String>,
    authorization: Option<String>,
    workspace_header: Option<String>,
    origin: Option<String>,
    sec_fetch_site: Option<String>,
    sec_fetch_dest: Option<String>,
    sec_fetch_mode: Option<String>,
    preflight: bool,
    ip: Option<String>,
    user_agent: Option<String>,
    customer_token_header: Option<String>,
}

impl Incoming {
    fn read(req: &Request, method: &str) -> Result<Self, Failure> {
        let target = req.target()?;
        let h = |name| http::header(req, name);
        Ok(Incoming {
            path: target.path.to_owned(),
            raw_query: target.query.map(str::to_owned),
            own_origin: target.origin.to_owned(),
            query: Query::parse(&target),
            content_type: h("content-type"),
            authorization: h("authorization"),
            workspace_header: h("x-workspace-id"),
            origin: h("origin"),
            sec_fetch_site: h("sec-fetch-site"),
            sec_fetch_dest: h("sec-fetch-dest"),
            sec_fetch_mode: h("sec-fetch-mode"),
            preflight: method == "OPTIONS" && h("access-control-request-method").is_some(),
            ip: h("cf-connecting-ip"),
            user_agent: h("user-agent"),
            customer_token_header: h("x-customer-token"),
        })
    }

    fn signals(&self) -> BrowserSignals<'_> {
        BrowserSignals {
            origin: self.origin.as_deref(),
            sec_fetch_site: self.sec_fetch_site.as_deref(),
            sec_fetch_dest: self.sec_fetch_dest.as_deref(),
            sec_fetch_mode: self.sec_fetch_mode.as_deref(),
            is_preflight: self.preflight,
        }
    }

    /// The `key` parameter, or any query value that claims to be a secret key: a secret key
    /// in a URL is refused under whatever name it travels.
    fn query_key(&self) -> Option<&str> {
        self.query
            .values()
            .find(|v| key::claimed_kind(v) == Some(KeyKind::Secret))
            .or_else(|| self.query.get("key"))
    }

    fn credentials(&self) -> Credentials<'_> {
        Credentials {
            authorization: self.authorization.as_deref(),
            query_key: self.query_key(),
            workspace_header: self.workspace_header.as_deref(),
            workspace_query: self.query.get("ws"),
        }
    }

    fn witness(&self, route: &'static str) -> Witness<'_> {
        Witness {
            origin: self.origin.as_deref(),
            ip: self.ip.as_deref(),
            user_agent: self.user_agent.as_deref(),
            route,
        }
    }
}

/// Answers one request. Never fails: every error becomes a JSON response.
pub(crate) async fn handle(req: Request, env: Env, ctx: Context) -> Response {
    let mut ex = Exchange {
        request_id: rng::request_id(),
        started: store::now_ms(),
        method: req.method(),
        route: "unknown",
        cors: Cors::None,
        caller: CallerClass::Server,
        workspace_id: None,
        key_id: None,
        logged: false,
        carries_secret: false,
    };
    let result = run(&req, &env, &ctx, &mut ex).await;
    let (mut resp, error_code) = match result {
        Ok(r) => (r, None),
        Err(f) => (error::response(&f, &ex.request_id), Some(f.code().as_str())),
    };
    finish_headers(resp.headers_mut(), &ex);
    if ex.logged {
        let now = store::now_ms();
        logs::push(
            LogRow {
                request_id: ex.request_id,
                workspace_id: ex.workspace_id,
                key_id: ex.key_id,
                method: ex.method,
                route: ex.route,
                status: resp.status_code(),
                latency_ms: now - ex.started,
                caller: ex.caller.as_str(),
                error_code,
                created_at: now,
            },
            &env,
            &ctx,
        );
    }
    resp
}

fn finish_headers(h: &mut Headers, ex: &Exchange) {
    let _ = h.set("X-Request-Id", &ex.request_id);
    let _ = h.set("X-Content-Type-Options", "nosniff");
    if h.get("Cache-Control").ok().flatten().is_none() {
        let _ = h.set("Cache-Control", "no-store");
    }
    let cors = if ex.carries_secret {
        &Cors::None
    } else {
        &ex.cors
    };
    match cors {
        Cors::None => {
            let _ = h.delete("Access-Control-Allow-Origin");
        }
        Cors::Any => {
            let _ = h.set("Access-Control-Allow-Origin", "*");
        }
        Cors::Origin(o) => {
            let _ = h.set("Access-Control-Allow-Origin", o);
            let _ = h.append("Vary", "Origin");
        }
    }
    if !matches!(cors, Cors::None) {
        let _ = h.set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
    }
}

async fn run(
    req: &Request,
    env: &Env,
    ctx: &Context,
    ex: &mut Exchange,
) -> Result<Response, Failure> {
    let inc = Incoming::read(req, &ex.method)?;
    let admin_path = tally_core::admin::is_admin_path(&inc.path);

    // Step 0, on every path: before routing, a secret key in the URL or from a browser.
    let screen = screen::screen(
        &inc.path,
        inc.raw_query.as_deref(),
        inc.authorization.as_deref(),
        &inc.signals(),
    );
    ex.carries_secret = screen.carries_secret;
    if let Some((denial, hash)) = screen.refusal {
        ex.logged = true;
        ex.caller = inc.signals().classify();
        ex.route = route_name(&ex.method, &inc.path, admin_path);
        return Err(refuse(env, ctx, denial, hash, None, &inc, ex).await);
    }

    if admin_path {
        // The control plane: session cookies, never keys, never CORS, same origin only.
        ex.cors = Cors::None;
        ex.caller = inc.signals().classify();
        tally_core::admin::screen_request(
            &ex.method,
            inc.content_type.as_deref(),
            inc.sec_fetch_site.as_deref(),
            inc.origin.as_deref(),
            &inc.own_origin,
        )?;
        if inc.preflight {
            ex.route = "preflight";
            return Ok(Response::empty()?.with_status(204));
        }
        let method = ex.method.clone();
        return admin::handle(req, env, ctx, &method, &inc.path, &inc.query, &mut ex.route).await;
    }
    if inc.preflight {
        return preflight(&inc, ex);
    }
    let route = route::resolve(&ex.method, &inc.path)?;
    ex.route = route.op.name();
    if !route.op.needs_key() {
        ex.cors = public::cors(route.op);
        return public::answer(route.op, env).await;
    }
    ex.logged = true;
    ex.caller = inc.signals().classify();
    authorize_and_dispatch(req, env, ctx, ex, &inc, &route).await
}

async fn authorize_and_dispatch(
    req: &Request,
    env: &Env,
    ctx: &Context,
    ex: &mut Exchange,
    inc: &Incoming,
    route: &Route,
) -> Result<Response, Failure> {
    let creds = inc.credentials();
    // Errors about a publishable key may be read by the page that sent it.
    let claimed = creds
        .authorization
        .and_then(|a| a.split_whitespace().nth(1))
        .or(creds.query_key);
    ex.cors = verifier::early_cors(claimed.and_then(key::claimed_kind), inc.origin.as_deref());

    // Steps 1–2.
    let presented = match verifier::extract(&creds) {
        Ok(p) => p,
        Err(denial) => {
            let leaked = creds
                .query_key
                .and_then(|k| key::parse(k).ok())
                .map(|k| k.hash());
            return Err(refuse(env, ctx, denial, leaked, None, inc, ex).await);
        }
    };

    // Step 3: lookup.
    let hash = presented.hash;
    let context = keys::lookup(env, &hash).await?;
    if let Some(c) = &context {
        ex.key_id = Some(c.record.id.clone());
        ex.workspace_id = Some(c.record.workspace_id.clone());
    }
    let now = store::now_ms();
    let facts = RequestFacts {
        signals: inc.signals(),
        credentials: creds,
        now,
    };

    // Steps 3–6.
    let grant = match verifier::authorize(
        &presented,
        context.as_ref().map(|c| &c.record),
        &facts,
        route.op,
    ) {
        Ok(g) => g,
        Err(denial) => {
            return Err(refuse(env, ctx, denial, Some(hash), context.as_deref(), inc, ex).await)
        }
    };
    ex.cors = grant.cors.clone();
    keys::touch(&grant.key_id, now, env, ctx);

    // Step 7: customer token.
    let token = inc
        .query
        .get("token")
        .or(inc.customer_token_header.as_deref());
    let claims = if verifier::token_required(route.op, grant.kind) {
        let secrets = identity::secrets(env, &grant.workspace_id, grant.env).await?;
        identity::VERIFIED.with_borrow_mut(|verified| {
            verifier::check_customer_token(
                &grant,
                route.op,
                route.customer_id.as_deref(),
                token,
                &secrets,
                now,
                verified,
            )
        })?
    } else {
        None
    };

    // Step 8: rate limits.
    limits::check(env, &grant, inc.ip.as_deref()).await?;

    let Some(context) = context else {
        return Err(ErrorCode::Internal.into());
    };
    let call = Call {
        env,
        ctx,
        origin: inc.own_origin.clone(),
        grant: &grant,
        workspace: &context.workspace,
        route,
        claims,
        query: &inc.query,
        now,
        version: std::cell::Cell::new(0),
    };
    api::dispatch(&call, req).await
}

/// Turns a denial into a failure (`exposures::refuse` records an exposure first) and notes
/// what the log and the headers need: a secret key's refusal never has CORS headers.
async fn refuse(
    env: &Env,
    ctx: &Context,
    denial: Denial,
    hash: Option<KeyHash>,
    known: Option<&KeyContext>,
    inc: &Incoming,
    ex: &mut Exchange,
) -> Failure {
    if denial.exposure.is_some() {
        ex.cors = Cors::None;
    }
    let refusal = exposures::refuse(env, ctx, denial, hash, known, &inc.witness(ex.route)).await;
    if let Some((workspace_id, key_id)) = refusal.key {
        ex.workspace_id = Some(workspace_id);
        ex.key_id = Some(key_id);
    }
    refusal.failure
}

/// A CORS preflight. It carries no key (browsers never send credentials on one; a secret
/// key in its URL was refused by step 0). The answer allows simple GETs only and never
/// `Authorization`: a header-borne key cannot be sent cross-origin at all.
fn preflight(inc: &Incoming, ex: &mut Exchange) -> Result<Response, Failure> {
    ex.caller = CallerClass::Browser;
    ex.route = "preflight";
    // Preflights carry no key; the answer reads like one for a publishable key.
    ex.cors = verifier::early_cors(Some(KeyKind::Publishable), inc.origin.as_deref());
    let h = Headers::new();
    let _ = h.set("Access-Control-Allow-Methods", "GET");
    let _ = h.set("Access-Control-Max-Age", "600");
    Ok(Response::empty()?.with_status(204).with_headers(h))
}

/// The operation's name for the request log, when the path and method name one.
fn route_name(method: &str, path: &str, admin_path: bool) -> &'static str {
    if admin_path {
        tally_core::admin::resolve(method, path).map_or("unknown", |r| r.op.name())
    } else {
        route::resolve(method, path).map_or("unknown", |r| r.op.name())
    }
}
