//! Claims (seed 001: "create, approve and reject claim requests"): a shopper's request for
//! credit the merchant has to check first, such as a receipt from the physical shop or a
//! missed online order.
//!
//! A claim is `pending` until it is approved or rejected, and then it never changes again.
//! Approval credits the shopper's wallet in the same transaction that closes the claim,
//! under the claim's id as the idempotency key: retried or raced approvals credit once and
//! all answer the approved claim. Approving a rejected claim, or rejecting an approved one,
//! is `claim_closed` (409).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, ErrorCode};
use crate::ids::validate_customer_id;
use crate::ledger::{validate_text, MAX_AMOUNT, MAX_REASON_CHARS};
use crate::money::{object, whole};
use crate::programs::Program;
use crate::stamps::{is_card_id, MAX_REQUIRED};

/// The largest evidence object, as JSON.
pub const MAX_EVIDENCE_BYTES: usize = 4096;

/// A claim's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ClaimStatus {
    /// Waiting for the merchant.
    Pending,
    /// Approved: the credit is applied.
    Approved,
    /// Rejected, with a reason.
    Rejected,
}

impl ClaimStatus {
    /// Every status.
    pub const ALL: [ClaimStatus; 3] = [
        ClaimStatus::Pending,
        ClaimStatus::Approved,
        ClaimStatus::Rejected,
    ];

    /// `pending`, `approved` or `rejected`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Pending => "pending",
            ClaimStatus::Approved => "approved",
            ClaimStatus::Rejected => "rejected",
        }
    }

    /// The status with this name.
    pub fn parse(s: &str) -> Option<ClaimStatus> {
        ClaimStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// What the merchant does with a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Credit it.
    Approve,
    /// Refuse it.
    Reject,
}

/// What a verdict does to a claim in a given state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Close the claim now (and, for an approval, credit the wallet in the same transaction).
    Close(ClaimStatus),
    /// The same verdict was already given: answer the claim as it is, change nothing.
    Unchanged,
}

/// Decides a verdict: one terminal state, reached once.
pub fn decide(status: ClaimStatus, verdict: Verdict) -> Result<Outcome, ApiError> {
    match (status, verdict) {
        (ClaimStatus::Pending, Verdict::Approve) => Ok(Outcome::Close(ClaimStatus::Approved)),
        (ClaimStatus::Pending, Verdict::Reject) => Ok(Outcome::Close(ClaimStatus::Rejected)),
        (ClaimStatus::Approved, Verdict::Approve) | (ClaimStatus::Rejected, Verdict::Reject) => {
            Ok(Outcome::Unchanged)
        }
        (closed, _) => Err(ApiError::with_message(
            ErrorCode::ClaimClosed,
            format!(
                "This claim is already {}; a claim is approved or rejected, never both.",
                closed.as_str()
            ),
        )),
    }
}

/// A validated `POST /v1/claims`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClaim {
    /// The shopper.
    pub customer_id: String,
    /// What the credit is in.
    pub program: Program,
    /// Coins, stamps, or cashback minor units in the workspace's currency.
    pub amount: i64,
    /// The stamp card, for a stamps claim only.
    pub card_id: Option<String>,
    /// What the shopper or the merchant's system attached: a receipt number, an order id,
    /// a store. At most 4 KB of JSON.
    pub evidence: serde_json::Map<String, Value>,
}

/// Parses `{"customer_id","program","amount","card_id"?,"evidence"?}`.
pub fn parse_claim(body: &[u8]) -> Result<NewClaim, ApiError> {
    let obj = object(body)?;
    let customer_id = match obj.get("customer_id") {
        Some(Value::String(id)) => validate_customer_id(id)?.to_owned(),
        _ => {
            return Err(ApiError::with_message(
                ErrorCode::InvalidRequest,
                "`customer_id` is required.",
            ))
        }
    };
    let program = obj
        .get("program")
        .and_then(Value::as_str)
        .and_then(Program::parse)
        .ok_or_else(|| {
            ApiError::with_message(
                ErrorCode::InvalidRequest,
                "`program` must be `coins`, `stamps` or `cashback`.",
            )
        })?;
    let max = match program {
        Program::Stamps => i64::from(MAX_REQUIRED),
        Program::Coins | Program::Cashback => MAX_AMOUNT,
    };
    let amount = obj
        .get("amount")
        .and_then(whole)
        .filter(|a| (1..=max).contains(a))
        .ok_or_else(|| {
            ApiError::with_message(
                ErrorCode::InvalidAmount,
                format!(
                    "`amount` must be an integer from 1 to {max} ({}).",
                    match program {
                        Program::Coins => "coins",
                        Program::Stamps => "stamps",
                        Program::Cashback => "minor units of the workspace's currency",
                    }
                ),
            )
        })?;
    let card_id = match (program, obj.get("card_id")) {
        (Program::Stamps, Some(Value::String(id))) if is_card_id(id) => Some(id.clone()),
        (Program::Stamps, _) => {
            return Err(ApiError::with_message(
                ErrorCode::InvalidRequest,
                "A stamps claim needs `card_id`, the stamp card to credit.",
            ))
        }
        (_, None | Some(Value::Null)) => None,
        (_, Some(_)) => {
            return Err(ApiError::with_message(
                ErrorCode::InvalidRequest,
                "`card_id` belongs to stamps claims only.",
            ))
        }
    };
    let evidence = match obj.get("evidence") {
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(Value::Object(e))
            if Value::Object(e.clone()).to_string().len() <= MAX_EVIDENCE_BYTES =>
        {
            e.clone()
        }
        Some(_) => {
            return Err(ApiError::with_message(
                ErrorCode::InvalidRequest,
                format!("`evidence` must be a JSON object of at most {MAX_EVIDENCE_BYTES} bytes."),
            ))
        }
    };
    Ok(NewClaim {
        customer_id,
        program,
        amount,
        card_id,
        evidence,
    })
}

