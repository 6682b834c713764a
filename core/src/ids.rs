//! Identifiers: what a valid customer, workspace or idempotency key looks like, and
//! prefixed random ids for the rows Tally creates.

use crate::base62;
use crate::error::{ApiError, ErrorCode};
use crate::rng::Csprng;

/// Longest customer id.
pub const MAX_CUSTOMER_ID_LEN: usize = 64;
/// Longest `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// Customer ids are the merchant's own: 1 to 64 of `A-Z a-z 0-9 . _ : @ -`.
pub fn validate_customer_id(id: &str) -> Result<&str, ApiError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_CUSTOMER_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'@' | b'-'));
    if ok {
        Ok(id)
    } else {
        Err(ApiError::new(ErrorCode::InvalidCustomerId))
    }
}

/// Workspace ids are `ws_` followed by 1 to 40 of `a-z A-Z 0-9 _`.
pub fn is_workspace_id(id: &str) -> bool {
    id.strip_prefix("ws_").is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= 40
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// An `Idempotency-Key`: 1 to 255 visible ASCII characters.
pub fn validate_idempotency_key(key: Option<&str>) -> Result<&str, ApiError> {
    match key {
        Some(k)
            if !k.is_empty()
                && k.len() <= MAX_IDEMPOTENCY_KEY_LEN
                && k.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(k)
        }
        _ => Err(ApiError::new(ErrorCode::IdempotencyKeyRequired)),
    }
}

/// A new random id with a type prefix, e.g. `key_3hV9…` (16 base62 symbols, ~95 bits).
pub fn new_id(prefix: &str, rng: &mut impl Csprng) -> String {
    let mut id = String::with_capacity(prefix.len() + 17);
    id.push_str(prefix);
    id.push('_');
    id.push_str(&base62::random(rng, 16));
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_ids_accept_common_merchant_formats() {
        for id in ["cus_123", "42", "ada@example.com", "shopify:9876", "a.b-c"] {
            assert_eq!(validate_customer_id(id), Ok(id));
        }
    }

    #[test]
    fn customer_ids_refuse_paths_spaces_and_overlong_values() {
        for id in ["", "a/b", "a b", "..%2F", "ü", &"x".repeat(65)] {
            assert_eq!(
                validate_customer_id(id).map_err(|e| e.code),
                Err(ErrorCode::InvalidCustomerId),
                "{id}"
            );
        }
    }

    #[test]
    fn workspace_ids() {
        assert!(is_workspace_id("ws_demo"));
        assert!(!is_workspace_id("ws_"));
        assert!(!is_workspace_id("app_demo"));
        assert!(!is_workspace_id("ws_a-b"));
    }

    #[test]
    fn idempotency_keys() {
        assert_eq!(validate_idempotency_key(Some("order-1")), Ok("order-1"));
        for bad in [None, Some(""), Some("has space"), Some("tab\t")] {
            assert!(validate_idempotency_key(bad).is_err(), "{bad:?}");
        }
        assert!(validate_idempotency_key(Some(&"k".repeat(256))).is_err());
    }

    #[test]
    fn new_ids_carry_their_prefix() {
        let id = new_id("led", &mut crate::key::tests::test_rng(1));
        assert!(id.starts_with("led_"));
        assert_eq!(id.len(), 20);
    }
}
