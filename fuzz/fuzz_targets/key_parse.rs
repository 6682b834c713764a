//! API key parsing (format and checksum, no storage) and step 1 of the verifier: never a panic;
//! whatever parses re-derives its own checksum, hash and redaction.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tally_core::key;
use tally_core::verifier::{extract, Credentials};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = key::claimed_kind(text);
    if let Ok(k) = key::parse(text) {
        assert!(text.len() <= key::MAX_KEY_LEN);
        assert!(text.starts_with(k.env.as_str()));
        assert_eq!(k.hash(), key::KeyHash::of(text));
        assert!(k.redacted().ends_with(k.last4()));
    }
    let header = format!("Bearer {text}");
    for creds in [
        Credentials {
            authorization: Some(text),
            ..Default::default()
        },
        Credentials {
            authorization: Some(&header),
            ..Default::default()
        },
        Credentials {
            query_key: Some(text),
            ..Default::default()
        },
    ] {
        if let Ok(p) = extract(&creds) {
            assert_eq!(p.hash, p.key.hash());
        }
    }
});
