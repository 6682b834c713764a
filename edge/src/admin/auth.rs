//! Sign-in, sessions, sign-out and PINs.
//!
//! Passwords and PINs are checked with PBKDF2-SHA256 through WebCrypto (native code in
//! workerd) at the iteration count stored with each hash. An unknown email costs the same
//! derivation against a decoy, so the answer and its timing do not tell whether the email
//! exists. Sign-in attempts are rate-limited per client address.

use serde::Deserialize;
use tally_core::admin::{self, PinCounters, PinGate, Role};
use tally_core::password::{self, PasswordHash};
use tally_core::time::{rfc3339, UnixMillis};
use tally_core::wire::{
    PinSet, Session, SessionMember, SessionWorkspace, SetPin, SignIn, SignedOut,
};
use tally_core::{ApiError, ErrorCode};
use worker::js_sys::{self, Array, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::{Env, Response};

use super::{AdminCall, AdminIncoming};
use crate::error::Failure;
use crate::http::Request;
use crate::rng::PlatformRng;
use crate::store::{self, Arg};
use crate::{limits, respond};

/// The signed-in member, with their workspace.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) id: String,
    pub(crate) workspace_id: String,
    pub(crate) workspace_name: String,
    pub(crate) workspace_approved: bool,
    pub(crate) email: String,
    pub(crate) role: Role,
    pub(crate) pin_hash: Option<String>,
    pub(crate) pin: PinCounters,
    pub(crate) session_expires_at: UnixMillis,
}

fn platform(e: JsValue) -> Failure {
    worker::console_error!("WebCrypto: {e:?}");
    ErrorCode::Internal.into()
}

/// PBKDF2-HMAC-SHA256 through WebCrypto.
pub(crate) async fn derive(secret: &str, salt: &[u8], iterations: u32) -> Result<Vec<u8>, Failure> {
    let crypto: worker::web_sys::Crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
        .map_err(platform)?
        .unchecked_into();
    let subtle = crypto.subtle();
    let key_data = Uint8Array::from(secret.as_bytes());
    let usages = Array::of1(&"deriveBits".into());
    let key: worker::web_sys::CryptoKey = JsFuture::from(
        subtle
            .import_key_with_str("raw", &key_data, "PBKDF2", false, &usages)
            .map_err(platform)?,
    )
    .await
    .map_err(platform)?
    .unchecked_into();
    let params = worker::web_sys::Pbkdf2Params::new_with_str(
        "PBKDF2",
        "SHA-256",
        iterations,
        &Uint8Array::from(salt),
    );
    let bits = JsFuture::from(
        subtle
            .derive_bits_with_object(&params, &key, (password::DIGEST_LEN * 8) as u32)
            .map_err(platform)?,
    )
    .await
    .map_err(platform)?;
    Ok(Uint8Array::new(&bits).to_vec())
}

/// Hashes a new password or PIN.
pub(crate) async fn hash_new(secret: &str) -> Result<String, Failure> {
    let salt = password::new_salt(&mut PlatformRng);
    let digest = derive(secret, &salt, password::ITERATIONS).await?;
    let digest: [u8; password::DIGEST_LEN] = digest
        .try_into()
        .map_err(|_| Failure::from(ErrorCode::Internal))?;
    Ok(PasswordHash {
        iterations: password::ITERATIONS,
        salt,
        digest,
    }
    .encode())
}

/// Whether `secret` matches the stored hash (a damaged hash never matches).
pub(crate) async fn verify(secret: &str, stored: Option<&str>) -> Result<bool, Failure> {
    let parsed = stored.and_then(PasswordHash::parse);
    let target = parsed.clone().unwrap_or_else(password::decoy);
    let derived = derive(secret, &target.salt, target.iterations).await?;
    Ok(parsed.is_some() && target.matches(&derived))
}

#[derive(Deserialize)]
struct CredentialRow {
    id: String,
    password_hash: String,
}

pub(super) async fn sign_in(
    req: &Request,
    env: &Env,
    inc: &AdminIncoming,
) -> Result<Response, Failure> {
    limits::check_sign_in(env, &inc.ip).await?;
    let body: SignIn = super::body(req).await?;
    let email = admin::normalize_email(&body.email).unwrap_or_default();
    let db = store::db(env)?;
    let row: Option<CredentialRow> = store::first(
        &db,
        "SELECT id, password_hash FROM members WHERE email = ?1",
        &[Arg::Text(&email)],
    )
    .await?;
    let matched = verify(
        &body.password,
        row.as_ref().map(|r| r.password_hash.as_str()),
    )
    .await?;
    let Some(row) = row.filter(|_| matched) else {
        return Err(ErrorCode::InvalidCredentials.into());
    };
    let token = admin::new_session_token(&mut PlatformRng);
    let now = store::now_ms();
    db.batch(vec![
        store::stmt(
            &db,
            "DELETE FROM sessions WHERE member_id = ?1 AND expires_at <= ?2",
            &[Arg::Text(&row.id), Arg::Int(now)],
        )?,
        store::stmt(
            &db,
            "INSERT INTO sessions (token_hash, member_id, created_at, expires_at, ip, user_agent) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                Arg::Text(&admin::session_digest(&token)),
                Arg::Text(&row.id),
                Arg::Int(now),
                Arg::Int(now + admin::SESSION_TTL_MS),
                Arg::Text(&inc.ip),
                Arg::Text(&inc.user_agent),
            ],
        )?,
    ])
    .await?;
    let member = session(env, &token).await?;
    let mut resp = session_answer(&member, &token);
    let _ = resp
        .headers_mut()
        .set("Set-Cookie", &admin::session_cookie(&token));
    Ok(resp)
}

