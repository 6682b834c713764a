//! Stamp cards: the coffee-shop card of seed 001. The workspace defines cards (`card_…`:
//! a name, how many stamps fill it, the reward, an optional expiry); each shopper's wallet
//! keeps, per card, a ledger of stamp entries.
//!
//! The rules, all decided here and applied by the wallet in one transaction:
//! - A card never holds more stamps than it needs: an add that would overfill it is
//!   `card_full` (409), so no stamp is silently dropped or carried over.
//! - Redeem only when full (`card_not_full`, 409): it empties the card and counts one reward.
//! - With an expiry, stamps lapse that many days after the card's last stamp (a shopper who
//!   keeps coming keeps their stamps). A lapsed card reads as empty; the next write records
//!   an `expire` entry first, so the count stays the sum of the entries.
//! - Every write takes an `Idempotency-Key`; a replay with a different request is refused.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, ErrorCode};
use crate::ledger::validate_text;
use crate::money::{object, reason, whole};
use crate::time::UnixMillis;

/// The most stamps a card can need.
pub const MAX_REQUIRED: u32 = 100;
/// The longest stamp expiry: ten years.
pub const MAX_EXPIRY_DAYS: u32 = 3650;
/// Longest card name and reward text.
pub const MAX_CARD_TEXT: usize = 120;
const DAY_MS: i64 = 86_400_000;

/// A stamp card id: `card_` and 1 to 40 letters or digits.
pub fn is_card_id(id: &str) -> bool {
    id.strip_prefix("card_").is_some_and(|rest| {
        !rest.is_empty() && rest.len() <= 40 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// What the wallet needs to know of a card's definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardRule {
    /// Stamps that fill the card.
    pub required: u32,
    /// Days after the card's last stamp when its stamps lapse.
    pub expiry_days: Option<u32>,
}

/// One card's state in a wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Stamps on the card now.
    pub count: u32,
    /// Rewards redeemed so far.
    pub rewards_earned: u32,
    /// When the last stamp was added.
    pub last_stamp_at: Option<UnixMillis>,
}

/// What a stamp entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StampKind {
    /// Stamps added.
    Add,
    /// A full card redeemed for its reward: the card is emptied.
    Redeem,
    /// Stamps that lapsed under the card's expiry.
    Expire,
}

impl StampKind {
    /// `add`, `redeem` or `expire`: the stored and wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            StampKind::Add => "add",
            StampKind::Redeem => "redeem",
            StampKind::Expire => "expire",
        }
    }

    /// The kind with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "add" => Some(StampKind::Add),
            "redeem" => Some(StampKind::Redeem),
            "expire" => Some(StampKind::Expire),
            _ => None,
        }
    }
}

/// A validated stamp write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StampWrite {
    /// The card.
    pub card_id: String,
    /// Add (with a count) or redeem.
    pub kind: StampKind,
    /// Stamps added; for a redeem, 0 until planned.
    pub count: u32,
    /// Why, shown in the history.
    pub reason: Option<String>,
}

/// `POST …/stamps/add`: `{"card_id", "count": 1..=100, "reason"?}`.
pub fn parse_add(body: &[u8]) -> Result<StampWrite, ApiError> {
    let obj = object(body)?;
    let count = match obj.get("count") {
        None => {
            return Err(ApiError::with_message(
                ErrorCode::InvalidAmount,
                "`count` is required: how many stamps to add.",
            ))
        }
        Some(v) => whole(v)
            .filter(|n| (1..=i64::from(MAX_REQUIRED)).contains(n))
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                ApiError::with_message(
                    ErrorCode::InvalidAmount,
                    format!("`count` must be an integer from 1 to {MAX_REQUIRED}; got {v}."),
                )
            })?,
    };
    Ok(StampWrite {
        card_id: card_id(&obj)?,
        kind: StampKind::Add,
        count,
        reason: reason(&obj)?,
    })
}

