//! Calls to the control plane. The method and path come from the route table
//! (`tally_core::admin::AdminOp`); bodies and answers are `tally_core::wire` types; a refusal
//! is the API's `{"error":{code,message,request_id}}`, typed.

use std::cell::RefCell;

use gloo_net::http::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tally_core::admin::AdminOp;
use tally_core::wire::ErrorEnvelope;

/// Why a call did not succeed, as the API said it (or as the network failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The HTTP status (0: no answer).
    pub status: u16,
    /// The stable error code, e.g. `pin_invalid`.
    pub code: String,
    /// For people.
    pub message: String,
    /// Quote it to support.
    pub request_id: String,
}

impl Failure {
    pub(crate) fn network() -> Failure {
        Failure {
            status: 0,
            code: "network_error".into(),
            message: "The dashboard could not reach Tally. Check your connection and try again."
                .into(),
            request_id: String::new(),
        }
    }
}

/// A refusal, in words the member can act on.
pub fn explain(f: &Failure) -> String {
    match f.code.as_str() {
        "pin_required" => "Enter your PIN to confirm.".into(),
        // The API says how many attempts are left before the lock, and until when it holds.
        "pin_invalid" | "pin_locked" => f.message.clone(),
        "forbidden_role" => "Your role cannot do this. Ask an admin.".into(),
        _ if f.request_id.is_empty() => f.message.clone(),
        _ => format!("{} (request {})", f.message, f.request_id),
    }
}

