//! The one place errors become HTTP responses.
//!
//! Handlers return `Result<_, Failure>`. A [`Failure`] is an [`ApiError`] (stable code and
//! message) plus the few headers some errors carry. Platform errors (`worker::Error`) become
//! `internal_error` with their detail logged to the console, never sent to the client.

use tally_core::wire::{ErrorBody, ErrorEnvelope};
use tally_core::{ApiError, ErrorCode};
use worker::{console_error, Response};

use crate::respond;

/// An error on its way to becoming a response.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: ApiError,
    /// `Retry-After`, seconds (429).
    pub(crate) retry_after: Option<u32>,
    /// `Allow` (405).
    pub(crate) allow: Option<String>,
}

impl Failure {
    pub(crate) fn code(&self) -> ErrorCode {
        self.error.code
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Failure {
            error,
            retry_after: None,
            allow: None,
        }
    }
}

impl From<tally_core::route::RouteError> for Failure {
    fn from(e: tally_core::route::RouteError) -> Self {
        Failure {
            error: e.error,
            retry_after: None,
            allow: e.allow,
        }
    }
}

impl From<ErrorCode> for Failure {
    fn from(code: ErrorCode) -> Self {
        ApiError::new(code).into()
    }
}

impl From<worker::Error> for Failure {
    fn from(e: worker::Error) -> Self {
        // Platform errors carry storage detail (SQL, bindings) but never key material: keys
        // are hashed before they reach any store.
        console_error!("internal error: {e}");
        ApiError::new(ErrorCode::Internal).into()
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        console_error!("internal serialisation error: {e}");
        ApiError::new(ErrorCode::Internal).into()
    }
}

/// `{"error":{"code","message","request_id"}}` with the code's status.
pub(crate) fn response(failure: &Failure, request_id: &str) -> Response {
    let body = ErrorEnvelope {
        error: ErrorBody {
            code: failure.error.code.as_str().to_owned(),
            message: failure.error.message.clone(),
            request_id: request_id.to_owned(),
        },
    };
    let mut extra: Vec<(&str, String)> = Vec::new();
    if let Some(s) = failure.retry_after {
        extra.push(("Retry-After", s.to_string()));
    }
    if let Some(allow) = &failure.allow {
        extra.push(("Allow", allow.clone()));
    }
    respond::json(failure.error.status(), &body, &extra)
}
