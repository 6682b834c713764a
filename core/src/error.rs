//! Stable error codes and the HTTP status each one answers with.
//!
//! Codes are part of the public contract: clients branch on `error.code`, so a code is
//! never renamed. Messages are for humans and may improve. The edge turns an
//! [`ApiError`] into `{"error":{"code","message","request_id"}}` in exactly one place.

use std::fmt;

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident => ($code:literal, $status:literal, $message:literal), )*) => {
        /// Every error the API can answer with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, for documentation and exhaustive tests.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable machine-readable code, e.g. `secret_key_in_browser`.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The HTTP status this code answers with.
            pub const fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* }
            }

            /// A default human-readable message.
            pub const fn default_message(self) -> &'static str {
                match self { $(ErrorCode::$variant => $message,)* }
            }
        }
    };
}

codes! {
    /// No key, a malformed key, a bad checksum, or a key that is not on file.
    InvalidApiKey => ("invalid_api_key", 401, "The API key is missing, malformed or unknown."),
    /// The key was revoked.
    RevokedApiKey => ("revoked_api_key", 401, "This API key has been revoked."),
    /// The key's expiry (or roll overlap) has passed.
    ExpiredApiKey => ("expired_api_key", 401, "This API key has expired."),
    /// The request names another workspace than the key's, or none.
    WorkspaceMismatch => ("workspace_mismatch", 401, "The workspace id does not match the API key's workspace."),
    /// A secret key was put in a URL, where logs and browsers keep it.
    SecretKeyInUrl => ("secret_key_in_url", 403, "Secret keys must never be sent in a URL. Send them in the Authorization header from your server, and roll this key: it may be in logs now."),
    /// A write-capable key was used from a browser.
    SecretKeyInBrowser => ("secret_key_in_browser", 403, "A write-capable (secret) key was used from a browser. Secret keys belong on your server only; use a publishable key in web pages. This exposure has been recorded."),
    /// A publishable key was used from an origin not on its list.
    OriginNotAllowed => ("origin_not_allowed", 403, "This publishable key is not allowed on this origin."),
    /// The key lacks the scope the route needs.
    InsufficientScope => ("insufficient_scope", 403, "The API key lacks the scope this route needs."),
    /// The route needs a secret key.
    SecretKeyRequired => ("secret_key_required", 403, "This route needs a secret key, used from your server."),
    /// The customer token is missing, malformed, badly signed or for someone else.
    InvalidCustomerToken => ("invalid_customer_token", 401, "A valid customer token is required."),
    /// The customer token has expired.
    ExpiredCustomerToken => ("expired_customer_token", 401, "The customer token has expired."),
    /// Too many requests for this key (or this ip).
    RateLimited => ("rate_limited", 429, "Too many requests; retry after the time given in Retry-After."),
    /// No route has this path.
    NotFound => ("not_found", 404, "No such route."),
    /// The route exists but not with this method.
    MethodNotAllowed => ("method_not_allowed", 405, "This method is not allowed on this route."),
    /// The body is not valid JSON or not the expected shape.
    InvalidJson => ("invalid_json", 400, "The request body is not valid JSON of the expected shape."),
    /// The body is larger than the API accepts.
    PayloadTooLarge => ("payload_too_large", 413, "The request body is too large."),
    /// A field is missing or has an invalid value.
    InvalidRequest => ("invalid_request", 422, "A field is missing or invalid."),
    /// The customer id in the path is not a valid id.
    InvalidCustomerId => ("invalid_customer_id", 400, "Customer ids are 1 to 64 characters of A-Z, a-z, 0-9 and . _ : @ -."),
    /// An amount is not a positive integer within the limit.
    InvalidAmount => ("invalid_amount", 422, "Amounts are positive integers no larger than 1000000000."),
    /// A debit would take the balance below zero.
    InsufficientBalance => ("insufficient_balance", 409, "The balance is too low for this debit."),
    /// A credit would take the balance above the largest safe value.
    BalanceLimitExceeded => ("balance_limit_exceeded", 422, "This credit would take the balance above the largest supported balance."),
    /// A write was sent without an `Idempotency-Key` header.
    IdempotencyKeyRequired => ("idempotency_key_required", 400, "Ledger writes (coins, stamps, cashback) need an Idempotency-Key header (1 to 255 visible ASCII characters)."),
    /// The `Idempotency-Key` was already used for a different request.
    IdempotencyKeyReused => ("idempotency_key_reused", 409, "This Idempotency-Key was already used with a different request."),
    /// The customer does not exist.
    CustomerNotFound => ("customer_not_found", 404, "No customer with this id."),
    /// The referral code does not exist.
    ReferralCodeNotFound => ("referral_code_not_found", 404, "No such referral code."),
    /// The customer was already referred (by someone else).
    AlreadyReferred => ("already_referred", 409, "This customer was already referred."),
    /// A customer tried to use their own referral code.
    SelfReferral => ("self_referral", 422, "Customers cannot use their own referral code."),
    /// The control-plane call needs a signed-in member (the `tally_session` cookie).
    NotSignedIn => ("not_signed_in", 401, "Sign in first: this call needs a dashboard session."),
    /// Wrong email or password (the same answer whether or not the email exists).
    InvalidCredentials => ("invalid_credentials", 401, "The email or password is not correct."),
    /// A state-changing control-plane call without the session's `X-CSRF-Token`.
    CsrfFailed => ("csrf_failed", 403, "The X-CSRF-Token header is missing or does not match this session."),
    /// The member's role may not do this.
    ForbiddenRole => ("forbidden_role", 403, "Your role does not allow this action."),
    /// A PIN-guarded action without `X-Confirm-Pin`.
    PinRequired => ("pin_required", 403, "This action needs your PIN in the X-Confirm-Pin header."),
    /// The PIN is wrong.
    PinInvalid => ("pin_invalid", 403, "The PIN is not correct."),
    /// Too many wrong PINs: PIN-guarded actions are locked for a while.
    PinLocked => ("pin_locked", 423, "Too many wrong PINs: PIN-guarded actions are locked for 15 minutes."),
    /// Production keys need an approved workspace.
    WorkspaceNotApproved => ("workspace_not_approved", 403, "Production keys can be created once the workspace is approved."),
    /// A write scope was asked for a publishable key.
    PublishableKeyCannotWrite => ("publishable_key_cannot_write", 422, "A publishable key can never hold a write scope: it may already be public. Use a secret key on your server."),
    /// The key was already rolled: a chain of successors never forks.
    KeyAlreadyRolled => ("key_already_rolled", 409, "This API key was already rolled; roll its successor instead."),
    /// A control-plane call from another site (`Sec-Fetch-Site`, or an `Origin` that is not the dashboard's).
    CrossSiteRequest => ("cross_site_request", 403, "The dashboard API only answers the dashboard's own origin."),
    /// A control-plane body that is not `application/json`.
    UnsupportedMediaType => ("unsupported_media_type", 415, "Send the body as JSON with Content-Type: application/json."),
    /// No key with this id in the workspace.
    KeyNotFound => ("key_not_found", 404, "No API key with this id in this workspace."),
    /// The key is revoked; it cannot be rolled or changed.
    KeyRevoked => ("key_revoked", 409, "This API key is revoked."),
    /// No member with this id in the workspace.
    MemberNotFound => ("member_not_found", 404, "No member with this id in this workspace."),
    /// A member tried to remove themselves or change their own role.
    CannotChangeOwnMembership => ("cannot_change_own_membership", 409, "You cannot remove yourself or change your own role; ask another superadmin."),
    /// A member with this email already exists.
    EmailTaken => ("email_taken", 409, "A member with this email already exists."),
    /// No identity secret with this id.
    IdentitySecretNotFound => ("identity_secret_not_found", 404, "No identity secret with this id in this workspace."),
    /// No webhook endpoint with this id.
    WebhookNotFound => ("webhook_not_found", 404, "No webhook endpoint with this id in this workspace."),
    /// No delivery with this id.
    DeliveryNotFound => ("delivery_not_found", 404, "No webhook delivery with this id for this endpoint."),
    /// A webhook URL that is not https (or http on the loopback interface for test endpoints).
    InvalidWebhookUrl => ("invalid_webhook_url", 422, "Webhook URLs must be https; test endpoints may also use http://127.0.0.1 or http://localhost."),
    /// A program (stamps, cashback, coins) that is switched off for this workspace and environment.
    ProgramDisabled => ("program_disabled", 403, "This program is switched off for this workspace; a merchant switches it on in the dashboard."),
    /// A cashback amount in a currency that is not the workspace's.
    CurrencyMismatch => ("currency_mismatch", 422, "Cashback is paid in the workspace's currency only; amounts are never converted."),
    /// No stamp card with this id in the workspace.
    CardNotFound => ("card_not_found", 404, "No stamp card with this id in this workspace."),
    /// Adding these stamps would overfill the card.
    CardFull => ("card_full", 409, "The card cannot hold these stamps; redeem it first."),
    /// A card redeemed before it holds every stamp it needs.
    CardNotFull => ("card_not_full", 409, "The card needs all of its stamps before it can be redeemed."),
    /// No reward with this id in the workspace.
    RewardNotFound => ("reward_not_found", 404, "No reward with this id in this workspace."),
    /// No claim with this id in the workspace.
    ClaimNotFound => ("claim_not_found", 404, "No claim with this id in this workspace."),
    /// The claim was already approved or rejected the other way.
    ClaimClosed => ("claim_closed", 409, "This claim is already closed: a claim is approved or rejected, never both."),
    /// `POST /v1/customers` with an id that already exists.
    CustomerExists => ("customer_exists", 409, "A customer with this id already exists; update it with PUT."),
    /// A storage or platform failure; retry.
    Internal => ("internal_error", 500, "Something went wrong on our side; the request can be retried safely."),
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error to answer a request with: a stable code and a message for humans.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    /// The stable code.
    pub code: ErrorCode,
    /// The human-readable message.
    pub message: String,
}