/// The operation's path with `ids` in its `{…}` segments, in order (percent-encoded).
pub fn path(op: AdminOp, ids: &[&str]) -> String {
    let (_, template) = op.endpoint();
    let mut ids = ids.iter();
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                ids.next().map_or_else(String::new, |id| encode_segment(id))
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` followed by the query pairs whose value is not empty, percent-encoded.
pub fn with_query(path: &str, query: &[(&str, String)]) -> String {
    let pairs: Vec<String> = query
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", encode_segment(k), encode_segment(v)))
        .collect();
    if pairs.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", pairs.join("&"))
    }
}

/// Percent-encodes everything but the unreserved characters, so an id is one path segment.
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

thread_local! {
    static ON_SESSION_ENDED: RefCell<Option<yew::Callback<()>>> = const { RefCell::new(None) };
}

/// What to do when a call finds the session over (`401 not_signed_in`): the app sends the
/// member to sign in again, and says why.
pub fn on_session_ended(callback: yew::Callback<()>) {
    ON_SESSION_ENDED.with(|c| *c.borrow_mut() = Some(callback));
}

/// The credentials of a state-changing call.
#[derive(Debug, Clone, Copy)]
pub struct Guard<'a> {
    /// The session's `csrf_token`.
    pub csrf: &'a str,
    /// The member's PIN, for operations the table marks PIN-guarded.
    pub pin: Option<&'a str>,
}

/// Calls `op`; `body` is sent as JSON when given.
pub async fn call<B: Serialize, T: DeserializeOwned>(
    op: AdminOp,
    ids: &[&str],
    body: Option<&B>,
    guard: Option<Guard<'_>>,
) -> Result<T, Failure> {
    send(op, &path(op, ids), body, guard).await
}

/// Calls `op` with query parameters (e.g. `environment`); `body` is sent as JSON when given.
pub async fn call_in<B: Serialize, T: DeserializeOwned>(
    op: AdminOp,
    ids: &[&str],
    query: &[(&str, String)],
    body: Option<&B>,
    guard: Option<Guard<'_>>,
) -> Result<T, Failure> {
    send(op, &with_query(&path(op, ids), query), body, guard).await
}

/// A read with query parameters (filters, `cursor`, `limit`); empty values are left out.
pub async fn get<T: DeserializeOwned>(
    op: AdminOp,
    ids: &[&str],
    query: &[(&str, String)],
) -> Result<T, Failure> {
    send::<(), T>(op, &with_query(&path(op, ids), query), None, None).await
}

async fn send<B: Serialize, T: DeserializeOwned>(
    op: AdminOp,
    url: &str,
    body: Option<&B>,
    guard: Option<Guard<'_>>,
) -> Result<T, Failure> {
    // The typed ends stay thin: everything between them is one function, not one copy per
    // body and answer type (the dashboard's code size is a budget).
    let body = match body {
        Some(b) => Some(serde_json::to_string(b).map_err(|_| Failure::network())?),
        None => None,
    };
    let value = exchange(op, url, body, guard).await?;
    serde_wasm_bindgen::from_value(value).map_err(|_| Failure::network())
}

/// One request: the method from the route table, the CSRF and PIN headers, a JSON body; a
/// 2xx answer parsed by the browser, anything else read as the API's typed refusal.
async fn exchange(
    op: AdminOp,
    url: &str,
    body: Option<String>,
    guard: Option<Guard<'_>>,
) -> Result<wasm_bindgen::JsValue, Failure> {
    let (method, _) = op.endpoint();
    let method = match method {
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        _ => Method::GET,
    };
    let mut request = RequestBuilder::new(url).method(method);
    if let Some(g) = guard {
        request = request.header("X-CSRF-Token", g.csrf);
        if let Some(pin) = g.pin {
            request = request.header("X-Confirm-Pin", pin);
        }
    }
    let request = match body {
        Some(b) => request
            .header("Content-Type", "application/json")
            .body(b)
            .map_err(|_| Failure::network())?,
        None => request.build().map_err(|_| Failure::network())?,
    };
    let response = request.send().await.map_err(|_| Failure::network())?;
    let status = response.status();
    let text = response.text().await.map_err(|_| Failure::network())?;
    let parsed = js_sys::JSON::parse(&text).ok();
    if (200..300).contains(&status) {
        return parsed.ok_or_else(Failure::network);
    }
    let refusal = parsed.and_then(|v| serde_wasm_bindgen::from_value::<ErrorEnvelope>(v).ok());
    let Some(e) = refusal else {
        return Err(Failure {
            status,
            ..Failure::network()
        });
    };
    if status == 401 && e.error.code == "not_signed_in" && !matches!(op, AdminOp::GetSession) {
        if let Some(cb) = ON_SESSION_ENDED.with(|c| c.borrow().clone()) {
            cb.emit(());
        }
    }
    Err(Failure {
        status,
        code: e.error.code,
        message: e.error.message,
        request_id: e.error.request_id,
    })
}

/// A call without a body.
pub async fn call_empty<T: DeserializeOwned>(
    op: AdminOp,
    ids: &[&str],
    guard: Option<Guard<'_>>,
) -> Result<T, Failure> {
    call::<(), T>(op, ids, None, guard).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: &str, request_id: &str) -> Failure {
        Failure {
            status: 403,
            code: code.into(),
            message: "The API's message.".into(),
            request_id: request_id.into(),
        }
    }

    #[test]
    fn refusals_are_said_in_words_a_member_can_act_on() {
        assert_eq!(
            explain(&failure("pin_invalid", "req_1")),
            "The API's message.",
            "the attempts left, as the API counts them"
        );
        assert_eq!(
            explain(&failure("pin_locked", "req_1")),
            "The API's message."
        );
        assert_eq!(
            explain(&failure("pin_required", "")),
            "Enter your PIN to confirm."
        );
        assert_eq!(
            explain(&failure("forbidden_role", "req_1")),
            "Your role cannot do this. Ask an admin."
        );
        // Anything else: the API's message, with the request id to quote to support.
        assert_eq!(
            explain(&failure("internal_error", "req_9")),
            "The API's message. (request req_9)"
        );
    }

    #[test]
    fn paths_come_from_the_route_table_with_ids_in_their_segments() {
        assert_eq!(path(AdminOp::ListKeys, &[]), "/v1/admin/keys");
        assert_eq!(
            path(AdminOp::RollKey, &["key_1"]),
            "/v1/admin/keys/key_1/roll"
        );
        assert_eq!(
            path(AdminOp::Redeliver, &["wh_1", "dlv_2"]),
            "/v1/admin/webhooks/wh_1/deliveries/dlv_2/redeliver"
        );
        // An id never escapes its segment.
        assert_eq!(
            path(AdminOp::GetKey, &["a/b?c"]),
            "/v1/admin/keys/a%2Fb%3Fc"
        );
        assert_eq!(path(AdminOp::GetKey, &["é"]), "/v1/admin/keys/%C3%A9");
    }

    #[test]
    fn filters_travel_in_the_query_and_empty_ones_are_left_out() {
        let q = [
            ("key_id", "key_1".to_owned()),
            ("status", String::new()),
            ("since", "2026-11-01T00:00:00Z".to_owned()),
            ("cursor", "17".to_owned()),
        ];
        assert_eq!(
            with_query("/v1/admin/logs", &q),
            "/v1/admin/logs?key_id=key_1&since=2026-11-01T00%3A00%3A00Z&cursor=17"
        );
        assert_eq!(
            with_query("/v1/admin/audit", &[("cursor", String::new())]),
            "/v1/admin/audit"
        );
        // A value cannot add a parameter.
        assert_eq!(
            with_query("/x", &[("route", "a&b=c".to_owned())]),
            "/x?route=a%26b%3Dc"
        );
    }
}
