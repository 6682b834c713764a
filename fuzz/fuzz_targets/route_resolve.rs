//! Route resolution for both planes: never a panic; a resolved data-plane route's customer
//! id is valid, and the Allow header is offered exactly when the method is wrong.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tally_core::error::ErrorCode;
use tally_core::{admin, ids, route};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (method, path) = text.split_once(' ').unwrap_or(("GET", text));
    match route::resolve(method, path) {
        Ok(r) => {
            if let Some(id) = &r.customer_id {
                assert!(ids::validate_customer_id(id).is_ok(), "{id:?}");
            }
            assert!(r.op.method() == method || (method == "HEAD" && r.op.method() == "GET"));
        }
        Err(e) => assert_eq!(e.allow.is_some(), e.error.code == ErrorCode::MethodNotAllowed),
    }
    if let Err(e) = admin::resolve(method, path) {
        assert_eq!(e.allow.is_some(), e.error.code == ErrorCode::MethodNotAllowed);
    }
});