/// `POST …/stamps/redeem`: `{"card_id", "reason"?}`.
pub fn parse_redeem(body: &[u8]) -> Result<StampWrite, ApiError> {
    let obj = object(body)?;
    Ok(StampWrite {
        card_id: card_id(&obj)?,
        kind: StampKind::Redeem,
        count: 0,
        reason: reason(&obj)?,
    })
}

fn card_id(obj: &serde_json::Map<String, Value>) -> Result<String, ApiError> {
    match obj.get("card_id") {
        Some(Value::String(id)) if is_card_id(id) => Ok(id.clone()),
        _ => Err(ApiError::with_message(
            ErrorCode::InvalidRequest,
            "`card_id` is required: a stamp card's id, `card_…`.",
        )),
    }
}

/// The card as it reads at `now`, and how many stamps lapsed since the last write.
pub fn current(rule: CardRule, p: Progress, now: UnixMillis) -> (Progress, u32) {
    let lapsed = match (rule.expiry_days, p.last_stamp_at) {
        // (An empty card that lapses stays empty, with nothing to record.)
        (Some(days), Some(last)) => {
            // An end beyond the representable future never comes.
            i64::from(days)
                .checked_mul(DAY_MS)
                .and_then(|span| last.checked_add(span))
                .is_some_and(|end| now >= end)
        }
        _ => false,
    };
    if lapsed {
        (Progress { count: 0, ..p }, p.count)
    } else {
        (p, 0)
    }
}

/// What a stamp write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StampPlan {
    /// Stamps that lapsed before this write: an `expire` entry to record first, if not 0.
    pub expired: u32,
    /// The stamps this write's own entry moves: added, or taken off by the redeem.
    pub count: u32,
    /// The card after the write.
    pub after: Progress,
}

/// Decides a stamp write on a card (a replay is the caller's business, as for coins: see
/// [`crate::ledger::plan`]).
pub fn plan(
    rule: CardRule,
    p: Progress,
    kind: StampKind,
    count: u32,
    now: UnixMillis,
) -> Result<StampPlan, ApiError> {
    let (p, expired) = current(rule, p, now);
    match kind {
        StampKind::Add => {
            let after = p
                .count
                .checked_add(count)
                .filter(|n| *n <= rule.required)
                .ok_or_else(|| {
                    ApiError::with_message(
                        ErrorCode::CardFull,
                        format!(
                            "The card holds {} of {} stamps; {count} more would overfill it. Redeem it first.",
                            p.count, rule.required
                        ),
                    )
                })?;
            Ok(StampPlan {
                expired,
                count,
                after: Progress {
                    count: after,
                    rewards_earned: p.rewards_earned,
                    last_stamp_at: Some(now),
                },
            })
        }
        StampKind::Redeem if p.count >= rule.required => Ok(StampPlan {
            expired,
            count: p.count,
            after: Progress {
                count: 0,
                rewards_earned: p.rewards_earned.saturating_add(1),
                last_stamp_at: p.last_stamp_at,
            },
        }),
        StampKind::Redeem => Err(ApiError::with_message(
            ErrorCode::CardNotFull,
            format!(
                "The card holds {} of {} stamps; it can be redeemed when full.",
                p.count, rule.required
            ),
        )),
        StampKind::Expire => Err(ApiError::with_message(
            ErrorCode::InvalidRequest,
            "Stamps lapse by themselves; they cannot be expired by a request.",
        )),
    }
}

/// A card as the workspace defines it (`GET /v1/cards`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Card {
    /// `card_…`
    pub id: String,
    /// The card's name, e.g. `Coffee card`.
    pub name: String,
    /// Stamps that fill the card.
    pub required: u32,
    /// What a full card is worth, e.g. `A free coffee`.
    pub reward: String,
    /// Days after a shopper's last stamp when their stamps on this card lapse; none: never.
    pub stamp_expiry_days: Option<u32>,
    /// Inactive cards take no new stamps; existing stamps can still be redeemed.
    pub active: bool,
    /// RFC 3339.
    pub created_at: String,
}