impl ApiError {
    /// An error with the code's default message.
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            message: code.default_message().to_owned(),
        }
    }

    /// An error with a specific message.
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.code.status()
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        Self::new(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_displays_as_its_wire_name_and_an_error_answers_with_its_status() {
        assert_eq!(ErrorCode::CardFull.to_string(), "card_full");
        assert_eq!(format!("{}", ErrorCode::InvalidApiKey), "invalid_api_key");
        for &code in ErrorCode::ALL {
            assert_eq!(ApiError::new(code).status(), code.status(), "{code}");
        }
        assert_eq!(ApiError::new(ErrorCode::ClaimClosed).status(), 409);
    }

    #[test]
    fn codes_are_unique_snake_case_and_map_to_error_statuses() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
            assert!((400..600).contains(&code.status()), "{s}");
            assert!(!code.default_message().is_empty());
        }
    }

    #[test]
    fn the_spec_codes_answer_with_the_spec_statuses() {
        assert_eq!(ErrorCode::InvalidApiKey.status(), 401);
        assert_eq!(ErrorCode::RevokedApiKey.status(), 401);
        assert_eq!(ErrorCode::ExpiredApiKey.status(), 401);
        assert_eq!(ErrorCode::WorkspaceMismatch.status(), 401);
        assert_eq!(ErrorCode::SecretKeyInBrowser.status(), 403);
        assert_eq!(ErrorCode::OriginNotAllowed.status(), 403);
        assert_eq!(ErrorCode::InsufficientScope.status(), 403);
        assert_eq!(ErrorCode::InvalidCustomerToken.status(), 401);
        assert_eq!(ErrorCode::ExpiredCustomerToken.status(), 401);
        assert_eq!(ErrorCode::RateLimited.status(), 429);
        assert_eq!(ErrorCode::InsufficientBalance.status(), 409);
    }
}