#[derive(Deserialize)]
struct SessionRow {
    member_id: String,
    expires_at: i64,
    workspace_id: String,
    email: String,
    role: String,
    pin_hash: Option<String>,
    pin_failures: i64,
    pin_locked_until: Option<i64>,
    workspace_name: String,
    workspace_status: String,
}

/// The member signed in with `token`, or `not_signed_in`.
pub(super) async fn session(env: &Env, token: &str) -> Result<Member, Failure> {
    let db = store::db(env)?;
    let digest = admin::session_digest(token);
    let row: Option<SessionRow> = store::first(
        &db,
        "SELECT s.member_id, s.expires_at, m.workspace_id, m.email, m.role, m.pin_hash, m.pin_failures, m.pin_locked_until, \
         w.name AS workspace_name, w.status AS workspace_status \
         FROM sessions s JOIN members m ON m.id = s.member_id JOIN workspaces w ON w.id = m.workspace_id \
         WHERE s.token_hash = ?1",
        &[Arg::Text(&digest)],
    ).await?;
    let now = store::now_ms();
    let Some(row) = row else {
        return Err(ErrorCode::NotSignedIn.into());
    };
    if row.expires_at <= now {
        store::stmt(
            &db,
            "DELETE FROM sessions WHERE token_hash = ?1",
            &[Arg::Text(&digest)],
        )?
        .run()
        .await?;
        return Err(ApiError::with_message(
            ErrorCode::NotSignedIn,
            "Your session has expired; sign in again.",
        )
        .into());
    }
    let role = Role::parse(&row.role).ok_or_else(|| Failure::from(ErrorCode::Internal))?;
    Ok(Member {
        id: row.member_id,
        workspace_id: row.workspace_id,
        workspace_name: row.workspace_name,
        workspace_approved: row.workspace_status == "approved",
        email: row.email,
        role,
        pin_hash: row.pin_hash,
        pin: PinCounters {
            failures: row.pin_failures,
            locked_until: row.pin_locked_until,
        },
        session_expires_at: row.expires_at,
    })
}

/// `{"member","csrf_token","workspace","expires_at"}`.
pub(super) fn session_answer(m: &Member, token: &str) -> Response {
    respond::json(
        200,
        &Session {
            member: SessionMember {
                id: m.id.clone(),
                email: m.email.clone(),
                role: m.role.as_str().to_owned(),
                pin_set: m.pin_hash.is_some(),
            },
            csrf_token: admin::csrf_token(token),
            workspace: SessionWorkspace {
                id: m.workspace_id.clone(),
                name: m.workspace_name.clone(),
                status: if m.workspace_approved {
                    "approved"
                } else {
                    "pending"
                }
                .to_owned(),
            },
            expires_at: rfc3339(m.session_expires_at),
        },
        &[],
    )
}

pub(super) async fn sign_out(env: &Env, token: &str) -> Result<Response, Failure> {
    let db = store::db(env)?;
    store::stmt(
        &db,
        "DELETE FROM sessions WHERE token_hash = ?1",
        &[Arg::Text(&admin::session_digest(token))],
    )?
    .run()
    .await?;
    let mut resp = respond::json(200, &SignedOut { signed_out: true }, &[]);
    let _ = resp
        .headers_mut()
        .set("Set-Cookie", &admin::cleared_cookie());
    Ok(resp)
}