impl Card {
    /// The rule the wallet applies.
    pub const fn rule(&self) -> CardRule {
        CardRule {
            required: self.required,
            expiry_days: self.stamp_expiry_days,
        }
    }
}

/// A card definition as the dashboard sends it (create or replace).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CardSpec {
    /// 1 to 120 printable characters.
    #[schemars(length(min = 1, max = 120), regex(pattern = crate::wire::NAME_PATTERN))]
    pub name: String,
    /// 1 to 100.
    #[schemars(range(min = 1, max = 100))]
    pub required: u32,
    /// 1 to 120 printable characters.
    #[schemars(length(min = 1, max = 120), regex(pattern = crate::wire::NAME_PATTERN))]
    pub reward: String,
    /// 1 to 3650 days, or none.
    #[schemars(range(min = 1, max = 3650))]
    #[serde(default)]
    pub stamp_expiry_days: Option<u32>,
    /// Defaults to true.
    #[serde(default = "yes")]
    pub active: bool,
}

const fn yes() -> bool {
    true
}

impl CardSpec {
    /// Checks the limits and trims the texts.
    pub fn validate(mut self) -> Result<CardSpec, ApiError> {
        self.name = named("name", &self.name)?;
        self.reward = named("reward", &self.reward)?;
        if !(1..=MAX_REQUIRED).contains(&self.required) {
            return Err(ApiError::with_message(
                ErrorCode::InvalidRequest,
                format!("`required` must be from 1 to {MAX_REQUIRED} stamps."),
            ));
        }
        if self
            .stamp_expiry_days
            .is_some_and(|d| !(1..=MAX_EXPIRY_DAYS).contains(&d))
        {
            return Err(ApiError::with_message(
                ErrorCode::InvalidRequest,
                format!("`stamp_expiry_days` must be from 1 to {MAX_EXPIRY_DAYS}, or null."),
            ));
        }
        Ok(self)
    }
}

/// Printable text, trimmed, not empty.
pub(crate) fn named(field: &str, s: &str) -> Result<String, ApiError> {
    let t = validate_text(field, s, MAX_CARD_TEXT)?;
    if t.is_empty() {
        return Err(ApiError::with_message(
            ErrorCode::InvalidRequest,
            format!("`{field}` must not be empty."),
        ));
    }
    Ok(t)
}

