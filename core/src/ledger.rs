//! The coin ledger's rules: what a valid write is, and what it does to a balance.
//!
//! Storage (a Durable Object per wallet) applies these rules inside one single-threaded
//! critical section; the rules themselves are here so they are tested natively.
//! Entries are immutable; the balance is always the sum of the entries; an
//! `Idempotency-Key` applies a write once and replays its first result after that.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, ErrorCode};

/// The largest amount of one write.
pub const MAX_AMOUNT: i64 = 1_000_000_000;
/// The largest balance: 2^53 − 1, so every JSON client (JavaScript included) reads it exactly.
pub const MAX_BALANCE: i64 = 9_007_199_254_740_991;
/// The longest `reason`.
pub const MAX_REASON_CHARS: usize = 200;

/// Credit or debit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Adds coins.
    Credit,
    /// Takes coins; never below zero.
    Debit,
}

impl Direction {
    /// `credit` or `debit`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::Credit => "credit",
            Direction::Debit => "debit",
        }
    }

    /// Parses `credit` or `debit`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "credit" => Some(Direction::Credit),
            "debit" => Some(Direction::Debit),
            _ => None,
        }
    }
}

/// A validated write request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mutation {
    /// Credit or debit.
    pub direction: Direction,
    /// A positive integer, at most [`MAX_AMOUNT`].
    pub amount: i64,
    /// Why, shown in the history.
    pub reason: Option<String>,
}

/// Validates a credit or debit body: `{"amount": <positive integer>, "reason": <string>?}`.
///
/// Amounts are integers as JSON Schema counts them (so `250.0` is 250, like every
/// schema-driven client may send it): `10.5`, `"10"`, `-3`, `0` and `1e20` are all
/// `invalid_amount` (422), never rounded, never a 500.
pub fn parse_mutation(direction: Direction, body: &[u8]) -> Result<Mutation, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::with_message(
            ErrorCode::InvalidJson,
            format!("The body is not valid JSON: {e}."),
        )
    })?;
    let obj = value.as_object().ok_or_else(|| {
        ApiError::with_message(ErrorCode::InvalidJson, "The body must be a JSON object.")
    })?;
    let amount = match obj.get("amount") {
        None => {
            return Err(ApiError::with_message(
                ErrorCode::InvalidAmount,
                "`amount` is required.",
            ));
        }
        Some(v) => v
            .as_i64()
            .or_else(|| integral(v.as_f64()?))
            .filter(|a| (1..=MAX_AMOUNT).contains(a))
            .ok_or_else(|| {
                ApiError::with_message(
                    ErrorCode::InvalidAmount,
                    format!("`amount` must be an integer from 1 to {MAX_AMOUNT}; got {v}."),
                )
            })?,
    };
    let reason = match obj.get("reason") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(validate_text("reason", s, MAX_REASON_CHARS)?),
        Some(_) => {
            return Err(ApiError::with_message(
                ErrorCode::InvalidRequest,
                "`reason` must be a string.",
            ));
        }
    };
    Ok(Mutation {
        direction,
        amount,
        reason,
    })
}

/// A float with no fractional part, within the amount range, as that integer.
fn integral(f: f64) -> Option<i64> {
    // MAX_AMOUNT is far below 2^53: every integral float up to it is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    (f.fract() == 0.0 && (1.0..=MAX_AMOUNT as f64).contains(&f)).then_some(f as i64)
}

/// Checks and trims a free-text field: at most `max` characters and no control characters
/// (a newline or tab included) as sent, then trimmed. The OpenAPI document states exactly
/// this rule (`maxLength` and a pattern), so what it calls valid is accepted.
pub fn validate_text(field: &str, s: &str, max: usize) -> Result<String, ApiError> {
    if s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(ApiError::with_message(
            ErrorCode::InvalidRequest,
            format!("`{field}` must be at most {max} characters, without control characters."),
        ));
    }
    Ok(s.trim().to_owned())
}

/// An entry already written under the same `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prior {
    /// What it did.
    pub mutation: Mutation,
}

