//! Reading requests: headers, bounded body reads, JSON bodies, query parameters. Answers
//! are written by `respond` (and errors by `error`, through it).

use tally_core::target::Target;
use tally_core::{ApiError, ErrorCode};
use worker::wasm_bindgen_futures::JsFuture;
use worker::worker_sys::web_sys;

use crate::error::Failure;

/// The largest request body the API reads.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024;

/// A request as the platform hands it to the Worker, read only where the pipeline asks.
///
/// Not `worker::Request`: making one reads `request.cf` (an object workerd builds anew on
/// each read), the method and the URL on every request, used or not; under load that was
/// about a tenth of the Worker's CPU on a widget read answered from memory. The URL is read
/// once, and cut into origin, path and query without a second parse ([`Target`]).
pub(crate) struct Request {
    raw: web_sys::Request,
    headers: web_sys::Headers,
    url: String,
}

impl Request {
    pub(crate) fn new(raw: web_sys::Request) -> Self {
        Request {
            headers: raw.headers(),
            url: raw.url(),
            raw,
        }
    }

    /// The method as sent (`worker::Method` maps methods it does not know to GET).
    pub(crate) fn method(&self) -> String {
        self.raw.method()
    }

    /// The URL's origin, path and query.
    pub(crate) fn target(&self) -> Result<Target<'_>, Failure> {
        Target::split(&self.url).ok_or_else(|| {
            ApiError::with_message(ErrorCode::InvalidRequest, "The request URL is not valid.")
                .into()
        })
    }

    /// This Worker's own origin, as the request reached it.
    pub(crate) fn origin(&self) -> Result<&str, Failure> {
        Ok(self.target()?.origin)
    }

    async fn bytes(&self) -> Result<Vec<u8>, wasm_bindgen::JsValue> {
        let buffer = JsFuture::from(self.raw.array_buffer()?).await?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }
}

/// A header's value, if present and readable.
pub(crate) fn header(req: &Request, name: &str) -> Option<String> {
    req.headers.get(name).ok().flatten()
}

/// Reads the body, refusing more than [`MAX_BODY_BYTES`] (`payload_too_large`) before and
/// after reading.
pub(crate) async fn body(req: &Request) -> Result<Vec<u8>, Failure> {
    let declared = header(req, "content-length").and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(ErrorCode::PayloadTooLarge.into());
    }
    let bytes = req.bytes().await.map_err(|_| {
        Failure::from(ApiError::with_message(
            ErrorCode::InvalidJson,
            "The request body could not be read.",
        ))
    })?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ErrorCode::PayloadTooLarge.into());
    }
    Ok(bytes)
}

/// Parses a JSON object body into `T`, answering `invalid_json` (not an object, not JSON)
/// or `invalid_request` (a field of the wrong type) with serde's explanation.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Failure> {
    // serde reads a struct from a JSON array too; the API's bodies are objects only.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::with_message(
            ErrorCode::InvalidJson,
            "The body must be a JSON object.",
        )
        .into());
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let code = if e.is_data() {
            ErrorCode::InvalidRequest
        } else {
            ErrorCode::InvalidJson
        };
        Failure::from(ApiError::with_message(
            code,
            format!("The body is not the expected JSON: {e}."),
        ))
    })
}

/// The query string as decoded pairs (first value wins in [`Query::get`]).
#[derive(Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(target: &Target<'_>) -> Self {
        Query {
            pairs: target.query_pairs(),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `limit` (`tally_core::page::limit`): `default` when absent, else 1 to `max`.
    pub(crate) fn limit(&self, default: i64, max: i64) -> Result<i64, Failure> {
        Ok(tally_core::page::limit(self.get("limit"), default, max)?)
    }

    /// `cursor` as one positive integer.
    pub(crate) fn int_cursor(&self) -> Result<Option<i64>, Failure> {
        Ok(tally_core::page::int_cursor(self.get("cursor"))?)
    }

    /// `cursor` as `"<unix ms>.<id>"`.
    pub(crate) fn pair_cursor(&self) -> Result<Option<(i64, String)>, Failure> {
        Ok(tally_core::page::pair_cursor(self.get("cursor"))?)
    }

    /// Every value, whatever its name: scanned for secret keys.
    pub(crate) fn values(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(_, v)| v.as_str())
    }
}
