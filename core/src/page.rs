//! Pagination, once for every list: `limit` and `cursor` from the query, and the cursor of the
//! next page. Lists answer `{"data":[…],"next_cursor"}`; a cursor is opaque to clients.

use crate::error::{ApiError, ErrorCode};

fn invalid(message: String) -> ApiError {
    ApiError::with_message(ErrorCode::InvalidRequest, message)
}

/// 1 to 15 ASCII digits, no sign: what the OpenAPI document's integer and patterns say.
/// (Fifteen digits stay below 2^53, exact wherever a number passes through JavaScript.)
fn digits(v: &str) -> Option<i64> {
    if v.is_empty() || v.len() > 15 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

/// `limit`: absent is `default`; otherwise an integer from 1 to `max`, written in digits.
pub fn limit(raw: Option<&str>, default: i64, max: i64) -> Result<i64, ApiError> {
    match raw {
        None => Ok(default),
        Some(v) => digits(v)
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| invalid(format!("`limit` must be an integer from 1 to {max}."))),
    }
}

/// A cursor that is one positive integer (a row id, a ledger sequence number). Empty is
/// the first page. The document's pattern is [`crate::doc::INT_CURSOR_PATTERN`].
pub fn int_cursor(raw: Option<&str>) -> Result<Option<i64>, ApiError> {
    match raw {
        None | Some("") => Ok(None),
        Some(c) => digits(c)
            // No leading zero: so also never 0.
            .filter(|_| !c.starts_with('0'))
            .map(Some)
            .ok_or_else(|| invalid("`cursor` is not a cursor from a previous page.".into())),
    }
}

/// A cursor that is a time and an id, `"<unix ms>.<id>"` (lists ordered by both). Empty is
/// the first page. The document's pattern is [`crate::doc::PAIR_CURSOR_PATTERN`].
pub fn pair_cursor(raw: Option<&str>) -> Result<Option<(i64, String)>, ApiError> {
    match raw {
        None | Some("") => Ok(None),
        Some(c) => c
            .split_once('.')
            .filter(|(t, _)| t.len() <= 15)
            .and_then(|(t, id)| Some((digits(t)?, id)))
            .filter(|(_, id)| {
                (1..=64).contains(&id.len())
                    && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
            .map(|(t, id)| Some((t, id.to_owned())))
            .ok_or_else(|| invalid("`cursor` is not a cursor from a previous page.".into())),
    }
}

/// The cursor of the next page: the last row's, when the page is full.
pub fn next_cursor<T>(rows: &[T], limit: i64, cursor: impl Fn(&T) -> String) -> Option<String> {
    if usize::try_from(limit).is_ok_and(|l| rows.len() == l) {
        rows.last().map(cursor)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_default_and_stay_in_range() {
        assert_eq!(limit(None, 50, 200), Ok(50));
        assert_eq!(limit(Some("1"), 20, 100), Ok(1));
        assert_eq!(limit(Some("100"), 20, 100), Ok(100));
        for bad in ["0", "101", "-1", "ten", "1.5", "", "+5", " 5"] {
            let e = limit(Some(bad), 20, 100).expect_err(bad);
            assert_eq!(e.code, ErrorCode::InvalidRequest);
            assert!(e.message.contains("1 to 100"), "{}", e.message);
        }
    }

    #[test]
    fn cursors_parse_or_are_refused() {
        assert_eq!(int_cursor(None), Ok(None));
        assert_eq!(int_cursor(Some("")), Ok(None));
        assert_eq!(int_cursor(Some("42")), Ok(Some(42)));
        // Fifteen digits is the longest cursor (below 2^53).
        assert_eq!(
            int_cursor(Some("999999999999999")),
            Ok(Some(999_999_999_999_999))
        );
        assert_eq!(
            pair_cursor(Some("999999999999999.k_1")),
            Ok(Some((999_999_999_999_999, "k_1".into())))
        );
        for bad in ["0", "-3", "x", "+4", "042", "4 ", "1234567890123456"] {
            assert!(int_cursor(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(
            pair_cursor(Some("1700000000000.wh_1")),
            Ok(Some((1_700_000_000_000, "wh_1".into())))
        );
        assert_eq!(pair_cursor(None), Ok(None));
        for bad in [
            "1700",
            "x.wh_1",
            "1700.",
            ".wh",
            "+1700.wh_1",
            "-1.wh_1",
            "1700.wh.1",
            "1700.wh 1",
        ] {
            assert!(pair_cursor(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_full_page_names_its_last_row() {
        let rows = [1, 2, 3];
        assert_eq!(next_cursor(&rows, 3, |r| r.to_string()), Some("3".into()));
        assert_eq!(next_cursor(&rows, 4, |r| r.to_string()), None);
        assert_eq!(next_cursor(&rows[..0], 0, |r: &i32| r.to_string()), None);
    }
}
