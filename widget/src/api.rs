//! The widget's one request: `GET <edge>/v1/widget?ws=&key=&token=`, a simple GET (no custom
//! headers), so the browser sends it without a CORS preflight, and never with cookies.
//!
//! The answer is read with `JSON.parse` and `Reflect`, not serde: serde_json would add more
//! to the download than the whole rest of this module.
//!
//! Read-your-writes: the widget remembers the highest wallet `version` it has seen for the
//! shopper in this workspace (`localStorage`) and asks for at least it (`v=`), so a cached
//! view older than what this shopper already saw is never shown.

use js_sys::{Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

use crate::state::{Phase, Stamps, WalletView};

/// What the widget needs to ask for a wallet.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub edge: String,
    pub workspace: String,
    pub key: String,
    pub token: String,
    /// Ask the browser to revalidate its copy (`cache: "no-cache"`): a refresh when the tab
    /// comes back must show what changed meanwhile.
    pub revalidate: bool,
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

fn get(obj: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(obj.clone(), |o, k| {
        Reflect::get(&o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    })
}

fn text(obj: &JsValue, path: &[&str]) -> Option<String> {
    get(obj, path).as_string()
}

/// Reads a `/v1/widget` body.
pub fn parse_view(body: &JsValue) -> Option<WalletView> {
    Some(WalletView {
        name: text(body, &["customer", "name"]),
        balance: get(body, &["coins", "balance"]).as_f64()?,
        label: text(body, &["coins", "label"])?,
        code: text(body, &["referral", "code"])?,
        link: text(body, &["referral", "link"])?,
        count: get(body, &["referral", "count"]).as_f64().unwrap_or(0.0),
        reward: text(body, &["referral", "reward"]).unwrap_or_default(),
        cashback: get(body, &["cashback", "balance_minor"]).as_f64().zip(
            text(body, &["cashback", "currency"]).map(|mut c| {
                // ISO 4217 exponents are 0 to 4 digits.
                let e = get(body, &["cashback", "exponent"]).as_f64().unwrap_or(2.0);
                c.push(char::from(b'0' + e.clamp(0.0, 4.0) as u8));
                c
            }),
        ),
        stamps: stamps(&get(body, &["stamps"])),
    })
}

/// The card to show: the first one with stamps on it, else the first.
fn stamps(list: &JsValue) -> Option<Stamps> {
    let cards: Vec<JsValue> = list.dyn_ref::<js_sys::Array>()?.iter().collect();
    let count = |c: &JsValue| get(c, &["count"]).as_f64().unwrap_or(0.0);
    let card = cards
        .iter()
        .find(|c| count(c) > 0.0)
        .or_else(|| cards.first())?;
    Some(Stamps {
        count: count(card),
        required: get(card, &["required"]).as_f64()?,
        reward: text(card, &["reward"]).unwrap_or_default(),
    })
}

/// What an error answer means for the shopper.
pub fn phase_for_error(status: u16, code: &str) -> Phase {
    match code {
        "expired_customer_token" | "invalid_customer_token" => Phase::Expired,
        "rate_limited" | "internal_error" => Phase::Unavailable,
        _ if status >= 500 => Phase::Unavailable,
        _ => Phase::Misconfigured(["Tally: refused (", code, ")."].concat()),
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `localStorage.getItem`; throws where storage is off (a sandboxed frame).
    #[wasm_bindgen(js_namespace = localStorage, js_name = getItem, catch)]
    fn stored(key: &str) -> Result<Option<String>, JsValue>;
    /// `localStorage.setItem`; throws when storage is off or full.
    #[wasm_bindgen(js_namespace = localStorage, js_name = setItem, catch)]
    fn store(key: &str, value: &str) -> Result<(), JsValue>;
}

/// Where the last version seen in this workspace is kept: `"<version>\n<customer>"`, one
/// slot per workspace tagged with its shopper, so the token never needs decoding here. Another
/// shopper's version (a shared browser) only sends one read past the caches.
fn seen_key(q: &Query) -> String {
    ["tally.v:", &q.workspace].concat()
}

/// Fetches the wallet; `Err` is the phase to show instead.
pub async fn fetch_wallet(q: &Query) -> Result<WalletView, Phase> {
    let key = seen_key(q);
    let seen = stored(&key).ok().flatten().unwrap_or_default();
    let (prev, whose) = seen.split_once('\n').unwrap_or_default();
    let url = [
        q.edge.as_str(),
        "/v1/widget?ws=",
        &encode(&q.workspace),
        "&key=",
        &encode(&q.key),
        "&token=",
        &encode(&q.token),
        "&v=",
        prev,
    ]
    .concat();
    let window = web_sys::window().ok_or(Phase::Unavailable)?;
    let init = RequestInit::new();
    init.set_credentials(RequestCredentials::Omit);
    if q.revalidate {
        init.set_cache(web_sys::RequestCache::NoCache);
    }
    let resp: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|_| Phase::Unavailable)?
        .dyn_into()
        .map_err(|_| Phase::Unavailable)?;
    let body = match resp.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let json = JSON::parse(&body).unwrap_or(JsValue::NULL);
    if resp.ok() {
        // Numbers are read and written by JavaScript (`JSON`): Rust's float parsing and
        // printing would cost the download kilobytes.
        let v = get(&json, &["version"]);
        if let (Some(n), Some(who)) = (v.as_f64(), text(&json, &["customer", "id"])) {
            let before = JSON::parse(prev).ok().and_then(|p| p.as_f64());
            if who != whose || before.is_none_or(|b| n > b) {
                if let Ok(n) = JSON::stringify(&v) {
                    let _ = store(&key, &[&*String::from(n), "\n", &who].concat());
                }
            }
        }
        parse_view(&json).ok_or(Phase::Unavailable)
    } else {
        Err(phase_for_error(
            resp.status(),
            &text(&json, &["error", "code"]).unwrap_or_default(),
        ))
    }
}