/// What to do with a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Already applied under this key: answer with the stored entry, write nothing.
    Replay,
    /// Append an entry; the balance becomes this.
    Apply {
        /// The balance after the entry.
        balance_after: i64,
    },
}

/// Decides a write against the current balance and any prior use of its idempotency key.
pub fn plan(balance: i64, m: &Mutation, prior: Option<&Prior>) -> Result<Plan, ApiError> {
    if let Some(prior) = prior {
        return if prior.mutation == *m {
            Ok(Plan::Replay)
        } else {
            Err(ApiError::new(ErrorCode::IdempotencyKeyReused))
        };
    }
    let balance_after = match m.direction {
        Direction::Credit => balance
            .checked_add(m.amount)
            .filter(|b| *b <= MAX_BALANCE)
            .ok_or_else(|| ApiError::new(ErrorCode::BalanceLimitExceeded))?,
        Direction::Debit => balance
            .checked_sub(m.amount)
            .filter(|b| *b >= 0)
            .ok_or_else(|| {
                ApiError::with_message(
                    ErrorCode::InsufficientBalance,
                    format!(
                        "The balance is {balance}; a debit of {} would take it below zero.",
                        m.amount
                    ),
                )
            })?,
    };
    Ok(Plan::Apply { balance_after })
}

/// The signed effect of an entry on the balance.
pub fn signed_amount(direction: Direction, amount: i64) -> i64 {
    match direction {
        Direction::Credit => amount,
        Direction::Debit => -amount,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn directions_round_trip_through_the_stored_name() {
        // The wallet stores `credit` / `debit` and reads them back with `parse`.
        for d in [Direction::Credit, Direction::Debit] {
            assert_eq!(Direction::parse(d.as_str()), Some(d));
        }
        assert_eq!(Direction::Credit.as_str(), "credit");
        assert_eq!(Direction::Debit.as_str(), "debit");
        assert_eq!(Direction::parse("refund"), None);
        assert_eq!(Direction::parse("Credit"), None);
    }

    fn m(direction: Direction, amount: i64) -> Mutation {
        Mutation {
            direction,
            amount,
            reason: None,
        }
    }

    #[test]
    fn valid_bodies_parse() {
        let got = parse_mutation(
            Direction::Credit,
            br#"{"amount": 25, "reason": " order #1 "}"#,
        )
        .expect("ok");
        assert_eq!(got.amount, 25);
        assert_eq!(got.reason.as_deref(), Some("order #1"));
        assert_eq!(
            parse_mutation(Direction::Debit, br#"{"amount":1}"#)
                .expect("ok")
                .reason,
            None
        );
    }

    #[test]
    fn integral_floats_are_the_integers_json_schema_says_they_are() {
        for (body, amount) in [
            (r#"{"amount":250.0}"#, 250),
            (r#"{"amount":1.0}"#, 1),
            (r#"{"amount":1e3}"#, 1000),
            (r#"{"amount":1000000000.0}"#, MAX_AMOUNT),
        ] {
            assert_eq!(
                parse_mutation(Direction::Credit, body.as_bytes())
                    .expect(body)
                    .amount,
                amount
            );
        }
    }

    #[test]
    fn a_reason_of_exactly_the_limit_is_kept_and_one_more_is_refused() {
        let at = |n: usize| {
            let body = format!(r#"{{"amount":1,"reason":"{}"}}"#, "r".repeat(n));
            parse_mutation(Direction::Credit, body.as_bytes()).map(|m| m.reason)
        };
        assert_eq!(at(MAX_REASON_CHARS), Ok(Some("r".repeat(MAX_REASON_CHARS))));
        assert_eq!(
            at(MAX_REASON_CHARS + 1).map_err(|e| e.code),
            Err(ErrorCode::InvalidRequest)
        );
    }

    #[test]
    fn text_with_a_control_character_anywhere_is_refused_even_at_the_ends() {
        for text in [r"\nhello", r"hello\t", r"a\u0000b", r"\u0085x"] {
            let body = format!(r#"{{"amount":1,"reason":"{text}"}}"#);
            let err = parse_mutation(Direction::Credit, body.as_bytes()).expect_err(&body);
            assert_eq!(err.code, ErrorCode::InvalidRequest, "{body}");
        }
        let padded = parse_mutation(Direction::Credit, br#"{"amount":1,"reason":"  tea  "}"#);
        assert_eq!(padded.expect("spaces").reason.as_deref(), Some("tea"));
    }

    #[test]
    fn bad_amounts_are_invalid_amount_and_bad_json_is_invalid_json() {
        for body in [
            r#"{"amount":0}"#,
            r#"{"amount":-5}"#,
            r#"{"amount":1.5}"#,
            r#"{"amount":0.0}"#,
            r#"{"amount":1000000001.0}"#,
            r#"{"amount":-2.0}"#,
            r#"{"amount":"10"}"#,
            r#"{"amount":1e20}"#,
            r#"{"amount":1000000001}"#,
            r#"{"amount":99999999999999999999999}"#,
            r#"{"amount":null}"#,
            r#"{}"#,
        ] {
            let err = parse_mutation(Direction::Credit, body.as_bytes()).expect_err(body);
            assert_eq!(err.code, ErrorCode::InvalidAmount, "{body}");
        }
        for body in ["", "{", "[1]", "42", "nul"] {
            let err = parse_mutation(Direction::Credit, body.as_bytes()).expect_err(body);
            assert_eq!(err.code, ErrorCode::InvalidJson, "{body}");
        }
        let err =
            parse_mutation(Direction::Credit, br#"{"amount":1,"reason":7}"#).expect_err("reason");
        assert_eq!(err.code, ErrorCode::InvalidRequest);
        let long = format!(r#"{{"amount":1,"reason":"{}"}}"#, "x".repeat(201));
        assert_eq!(
            parse_mutation(Direction::Credit, long.as_bytes())
                .expect_err("long")
                .code,
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn debits_never_go_below_zero_and_credits_never_above_the_limit() {
        assert_eq!(
            plan(10, &m(Direction::Debit, 10), None),
            Ok(Plan::Apply { balance_after: 0 })
        );
        assert_eq!(
            plan(10, &m(Direction::Debit, 11), None).map_err(|e| e.code),
            Err(ErrorCode::InsufficientBalance)
        );
        assert_eq!(
            plan(0, &m(Direction::Credit, 5), None),
            Ok(Plan::Apply { balance_after: 5 })
        );
        assert_eq!(
            plan(MAX_BALANCE, &m(Direction::Credit, 1), None).map_err(|e| e.code),
            Err(ErrorCode::BalanceLimitExceeded)
        );
    }

    #[test]
    fn an_idempotency_key_replays_the_same_request_and_refuses_another() {
        let prior = Prior {
            mutation: m(Direction::Credit, 5),
        };
        assert_eq!(
            plan(100, &m(Direction::Credit, 5), Some(&prior)),
            Ok(Plan::Replay)
        );
        assert_eq!(
            plan(100, &m(Direction::Credit, 6), Some(&prior)).map_err(|e| e.code),
            Err(ErrorCode::IdempotencyKeyReused)
        );
        assert_eq!(
            plan(100, &m(Direction::Debit, 5), Some(&prior)).map_err(|e| e.code),
            Err(ErrorCode::IdempotencyKeyReused)
        );
    }

    proptest! {
        /// Any sequence of writes applied by `plan` keeps the balance equal to the sum of the
        /// applied entries and never negative.
        #[test]
        fn balance_is_the_sum_of_entries_and_never_negative(ops in proptest::collection::vec((any::<bool>(), 1i64..=1_000), 0..200)) {
            let mut balance = 0i64;
            let mut entries = Vec::new();
            for (credit, amount) in ops {
                let dir = if credit { Direction::Credit } else { Direction::Debit };
                if let Ok(Plan::Apply { balance_after }) = plan(balance, &m(dir, amount), None) {
                    entries.push(signed_amount(dir, amount));
                    balance = balance_after;
                }
                prop_assert!(balance >= 0);
                prop_assert_eq!(balance, entries.iter().sum::<i64>());
            }
        }
    }
}
