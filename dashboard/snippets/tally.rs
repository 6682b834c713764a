//! Tally from your Rust server: a shopper's customer token, and coins credited and debited with
//! your secret key. Cargo.toml: hmac = "0.12", sha2 = "0.10", base64 = "0.22",
//! serde_json = "1", ureq = { version = "2", features = ["json"] }.
//! Run: cargo run -- cus_123 order-1042

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

/// For `<tally-wallet customer-token="…">`: HS256, signed with the identity secret as shown.
fn customer_token(customer_id: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let head = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = json!({ "sub": customer_id, "iat": now, "exp": now + 3600 });
    let signing_input = format!("{head}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut mac = Hmac::<Sha256>::new_from_slice(env("TALLY_IDENTITY_SECRET").as_bytes())
        .expect("HMAC takes any key length");
    mac.update(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

/// Idempotent: a retry with the same key is answered once, never paid twice.
fn coins(
    direction: &str,
    customer_id: &str,
    amount: i64,
    reason: &str,
    idempotency_key: &str,
) -> Result<Value, String> {
    let url = format!(
        "{}/v1/customers/{customer_id}/coins/{direction}",
        env("TALLY_URL")
    );
    let answer = ureq::post(&url)
        .set(
            "Authorization",
            &format!("Bearer {}", env("TALLY_SECRET_KEY")),
        )
        .set("X-Workspace-Id", &env("TALLY_WORKSPACE_ID"))
        .set("Idempotency-Key", idempotency_key)
        .send_json(json!({ "amount": amount, "reason": reason }));
    match answer {
        Ok(response) => response.into_json().map_err(|e| e.to_string()),
        Err(ureq::Error::Status(_, response)) => {
            let body: Value = response.into_json().map_err(|e| e.to_string())?;
            Err(format!(
                "{}: {}",
                body["error"]["code"], body["error"]["message"]
            ))
        }
        Err(e) => Err(e.to_string()),
    }
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let customer = args.next().unwrap_or_else(|| "cus_123".into());
    let order = args.next().unwrap_or_else(|| "order-1042".into());
    coins(
        "credit",
        &customer,
        10,
        &format!("Order {order}"),
        &format!("{order}-credit"),
    )?;
    let debited = coins(
        "debit",
        &customer,
        5,
        &format!("Redeemed on {order}"),
        &format!("{order}-debit"),
    )?;
    let out = json!({ "customer": customer, "balance": debited["balance"], "token": customer_token(&customer) });
    println!("{out}");
    Ok(())
}