/// `POST /v1/claims/{id}/reject`: `{"reason"}`, 1 to 200 printable characters, so the
/// shopper can be told why.
pub fn parse_rejection(body: &[u8]) -> Result<String, ApiError> {
    let obj = object(body)?;
    rejection_reason(obj.get("reason").and_then(Value::as_str))
}

/// A rejection's reason, checked and trimmed.
pub fn rejection_reason(raw: Option<&str>) -> Result<String, ApiError> {
    let reason = match raw {
        Some(s) => validate_text("reason", s, MAX_REASON_CHARS)?,
        None => String::new(),
    };
    if reason.is_empty() {
        return Err(ApiError::with_message(
            ErrorCode::InvalidRequest,
            "`reason` is required: say why, so the shopper can be told.",
        ));
    }
    Ok(reason)
}

/// The `status` filter of a claims list: absent or empty for every claim.
pub fn status_filter(raw: Option<&str>) -> Result<Option<ClaimStatus>, ApiError> {
    match raw {
        None | Some("") => Ok(None),
        Some(s) => ClaimStatus::parse(s).map(Some).ok_or_else(|| {
            ApiError::with_message(
                ErrorCode::InvalidRequest,
                "`status` is pending, approved or rejected.",
            )
        }),
    }
}

/// A claim id: `clm_` and 1 to 40 letters or digits.
pub fn is_claim_id(id: &str) -> bool {
    id.strip_prefix("clm_").is_some_and(|rest| {
        !rest.is_empty() && rest.len() <= 40 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// A claim as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Claim {
    /// `clm_…`
    pub id: String,
    /// `pending`, then `approved` or `rejected`.
    pub status: ClaimStatus,
    /// The shopper.
    pub customer_id: String,
    /// What the credit is in.
    pub program: Program,
    /// Coins, stamps, or cashback minor units.
    pub amount: i64,
    /// The stamp card (stamps claims).
    pub card_id: Option<String>,
    /// The cashback currency (cashback claims).
    pub currency: Option<String>,
    /// What was attached.
    pub evidence: serde_json::Map<String, Value>,
    /// Why it was rejected.
    pub rejection_reason: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, when approved or rejected.
    pub decided_at: Option<String>,
    /// On the answer to an approval or a rejection: the wallet's version after it (pass it
    /// as `v` to `/v1/widget`). Absent elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_reaches_one_terminal_state_once() {
        use ClaimStatus::*;
        assert_eq!(
            decide(Pending, Verdict::Approve),
            Ok(Outcome::Close(Approved))
        );
        assert_eq!(
            decide(Pending, Verdict::Reject),
            Ok(Outcome::Close(Rejected))
        );
        // A retried verdict changes nothing and credits nothing.
        assert_eq!(decide(Approved, Verdict::Approve), Ok(Outcome::Unchanged));
        assert_eq!(decide(Rejected, Verdict::Reject), Ok(Outcome::Unchanged));
        for (status, verdict, word) in [
            (Approved, Verdict::Reject, "approved"),
            (Rejected, Verdict::Approve, "rejected"),
        ] {
            let e = decide(status, verdict).unwrap_err();
            assert_eq!(e.code, ErrorCode::ClaimClosed);
            assert!(e.message.contains(word), "{}", e.message);
        }
    }

    #[test]
    fn any_sequence_of_verdicts_closes_a_claim_at_most_once() {
        use Verdict::*;
        for seq in [
            [Approve, Approve, Reject],
            [Reject, Approve, Reject],
            [Approve, Reject, Approve],
        ] {
            let mut status = ClaimStatus::Pending;
            let mut closes = 0;
            for v in seq {
                if let Ok(Outcome::Close(s)) = decide(status, v) {
                    status = s;
                    closes += 1;
                }
            }
            assert_eq!(closes, 1, "{seq:?}");
        }
    }

    #[test]
    fn status_names() {
        for s in ClaimStatus::ALL {
            assert_eq!(ClaimStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(
            ClaimStatus::ALL.map(ClaimStatus::as_str),
            ["pending", "approved", "rejected"]
        );
        assert_eq!(ClaimStatus::parse("open"), None);
    }

    #[test]
    fn claims_for_each_program() {
        let c = parse_claim(
            br#"{"customer_id":"cus_1","program":"coins","amount":50,"evidence":{"receipt":"R-1"}}"#,
        )
        .unwrap();
        assert_eq!((c.program, c.amount, c.card_id), (Program::Coins, 50, None));
        assert_eq!(c.evidence["receipt"], "R-1");
        let s = parse_claim(
            br#"{"customer_id":"cus_1","program":"stamps","amount":2,"card_id":"card_x"}"#,
        )
        .unwrap();
        assert_eq!(s.card_id.as_deref(), Some("card_x"));
        assert!(s.evidence.is_empty());
        let m = parse_claim(
            br#"{"customer_id":"cus_1","program":"cashback","amount":1250.0,"card_id":null}"#,
        )
        .unwrap();
        assert_eq!((m.program, m.amount), (Program::Cashback, 1250));
    }

    #[test]
    fn bad_claims_say_what_is_wrong() {
        let code = |body: &str| parse_claim(body.as_bytes()).unwrap_err().code;
        assert_eq!(
            code(r#"{"program":"coins","amount":1}"#),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(r#"{"customer_id":"a b","program":"coins","amount":1}"#),
            ErrorCode::InvalidCustomerId
        );
        assert_eq!(
            code(r#"{"customer_id":"c","program":"miles","amount":1}"#),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(r#"{"customer_id":"c","amount":1}"#),
            ErrorCode::InvalidRequest
        );
        for amount in ["0", "-1", "1.5", "\"1\"", "1000000001"] {
            let body = format!(r#"{{"customer_id":"c","program":"coins","amount":{amount}}}"#);
            assert_eq!(code(&body), ErrorCode::InvalidAmount, "{amount}");
        }
        assert_eq!(
            code(r#"{"customer_id":"c","program":"coins"}"#),
            ErrorCode::InvalidAmount
        );
        // Stamps are bounded by what a card can hold, and need the card.
        assert_eq!(
            code(r#"{"customer_id":"c","program":"stamps","amount":101,"card_id":"card_x"}"#),
            ErrorCode::InvalidAmount
        );
        assert!(parse_claim(
            br#"{"customer_id":"c","program":"stamps","amount":100,"card_id":"card_x"}"#
        )
        .is_ok());
        assert!(
            parse_claim(br#"{"customer_id":"c","program":"coins","amount":1000000000}"#).is_ok()
        );
        assert_eq!(
            code(r#"{"customer_id":"c","program":"stamps","amount":1}"#),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(r#"{"customer_id":"c","program":"stamps","amount":1,"card_id":"x"}"#),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(r#"{"customer_id":"c","program":"coins","amount":1,"card_id":"card_x"}"#),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            code(r#"{"customer_id":"c","program":"coins","amount":1,"evidence":[1]}"#),
            ErrorCode::InvalidRequest
        );
        assert_eq!(code("[]"), ErrorCode::InvalidJson);
    }

    #[test]
    fn evidence_up_to_four_kilobytes() {
        let with = |n: usize| {
            // {"n":"xxx…"} is n + 8 bytes.
            let body = format!(
                r#"{{"customer_id":"c","program":"coins","amount":1,"evidence":{{"n":"{}"}}}}"#,
                "x".repeat(n)
            );
            parse_claim(body.as_bytes()).map(|c| c.evidence.len())
        };
        assert_eq!(with(MAX_EVIDENCE_BYTES - 8), Ok(1));
        assert_eq!(
            with(MAX_EVIDENCE_BYTES - 7).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn a_rejection_says_why() {
        assert_eq!(
            parse_rejection(br#"{"reason":" No receipt "}"#).unwrap(),
            "No receipt"
        );
        for body in [
            r#"{}"#,
            r#"{"reason":""}"#,
            r#"{"reason":"  "}"#,
            r#"{"reason":1}"#,
        ] {
            assert_eq!(
                parse_rejection(body.as_bytes()).unwrap_err().code,
                ErrorCode::InvalidRequest,
                "{body}"
            );
        }
        let long = format!(r#"{{"reason":"{}"}}"#, "r".repeat(201));
        assert_eq!(
            parse_rejection(long.as_bytes()).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn the_queue_filters_by_one_status_or_none() {
        assert_eq!(status_filter(None), Ok(None));
        assert_eq!(status_filter(Some("")), Ok(None));
        assert_eq!(
            status_filter(Some("pending")),
            Ok(Some(ClaimStatus::Pending))
        );
        assert_eq!(
            status_filter(Some("rejected")),
            Ok(Some(ClaimStatus::Rejected))
        );
        let e = status_filter(Some("open")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
    }

    #[test]
    fn claim_ids() {
        assert!(is_claim_id("clm_abc123"));
        for id in [
            "clm_",
            "clm",
            "card_abc",
            "clm_a-b",
            &format!("clm_{}", "a".repeat(41)),
        ] {
            assert!(!is_claim_id(id), "{id}");
        }
        assert!(is_claim_id(&format!("clm_{}", "a".repeat(40))));
    }
}
