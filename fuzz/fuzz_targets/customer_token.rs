//! Customer token (JWT) verification: never a panic, and nothing but a token whose HS256
//! signature the identity secret's holder made, for the expected customer, is ever accepted.
//! The isolate's memory of verified tokens (`token::Verified`) answers exactly what a full
//! verification answers, the first time and from memory.
#![no_main]
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;
use tally_core::token::{self, Expectation, IdentitySecret};

const SECRET: &[u8] = b"q7Vb2Nx9Kp4Lm8Zt1Wc6Rj3Hs5Dy0Fa2Gu7Ie4Ok9Pw";

fuzz_target!(|data: &[u8]| {
    let secret = IdentitySecret {
        kid: "ids_fuzz".into(),
        secret: SECRET.to_vec(),
        retires_at: None,
    };
    let want = Expectation {
        customer_id: Some("cus_fuzz"),
        now: 1_800_000_000,
    };
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let verified = token::verify(text, std::slice::from_ref(&secret), &want);
    // Through a cache that already holds a genuine token (so an input that reuses its
    // signature meets a remembered entry), then again (now possibly remembered itself).
    let mut cache = token::Verified::new(4);
    let genuine = token::sign("cus_fuzz", want.now, want.now + 60, "ids_fuzz", SECRET);
    assert!(cache.verify(&genuine, std::slice::from_ref(&secret), &want).is_ok());
    for _ in 0..2 {
        assert_eq!(cache.verify(text, std::slice::from_ref(&secret), &want), verified);
    }
    if let Ok(claims) = verified {
        // Accepted: the signature is the HMAC of the first two parts, computed here apart.
        assert_eq!(claims.sub, "cus_fuzz");
        let (signed, sig) = text.rsplit_once('.').expect("three parts");
        let mut m = Hmac::<Sha256>::new_from_slice(SECRET).expect("any key length");
        m.update(signed.as_bytes());
        assert_eq!(URL_SAFE_NO_PAD.decode(sig).ok(), Some(m.finalize().into_bytes().to_vec()));
    }
    // A minted token with the fuzz input as its customer id verifies when the id is valid.
    let sub: String = text.chars().take(64).collect();
    let minted = token::sign(&sub, want.now, want.now + 60, "ids_fuzz", SECRET);
    let open = Expectation {
        customer_id: None,
        ..want
    };
    let result = token::verify(&minted, std::slice::from_ref(&secret), &open).map(|c| c.sub);
    if tally_core::ids::validate_customer_id(&sub).is_ok() {
        assert_eq!(result, Ok(sub));
    } else {
        assert!(result.is_err());
    }
});
