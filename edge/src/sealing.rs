//! Secrets at rest (`tally_core::seal`): AES-256-GCM through WebCrypto, under the Worker
//! secret `TALLY_SECRETS_KEY` (`wrangler secret put TALLY_SECRETS_KEY`; locally, `.dev.vars`,
//! which `make dev` and the tests generate).
//!
//! Identity secrets and webhook signing secrets pass through here on their way into D1 and
//! back; nothing else in the edge sees their stored form. Without the Worker secret the
//! edge refuses to store or use them (`internal_error`, logged), never falls back to the
//! clear.

use tally_core::seal::{self, MasterKey, Purpose, Sealed};
use tally_core::ErrorCode;
use worker::js_sys::{self, Array, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::web_sys::{AesGcmParams, CryptoKey, SubtleCrypto};
use worker::Env;

use crate::error::Failure;
use crate::rng::PlatformRng;

/// The Worker secret's name.
pub(crate) const SECRET_NAME: &str = "TALLY_SECRETS_KEY";

fn failed(what: &str) -> Failure {
    worker::console_error!("sealing: {what}");
    ErrorCode::Internal.into()
}

fn master_keys(env: &Env) -> Result<Vec<MasterKey>, Failure> {
    let text = env
        .secret(SECRET_NAME)
        .map_err(|_| failed("the Worker secret TALLY_SECRETS_KEY is not set"))?
        .to_string();
    seal::parse_master_keys(&text).map_err(|e| failed(&e.to_string()))
}

fn subtle() -> Result<SubtleCrypto, Failure> {
    let crypto: worker::web_sys::Crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())
        .map_err(|_| failed("no crypto global"))?
        .unchecked_into();
    Ok(crypto.subtle())
}

async fn import(subtle: &SubtleCrypto, key: &MasterKey) -> Result<CryptoKey, Failure> {
    let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
    let promise = subtle
        .import_key_with_str(
            "raw",
            &Uint8Array::from(&key.bytes[..]),
            "AES-GCM",
            false,
            &usages,
        )
        .map_err(|e| failed(&format!("importKey: {e:?}")))?;
    Ok(JsFuture::from(promise)
        .await
        .map_err(|e| failed(&format!("importKey: {e:?}")))?
        .unchecked_into())
}

fn params(nonce: &[u8], aad: &[u8]) -> AesGcmParams {
    let p = AesGcmParams::new("AES-GCM", &Uint8Array::from(nonce));
    p.set_additional_data(&Uint8Array::from(aad));
    p
}

async fn run(promise: Result<js_sys::Promise, JsValue>) -> Result<Vec<u8>, JsValue> {
    let out = JsFuture::from(promise?).await?;
    Ok(Uint8Array::new(&out).to_vec())
}

/// Seals `plaintext` for `purpose` under the current master key.
pub(crate) async fn seal(
    env: &Env,
    purpose: Purpose<'_>,
    plaintext: &[u8],
) -> Result<String, Failure> {
    let keys = master_keys(env)?;
    let key = keys.first().ok_or_else(|| failed("no master key"))?;
    let subtle = subtle()?;
    let crypto_key = import(&subtle, key).await?;
    let nonce = seal::new_nonce(&mut PlatformRng);
    let ciphertext = run(subtle.encrypt_with_object_and_u8_array(
        &params(&nonce, &purpose.aad()),
        &crypto_key,
        plaintext,
    ))
    .await
    .map_err(|e| failed(&format!("encrypt: {e:?}")))?;
    Ok(Sealed {
        key_id: key.id.clone(),
        nonce,
        ciphertext,
    }
    .encode())
}

/// Opens a sealed value stored for `purpose`.
pub(crate) async fn open(env: &Env, purpose: Purpose<'_>, text: &str) -> Result<Vec<u8>, Failure> {
    let sealed = Sealed::decode(text).map_err(|e| failed(&e.to_string()))?;
    let keys = master_keys(env)?;
    let key = sealed.key(&keys).map_err(|e| failed(&e.to_string()))?;
    let subtle = subtle()?;
    let crypto_key = import(&subtle, key).await?;
    run(subtle.decrypt_with_object_and_u8_array(
        &params(&sealed.nonce, &purpose.aad()),
        &crypto_key,
        &sealed.ciphertext,
    ))
    .await
    .map_err(|_| failed("a sealed value does not open (wrong key, or altered)"))
}

/// Opens a sealed text secret.
pub(crate) async fn open_text(
    env: &Env,
    purpose: Purpose<'_>,
    text: &str,
) -> Result<String, Failure> {
    String::from_utf8(open(env, purpose, text).await?).map_err(|_| failed("not UTF-8"))
}
