//! Customer token verification: never a panic, and nothing but a correctly signed token for
//! the expected workspace, environment and customer is ever accepted.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tally_core::key::Environment;
use tally_core::token::{self, Claims, Expectation, IdentitySecret};

fuzz_target!(|data: &[u8]| {
    let secret = IdentitySecret {
        kid: "ids_fuzz".into(),
        secret: vec![7; 32],
        retires_at: None,
    };
    let want = Expectation {
        workspace_id: "ws_fuzz",
        env: Environment::Test,
        customer_id: Some("cus_fuzz"),
        now: 1_800_000_000,
    };
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(claims) = token::verify(text, std::slice::from_ref(&secret), &want) {
        // Accepted: it must be exactly what the secret's holder would sign.
        assert_eq!(claims.ws, "ws_fuzz");
        assert_eq!(claims.cid, "cus_fuzz");
        assert_eq!(token::sign(&claims, &secret.secret), text);
    }
    // A valid token with the fuzz input spliced in as its customer id round-trips.
    let claims = Claims {
        ws: "ws_fuzz".into(),
        env: "test".into(),
        cid: text.chars().take(64).collect(),
        exp: want.now + 60,
        kid: "ids_fuzz".into(),
    };
    let signed = token::sign(&claims, &secret.secret);
    let open = Expectation {
        customer_id: None,
        ..want
    };
    assert_eq!(
        token::verify(&signed, std::slice::from_ref(&secret), &open).map(|c| c.cid),
        Ok(claims.cid.clone())
    );
});
