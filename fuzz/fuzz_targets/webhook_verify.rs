//! Webhook signature verification as receivers run it: never a panic (any header, any
//! timestamp), only the real signature of this body verifies, and the real one always does.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tally_core::webhook;

/// The hex signature in a header that `webhook::sign` made.
fn v1(signed: &str) -> &str {
    signed.split_once("v1=").map_or("", |(_, s)| s)
}

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let (header, body) = data.split_at(split);
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    let secret = b"whsec_fuzz";
    let now = 1_800_000_000;
    if webhook::verify(secret, header, body, now, 300).is_ok() {
        // The timestamp the verifier used is the last `t=`; one `v1=` is the real signature.
        let t: i64 = header
            .split(',')
            .filter_map(|p| p.trim().strip_prefix("t="))
            .last()
            .and_then(|t| t.parse().ok())
            .expect("a verified header has a timestamp");
        let real = webhook::sign(secret, t, body);
        assert!(
            header
                .split(',')
                .any(|p| p.trim().strip_prefix("v1=") == Some(v1(&real))),
            "{header:?} verified without the real signature"
        );
    }
    let signed = webhook::sign(secret, now, body);
    assert!(webhook::verify(secret, &signed, body, now, 300).is_ok());
});
