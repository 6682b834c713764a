//! Writing answers: JSON bodies with their status and headers, and the public routes'
//! static answers. `error` turns failures into answers through [`json`].

use serde::Serialize;
use worker::{Headers, Response};

/// A JSON response. Serialising our own wire types cannot fail; if it ever did, the
/// client gets a plain 500 rather than a panic.
pub(crate) fn json<T: Serialize>(status: u16, body: &T, extra: &[(&str, String)]) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| {
        r#"{"error":{"code":"internal_error","message":"serialisation failed","request_id":""}}"#.to_owned()
    });
    let headers = Headers::new();
    let _ = headers.set("Content-Type", "application/json; charset=utf-8");
    for (k, v) in extra {
        let _ = headers.set(k, v);
    }
    match Response::ok(text) {
        Ok(r) => r.with_status(status).with_headers(headers),
        Err(_) => Response::empty()
            .map(|r| r.with_status(500))
            .unwrap_or_else(|_| unreachable_response()),
    }
}

fn unreachable_response() -> Response {
    // Response::empty only fails if the JS Response constructor is missing.
    Response::from_bytes(Vec::new())
        .unwrap_or_else(|_| panic!("the Response constructor is unavailable"))
}

/// A JSON answer already serialised.
pub(crate) fn json_text(status: u16, text: String) -> Response {
    let headers = Headers::new();
    let _ = headers.set("Content-Type", "application/json; charset=utf-8");
    match Response::ok(text) {
        Ok(r) => r.with_status(status).with_headers(headers),
        Err(_) => Response::empty()
            .map(|r| r.with_status(500))
            .unwrap_or_else(|_| unreachable_response()),
    }
}
