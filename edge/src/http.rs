//! Reading requests: headers, bounded body reads, JSON bodies, query parameters. Answers
//! are written by `respond` (and errors by `error`, through it).

use tally_core::{ApiError, ErrorCode};
use worker::Request;

use crate::error::Failure;

/// The largest request body the API reads.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024;

/// A header's value, if present and readable.
pub(crate) fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// Reads the body, refusing more than [`MAX_BODY_BYTES`] (`payload_too_large`) before and
/// after reading.
pub(crate) async fn body(req: &mut Request) -> Result<Vec<u8>, Failure> {
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
    pub(crate) fn parse(url: &worker::Url) -> Self {
        Query {
            pairs: url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
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