/// One card in `GET /v1/customers/{id}/stamps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StampCardView {
    /// The card.
    pub card_id: String,
    /// The card's name.
    pub name: String,
    /// Stamps on the card now (lapsed stamps not counted).
    pub count: u32,
    /// Stamps that fill it.
    pub required: u32,
    /// What a full card is worth.
    pub reward: String,
    /// Rewards this shopper redeemed on this card.
    pub rewards_earned: u32,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const NOW: UnixMillis = 1_800_000_000_000;
    const COFFEE: CardRule = CardRule {
        required: 6,
        expiry_days: None,
    };

    fn at(count: u32) -> Progress {
        Progress {
            count,
            rewards_earned: 0,
            last_stamp_at: Some(NOW - 1000),
        }
    }

    #[test]
    fn stamps_fill_a_card_to_exactly_what_it_holds() {
        let p = plan(COFFEE, at(4), StampKind::Add, 2, NOW).unwrap();
        assert_eq!(p.after.count, 6);
        assert_eq!((p.count, p.expired), (2, 0));
        assert_eq!(p.after.last_stamp_at, Some(NOW));
        let e = plan(COFFEE, at(4), StampKind::Add, 3, NOW).unwrap_err();
        assert_eq!(e.code, ErrorCode::CardFull);
        assert!(e.message.contains("4 of 6"), "{}", e.message);
        let e = plan(COFFEE, at(u32::MAX), StampKind::Add, 1, NOW).unwrap_err();
        assert_eq!(e.code, ErrorCode::CardFull, "no overflow");
    }

    #[test]
    fn only_a_full_card_is_redeemed_and_it_starts_again_empty() {
        let e = plan(COFFEE, at(5), StampKind::Redeem, 0, NOW).unwrap_err();
        assert_eq!(e.code, ErrorCode::CardNotFull);
        assert!(e.message.contains("5 of 6"), "{}", e.message);
        let p = plan(COFFEE, at(6), StampKind::Redeem, 0, NOW).unwrap();
        assert_eq!(p.count, 6, "the redeem entry takes the six stamps off");
        assert_eq!(
            p.after,
            Progress {
                count: 0,
                rewards_earned: 1,
                last_stamp_at: Some(NOW - 1000)
            }
        );
        let e = plan(COFFEE, at(6), StampKind::Expire, 0, NOW).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
    }

    #[test]
    fn stamps_lapse_the_given_days_after_the_last_stamp_and_not_before() {
        let rule = CardRule {
            required: 6,
            expiry_days: Some(30),
        };
        let last = NOW - 30 * DAY_MS;
        let p = Progress {
            count: 4,
            rewards_earned: 2,
            last_stamp_at: Some(last),
        };
        let (now, lapsed) = current(rule, p, NOW);
        assert_eq!((now.count, now.rewards_earned, lapsed), (0, 2, 4));
        let (before, lapsed) = current(rule, p, NOW - 1);
        assert_eq!((before, lapsed), (p, 0));
        // The next write records the lapse first, then applies to the empty card.
        let w = plan(rule, p, StampKind::Add, 1, NOW).unwrap();
        assert_eq!((w.expired, w.after.count), (4, 1));
        let e = plan(rule, Progress { count: 6, ..p }, StampKind::Redeem, 0, NOW).unwrap_err();
        assert_eq!(
            e.code,
            ErrorCode::CardNotFull,
            "a lapsed full card is empty"
        );
        // No expiry, or nothing on the card: nothing lapses.
        assert_eq!(current(COFFEE, p, NOW + 9 * 365 * DAY_MS), (p, 0));
        let empty = Progress { count: 0, ..p };
        assert_eq!(current(rule, empty, NOW), (empty, 0));
        let never = Progress {
            last_stamp_at: None,
            ..p
        };
        assert_eq!(current(rule, never, NOW), (never, 0));
        let far = Progress {
            last_stamp_at: Some(i64::MAX - 5),
            ..p
        };
        assert_eq!(current(rule, far, i64::MAX), (far, 0), "no overflow");
    }

    #[test]
    fn add_and_redeem_bodies() {
        let w = parse_add(br#"{"card_id":"card_abc","count":2,"reason":"two lattes"}"#).unwrap();
        assert_eq!(
            w,
            StampWrite {
                card_id: "card_abc".into(),
                kind: StampKind::Add,
                count: 2,
                reason: Some("two lattes".into())
            }
        );
        assert_eq!(
            parse_add(br#"{"card_id":"card_abc","count":100.0}"#)
                .unwrap()
                .count,
            100
        );
        for count in ["0", "101", "-1", "1.5", "\"2\"", "null"] {
            let body = format!(r#"{{"card_id":"card_abc","count":{count}}}"#);
            assert_eq!(
                parse_add(body.as_bytes()).unwrap_err().code,
                ErrorCode::InvalidAmount,
                "{count}"
            );
        }
        assert_eq!(
            parse_add(br#"{"card_id":"card_abc"}"#).unwrap_err().code,
            ErrorCode::InvalidAmount
        );
        for id in [r#""card_""#, r#""crd_abc""#, r#""card_a-b""#, "1", "null"] {
            let body = format!(r#"{{"card_id":{id},"count":1}}"#);
            assert_eq!(
                parse_add(body.as_bytes()).unwrap_err().code,
                ErrorCode::InvalidRequest,
                "{id}"
            );
        }
        let r = parse_redeem(br#"{"card_id":"card_abc"}"#).unwrap();
        assert_eq!((r.kind, r.count, r.reason), (StampKind::Redeem, 0, None));
        assert_eq!(
            parse_redeem(b"[]").unwrap_err().code,
            ErrorCode::InvalidJson
        );
        assert_eq!(
            parse_redeem(b"{}").unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn card_ids() {
        assert!(is_card_id("card_1"));
        assert!(is_card_id(&format!("card_{}", "a".repeat(40))));
        for id in [
            "card_",
            "card",
            "card_a_b",
            "Card_a",
            &format!("card_{}", "a".repeat(41)),
        ] {
            assert!(!is_card_id(id), "{id}");
        }
    }

    #[test]
    fn stamp_kinds_round_trip_through_their_stored_names() {
        for k in [StampKind::Add, StampKind::Redeem, StampKind::Expire] {
            assert_eq!(StampKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(
            [StampKind::Add, StampKind::Redeem, StampKind::Expire].map(StampKind::as_str),
            ["add", "redeem", "expire"]
        );
        assert_eq!(StampKind::parse("Add"), None);
    }

    fn spec(required: u32, expiry: Option<u32>) -> CardSpec {
        CardSpec {
            name: " Coffee card ".into(),
            required,
            reward: "A free coffee".into(),
            stamp_expiry_days: expiry,
            active: true,
        }
    }

    #[test]
    fn a_card_definition_within_its_limits() {
        let ok = spec(6, Some(90)).validate().unwrap();
        assert_eq!(ok.name, "Coffee card");
        assert!(spec(1, Some(1)).validate().is_ok());
        assert!(spec(MAX_REQUIRED, Some(MAX_EXPIRY_DAYS)).validate().is_ok());
        for bad in [
            spec(0, None),
            spec(101, None),
            spec(6, Some(0)),
            spec(6, Some(3651)),
        ] {
            assert_eq!(bad.validate().unwrap_err().code, ErrorCode::InvalidRequest);
        }
        let blank = CardSpec {
            name: "   ".into(),
            ..spec(6, None)
        };
        assert_eq!(
            blank.validate().unwrap_err().code,
            ErrorCode::InvalidRequest
        );
        let long = CardSpec {
            reward: "r".repeat(121),
            ..spec(6, None)
        };
        assert_eq!(long.validate().unwrap_err().code, ErrorCode::InvalidRequest);
        let at_limit = CardSpec {
            reward: "r".repeat(120),
            ..spec(6, None)
        };
        assert!(at_limit.validate().is_ok());
        let parsed: CardSpec =
            serde_json::from_str(r#"{"name":"C","required":6,"reward":"R"}"#).unwrap();
        assert!(parsed.active, "active unless said otherwise");
        assert_eq!(parsed.stamp_expiry_days, None);
        assert!(serde_json::from_str::<CardSpec>(
            r#"{"name":"C","required":6,"reward":"R","x":1}"#
        )
        .is_err());
    }

    proptest! {
        /// Whatever sequence of adds and redeems arrives, a card never holds more than it
        /// needs, the count is the sum of the entries, and rewards only grow.
        #[test]
        fn a_card_never_overfills_and_counts_its_entries(
            required in 1u32..=MAX_REQUIRED,
            ops in proptest::collection::vec((any::<bool>(), 1u32..=MAX_REQUIRED), 0..60),
        ) {
            let rule = CardRule { required, expiry_days: None };
            let mut p = Progress::default();
            let mut sum: i64 = 0;
            for (add, n) in ops {
                let kind = if add { StampKind::Add } else { StampKind::Redeem };
                if let Ok(w) = plan(rule, p, kind, n, NOW) {
                    prop_assert_eq!(w.expired, 0);
                    sum += if add { i64::from(w.count) } else { -i64::from(w.count) };
                    prop_assert!(w.after.rewards_earned >= p.rewards_earned);
                    p = w.after;
                }
                prop_assert!(p.count <= required);
                prop_assert_eq!(i64::from(p.count), sum);
            }
        }
    }
}
