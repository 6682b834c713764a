//! Identity secrets: the workspace's secrets customer tokens are signed with. Rolled with an
//! overlap, revealed behind the PIN; stored sealed (the edge needs them to verify HMACs).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Deserialize;
use tally_core::admin;
use tally_core::ids::validate_customer_id;
use tally_core::key::Environment;
use tally_core::rng::Csprng;
use tally_core::seal::Purpose;
use tally_core::time::{rfc3339, UnixMillis};
use tally_core::token;
use tally_core::wire::{
    CustomerTokenResponse, IdentitySecretList, IdentitySecretView, PreviewTokenRequest,
    RevealedIdentitySecret, RollIdentitySecret,
};
use tally_core::{ApiError, ErrorCode};
use worker::Response;

use super::AdminCall;
use crate::error::Failure;
use crate::http::Request;
use crate::rng::{self, PlatformRng};
use crate::store::{self, Arg};
use crate::{identity, sealing};

#[derive(Deserialize)]
struct SecretRow {
    kid: String,
    environment: String,
    created_at: i64,
    retires_at: Option<i64>,
}

fn secret_view(r: SecretRow, now: UnixMillis) -> IdentitySecretView {
    let status = match r.retires_at {
        None => "current",
        Some(t) if t * 1000 > now => "retiring",
        Some(_) => "retired",
    };
    IdentitySecretView {
        kid: r.kid,
        environment: r.environment,
        created_at: rfc3339(r.created_at),
        retires_at: r.retires_at.map(|s| rfc3339(s * 1000)),
        status: status.to_owned(),
    }
}

pub(super) async fn list(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let db = store::db(call.env)?;
    let rows: Vec<SecretRow> = store::all(
        &db,
        "SELECT kid, environment, created_at, retires_at FROM identity_secrets WHERE workspace_id = ?1 \
         ORDER BY environment, retires_at IS NOT NULL, created_at DESC",
        &[Arg::Text(call.ws())],
    ).await?;
    let data = rows.into_iter().map(|r| secret_view(r, call.now)).collect();
    super::answer(200, &IdentitySecretList { data })
}

/// `POST /v1/admin/identity-secrets/roll` (PIN): a new current secret (and `kid`); the old
/// one keeps verifying tokens for `overlap_seconds`. Also creates the first one.
pub(super) async fn roll(req: &Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let body: RollIdentitySecret = super::optional_body(req).await?;
    let env = admin::environment_or_test(body.environment.as_deref())?;
    if env == Environment::Prod && !call.member.workspace_approved {
        return Err(ErrorCode::WorkspaceNotApproved.into());
    }
    let overlap = admin::check_overlap(body.overlap_seconds)?;
    let mut secret = [0u8; tally_core::token::SECRET_LEN];
    PlatformRng.fill(&mut secret);
    let encoded = URL_SAFE_NO_PAD.encode(secret);
    let kid = rng::new_id("ids");
    let sealed = sealing::seal(
        call.env,
        Purpose::IdentitySecret {
            workspace_id: call.ws(),
            environment: env.as_str(),
            kid: &kid,
        },
        encoded.as_bytes(),
    )
    .await?;
    let now_s = call.now / 1000;
    let db = store::db(call.env)?;
    db.batch(vec![
        store::stmt(
            &db,
            "UPDATE identity_secrets SET retires_at = ?3 WHERE workspace_id = ?1 AND environment = ?2 AND (retires_at IS NULL OR retires_at > ?3)",
            &[Arg::Text(call.ws()), Arg::Text(env.as_str()), Arg::Int(now_s + overlap)],
        )?,
        store::stmt(
            &db,
            "INSERT INTO identity_secrets (workspace_id, environment, kid, secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            &[
                Arg::Text(call.ws()),
                Arg::Text(env.as_str()),
                Arg::Text(&kid),
                Arg::Text(&sealed),
                Arg::Int(call.now),
            ],
        )?,
    ])
    .await?;
    identity::forget(call.ws(), env);
    call.set_target(kid.as_str());
    let identity_secret = secret_view(
        SecretRow {
            kid: kid.clone(),
            environment: env.as_str().to_owned(),
            created_at: call.now,
            retires_at: None,
        },
        call.now,
    );
    super::answer(
        201,
        &RevealedIdentitySecret {
            identity_secret,
            secret: encoded,
        },
    )
}

#[derive(Deserialize)]
struct RevealRow {
    kid: String,
    environment: String,
    created_at: i64,
    retires_at: Option<i64>,
    secret: String,
}

/// `POST /v1/admin/identity-secrets/{kid}/reveal` (PIN).
pub(super) async fn reveal(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let db = store::db(call.env)?;
    let row: Option<RevealRow> = store::first(
        &db,
        "SELECT kid, environment, created_at, retires_at, secret FROM identity_secrets WHERE workspace_id = ?1 AND kid = ?2",
        &[Arg::Text(call.ws()), Arg::Text(call.id()?)],
    ).await?;
    let row = row.ok_or_else(|| Failure::from(ErrorCode::IdentitySecretNotFound))?;
    let secret = sealing::open_text(
        call.env,
        Purpose::IdentitySecret {
            workspace_id: call.ws(),
            environment: &row.environment,
            kid: &row.kid,
        },
        &row.secret,
    )
    .await?;
    let identity_secret = secret_view(
        SecretRow {
            kid: row.kid,
            environment: row.environment,
            created_at: row.created_at,
            retires_at: row.retires_at,
        },
        call.now,
    );
    super::answer(
        200,
        &RevealedIdentitySecret {
            identity_secret,
            secret,
        },
    )
}

/// `POST /v1/admin/preview-token`: a ten-minute token for a test shopper, signed with the
/// current test identity secret, for the Integration page's widget preview.
pub(super) async fn preview_token(
    req: &Request,
    call: &AdminCall<'_>,
) -> Result<Response, Failure> {
    let body: PreviewTokenRequest = super::body(req).await?;
    let customer = validate_customer_id(&body.customer_id)?;
    let secrets = identity::secrets(call.env, call.ws(), Environment::Test).await?;
    let current = secrets
        .iter()
        .find(|s| s.retires_at.is_none())
        .ok_or_else(|| {
            ApiError::with_message(
            ErrorCode::InvalidRequest,
            "This workspace has no test identity secret yet: roll one on the Identity secret page.",
        )
        })?;
    let now = call.now / 1000;
    let exp = now + admin::PREVIEW_TOKEN_SECONDS;
    super::answer(
        200,
        &CustomerTokenResponse {
            token: token::sign(customer, now, exp, &current.kid, &current.secret),
            expires_at: rfc3339(exp * 1000),
        },
    )
}
