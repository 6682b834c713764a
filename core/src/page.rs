//! Pagination, once for every list: `limit` and `cursor` from the query, and the cursor of the
//! next page. Lists answer `{"data":[…],"next_cursor"}`; a cursor is opaque to clients.

use crate::error::{ApiError, ErrorCode};

fn invalid(message: String) -> ApiError {
    ApiError::with_message(ErrorCode::InvalidRequest, message)
}

/// `limit`: absent or empty is `default`; otherwise an integer from 1 to `max`.
pub fn limit(raw: Option<&str>, default: i64, max: i64) -> Result<i64, ApiError> {
    match raw {
        None | Some("") => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| invalid(format!("`limit` must be an integer from 1 to {max}."))),
    }
}

/// A cursor that is one positive integer (a row id, a ledger sequence number).
pub fn int_cursor(raw: Option<&str>) -> Result<Option<i64>, ApiError> {
    match raw {
        None | Some("") => Ok(None),
        Some(c) => c
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| invalid("`cursor` is not a cursor from a previous page.".into())),
    }
}

/// A cursor that is a time and an id, `"<unix ms>.<id>"` (lists ordered by both).
pub fn pair_cursor(raw: Option<&str>) -> Result<Option<(i64, String)>, ApiError> {
    match raw {
        None | Some("") => Ok(None),
        Some(c) => c
            .split_once('.')
            .and_then(|(t, id)| Some((t.parse::<i64>().ok()?, id)))
            .filter(|(_, id)| !id.is_empty())
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
        assert_eq!(limit(Some(""), 20, 100), Ok(20));
        assert_eq!(limit(Some("1"), 20, 100), Ok(1));
        assert_eq!(limit(Some("100"), 20, 100), Ok(100));
        for bad in ["0", "101", "-1", "ten", "1.5"] {
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
        for bad in ["0", "-3", "x"] {
            assert!(int_cursor(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(
            pair_cursor(Some("1700000000000.wh_1")),
            Ok(Some((1_700_000_000_000, "wh_1".into())))
        );
        assert_eq!(pair_cursor(None), Ok(None));
        for bad in ["1700", "x.wh_1", "1700.", ".wh"] {
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