/// The PIN gate: missing → 403 `pin_required`; locked → 423; wrong → 403 `pin_invalid`
/// (the fifth counted attempt that is wrong locks for 15 minutes).
///
/// The attempt is counted in one atomic `UPDATE … RETURNING` **before** the PIN is checked
/// (`tally_core::admin::COUNT_PIN_ATTEMPT_SQL`): parallel guesses each take a number, and
/// only numbers 1 to 5 are checked at all, so N parallel guesses never get N tries, and the
/// right PIN after the lock is refused like any other.
pub(super) async fn check_pin(
    env: &Env,
    member: &Member,
    presented: Option<&str>,
    now: UnixMillis,
) -> Result<(), Failure> {
    if member.pin.is_locked(now) {
        return Err(locked(member.pin.locked_until));
    }
    let Some(pin) = presented.filter(|p| !p.is_empty()) else {
        return Err(ErrorCode::PinRequired.into());
    };
    if member.pin_hash.is_none() {
        return Err(ApiError::with_message(
            ErrorCode::PinRequired,
            "Set your PIN first (PUT /v1/admin/pin); this action needs it.",
        )
        .into());
    }
    let db = store::db(env)?;
    let lock_end = now + admin::PIN_LOCK_MS;
    let counted: Option<CountedRow> = store::first(
        &db,
        admin::COUNT_PIN_ATTEMPT_SQL,
        &[
            Arg::Text(&member.id),
            Arg::Int(now),
            Arg::Int(admin::MAX_PIN_FAILURES),
            Arg::Int(lock_end),
        ],
    )
    .await?;
    let attempt = match admin::pin_gate(
        counted
            .as_ref()
            .map(|c| (c.attempt, c.locked_until.is_some())),
    ) {
        PinGate::Check { attempt } => attempt,
        PinGate::Locked => {
            let until = match counted.and_then(|c| c.locked_until) {
                Some(t) => Some(t),
                None => read_lock(env, &member.id).await?,
            };
            return Err(locked(until));
        }
    };
    if verify(pin, member.pin_hash.as_deref()).await? {
        store::stmt(
            &db,
            "UPDATE members SET pin_failures = 0 WHERE id = ?1 AND pin_locked_until IS NULL",
            &[Arg::Text(&member.id)],
        )?
        .run()
        .await?;
        return Ok(());
    }
    let left = admin::tries_left(attempt);
    if left == 0 {
        store::stmt(
            &db,
            "UPDATE members SET pin_locked_until = ?2 WHERE id = ?1 AND pin_locked_until IS NULL",
            &[Arg::Text(&member.id), Arg::Int(lock_end)],
        )?
        .run()
        .await?;
    }
    Err(ApiError::with_message(
        ErrorCode::PinInvalid,
        if left > 0 {
            format!("The PIN is not correct; {left} attempts left before a 15-minute lock.")
        } else {
            "The PIN is not correct; PIN-guarded actions are now locked for 15 minutes.".to_owned()
        },
    )
    .into())
}

#[derive(Deserialize)]
struct CountedRow {
    attempt: i64,
    locked_until: Option<i64>,
}

fn locked(until: Option<UnixMillis>) -> Failure {
    let message = match until {
        Some(t) => format!(
            "Too many wrong PINs: PIN-guarded actions are locked until {}.",
            rfc3339(t)
        ),
        None => ErrorCode::PinLocked.default_message().to_owned(),
    };
    ApiError::with_message(ErrorCode::PinLocked, message).into()
}

#[derive(Deserialize)]
struct LockRow {
    pin_locked_until: Option<i64>,
}

async fn read_lock(env: &Env, member_id: &str) -> Result<Option<UnixMillis>, Failure> {
    let db = store::db(env)?;
    let row: Option<LockRow> = store::first(
        &db,
        "SELECT pin_locked_until FROM members WHERE id = ?1",
        &[Arg::Text(member_id)],
    )
    .await?;
    Ok(row.and_then(|r| r.pin_locked_until))
}

#[derive(Deserialize)]
struct PasswordRow {
    password_hash: String,
}

/// `PUT /v1/admin/pin`: sets the member's own PIN. The password confirms it is them; it is
/// rate-limited with sign-in (per address and per member), and changing an existing PIN
/// also takes the current one (checked by the guard), so a stolen session cannot choose a
/// PIN. It never touches the attempt counters: it cannot clear a lock.
pub(super) async fn set_pin(
    req: &Request,
    call: &AdminCall<'_>,
    inc: &AdminIncoming,
) -> Result<Response, Failure> {
    limits::check_sign_in(call.env, &inc.ip).await?;
    limits::check_sign_in(call.env, &call.member.id).await?;
    let body: SetPin = super::body(req).await?;
    password::check_new_pin(&body.pin).map_err(|e| {
        Failure::from(ApiError::with_message(
            ErrorCode::InvalidRequest,
            e.to_string(),
        ))
    })?;
    let db = store::db(call.env)?;
    let row: Option<PasswordRow> = store::first(
        &db,
        "SELECT password_hash FROM members WHERE id = ?1",
        &[Arg::Text(&call.member.id)],
    )
    .await?;
    if !verify(
        &body.password,
        row.as_ref().map(|r| r.password_hash.as_str()),
    )
    .await?
    {
        return Err(ErrorCode::InvalidCredentials.into());
    }
    let hash = hash_new(&body.pin).await?;
    store::stmt(
        &db,
        "UPDATE members SET pin_hash = ?2 WHERE id = ?1",
        &[Arg::Text(&call.member.id), Arg::Text(&hash)],
    )?
    .run()
    .await?;
    super::answer(200, &PinSet { pin_set: true })
}
