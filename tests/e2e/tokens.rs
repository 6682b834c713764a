//! Customer tokens are JWTs any library mints: tokens signed by npm `jsonwebtoken` 9 and
//! PyPI `PyJWT` 2 with the demo identity secret exactly as the dashboard shows it read the
//! demo shopper's widget, and every malformed, forged or out-of-policy token is refused with
//! the right code.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};
use tally_e2e::{unique_ip, world, Answer};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn output(cmd: &mut Command) -> String {
    let out = cmd.current_dir(root()).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `jwt.sign(payload, secret, options)` with npm jsonwebtoken (package-lock.json).
fn jsonwebtoken(payload: Value, secret: &str, options: Value) -> String {
    const SIGN: &str = "const jwt = require('jsonwebtoken'); \
        const [payload, secret, options] = JSON.parse(process.argv[1]); \
        process.stdout.write(jwt.sign(payload, secret, options));";
    let args = json!([payload, secret, options]).to_string();
    output(Command::new("node").args(["-e", SIGN, &args]))
}

/// `jwt.encode(payload, secret, algorithm="HS256")` with PyJWT (tests/requirements.txt).
fn pyjwt(payload: Value, secret: &str) -> String {
    const SIGN: &str = "import json, sys, jwt; \
        print(jwt.encode(json.loads(sys.argv[1]), sys.argv[2], algorithm='HS256'))";
    let python = root().join(".venv/bin/python");
    output(Command::new(python).args(["-c", SIGN, &payload.to_string(), secret]))
}

/// PyJWT keyed by the secret's base64url-decoded bytes: how the old format was keyed, and
/// not how a merchant's one line keys it.
fn pyjwt_decoded_key(payload: Value, secret: &str) -> String {
    const SIGN: &str = "import base64, json, sys, jwt; \
        key = base64.urlsafe_b64decode(sys.argv[2] + '=' * (-len(sys.argv[2]) % 4)); \
        print(jwt.encode(json.loads(sys.argv[1]), key, algorithm='HS256'))";
    let python = root().join(".venv/bin/python");
    output(Command::new(python).args(["-c", SIGN, &payload.to_string(), secret]))
}

/// The storefront's read with the demo publishable key and this token.
fn widget(token: &str) -> Answer {
    let w = world();
    w.client.send(
        "GET",
        &w.widget_path(&w.demo.publishable_key, Some(token)),
        &[("CF-Connecting-IP", &unique_ip())],
        None,
    )
}

#[test]
fn a_token_from_npm_jsonwebtoken_or_pyjwt_reads_the_shoppers_widget() {
    let w = world();
    let secret = &w.demo.identity_secret;
    let sub = &w.demo.customer_id;
    for token in [
        // The README's one line: `jwt.sign({ sub }, secret, { expiresIn: "5m" })`.
        jsonwebtoken(json!({"sub": sub}), secret, json!({"expiresIn": "5m"})),
        jsonwebtoken(
            json!({"sub": sub, "aud": "tally"}),
            secret,
            json!({"expiresIn": "24h", "keyid": w.demo.identity_secret_kid}),
        ),
        pyjwt(json!({"sub": sub, "exp": now() + 300}), secret),
    ] {
        let a = widget(&token);
        assert_eq!(a.status, 200, "{token}: {}", a.text);
        assert_eq!(a.body["customer"]["id"], sub.as_str());
    }
}

#[test]
fn forged_foreign_and_out_of_policy_tokens_are_refused_with_the_right_code() {
    let w = world();
    let secret = w.demo.identity_secret.as_str();
    let sub = w.demo.customer_id.as_str();
    let other_workspace = w.fixture_json("admin_owner")["identity_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let n = now();
    let good = jsonwebtoken(json!({"sub": sub}), secret, json!({"expiresIn": "5m"}));
    let flipped = {
        let (signed, sig) = good.rsplit_once('.').unwrap();
        let mut sig = sig.as_bytes().to_vec();
        sig[0] = if sig[0] == b'A' { b'B' } else { b'A' };
        format!("{signed}.{}", String::from_utf8(sig).unwrap())
    };
    let cases = [
        (
            "alg none",
            jsonwebtoken(
                json!({"sub": sub}),
                "",
                json!({"algorithm": "none", "expiresIn": "5m"}),
            ),
            "invalid_customer_token",
        ),
        (
            "HS512 with the same secret",
            jsonwebtoken(
                json!({"sub": sub}),
                secret,
                json!({"algorithm": "HS512", "expiresIn": "5m"}),
            ),
            "invalid_customer_token",
        ),
        ("a flipped signature bit", flipped, "invalid_customer_token"),
        (
            "expired by 61 s",
            jsonwebtoken(
                json!({"sub": sub, "iat": n - 400, "exp": n - 61}),
                secret,
                json!({}),
            ),
            "expired_customer_token",
        ),
        (
            "a 48 h lifetime",
            jsonwebtoken(json!({"sub": sub}), secret, json!({"expiresIn": "48h"})),
            "invalid_customer_token",
        ),
        (
            "aud other",
            jsonwebtoken(
                json!({"sub": sub, "aud": "other"}),
                secret,
                json!({"expiresIn": "5m"}),
            ),
            "invalid_customer_token",
        ),
        (
            "a numeric sub",
            jsonwebtoken(json!({"sub": 42}), secret, json!({"expiresIn": "5m"})),
            "invalid_customer_token",
        ),
        (
            "an unknown kid",
            jsonwebtoken(
                json!({"sub": sub}),
                secret,
                json!({"expiresIn": "5m", "keyid": "ids_unknown"}),
            ),
            "invalid_customer_token",
        ),
        (
            "a 5 KB token",
            jsonwebtoken(
                json!({"sub": sub, "pad": "x".repeat(5000)}),
                secret,
                json!({"expiresIn": "5m"}),
            ),
            "invalid_customer_token",
        ),
        (
            "another workspace's secret",
            jsonwebtoken(
                json!({"sub": sub}),
                &other_workspace,
                json!({"expiresIn": "5m"}),
            ),
            "invalid_customer_token",
        ),
        (
            "the secret's decoded bytes as the key",
            pyjwt_decoded_key(json!({"sub": sub, "exp": n + 300}), secret),
            "invalid_customer_token",
        ),
    ];
    for (what, token, code) in cases {
        let a = widget(&token);
        assert_eq!((a.status, a.code()), (401, code), "{what}: {}", a.text);
    }
    // The 5 KB token travels in a header as well as the query: refused the same way.
    let big = jsonwebtoken(
        json!({"sub": sub, "pad": "x".repeat(5000)}),
        secret,
        json!({"expiresIn": "5m"}),
    );
    let a = w.client.send(
        "GET",
        &format!(
            "/v1/widget?ws={}&key={}",
            w.demo.workspace_id, w.demo.publishable_key
        ),
        &[
            ("X-Customer-Token", &big),
            ("CF-Connecting-IP", &unique_ip()),
        ],
        None,
    );
    assert_eq!(
        (a.status, a.code()),
        (401, "invalid_customer_token"),
        "{}",
        a.text
    );
    assert_eq!(widget(&good).status, 200, "the good token still reads");
}
