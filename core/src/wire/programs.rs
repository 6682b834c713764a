//! The JSON shapes of seed 001's programs: stamp cards, cashback, the catalogue, claims and
//! members.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{CUSTOMER_ID_PATTERN, NAME_PATTERN, TEXT_PATTERN};
use crate::error::{ApiError, ErrorCode};
use crate::ids::validate_customer_id;
use crate::ledger::{validate_text, Direction};
use crate::programs::Program;
use crate::stamps::StampKind;

pub use crate::claims::Claim;
pub use crate::money::CashbackBalance;
pub use crate::programs::Programs;
pub use crate::stamps::{Card, CardSpec, StampCardView};

/// `GET /v1/customers/{id}/stamps`: every active card, with the shopper's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StampCards {
    /// One entry per card.
    pub data: Vec<StampCardView>,
}

/// One immutable stamp entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StampEntry {
    /// `stp_…`
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// The card.
    pub card_id: String,
    /// `add`, `redeem` or `expire`.
    #[serde(rename = "type")]
    pub kind: StampKind,
    /// Stamps this entry added (`add`) or took off (`redeem`, `expire`).
    pub count: u32,
    /// Stamps on the card right after it.
    pub count_after: u32,
    /// Why.
    pub reason: Option<String>,
    /// The `Idempotency-Key` it was written under; none for a lapse.
    pub idempotency_key: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// `POST …/stamps/add` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AddStamps {
    /// The card, `card_…`.
    #[schemars(regex(pattern = r"^card_[A-Za-z0-9]{1,40}$"))]
    pub card_id: String,
    /// 1 to 100 stamps; never more than the card still holds.
    #[schemars(range(min = 1, max = 100))]
    pub count: u32,
    /// Why, shown in the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub reason: Option<String>,
}

/// `POST …/stamps/redeem` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RedeemStamps {
    /// The card, `card_…`: only a full card is redeemed.
    #[schemars(regex(pattern = r"^card_[A-Za-z0-9]{1,40}$"))]
    pub card_id: String,
    /// Why, shown in the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub reason: Option<String>,
}

/// The answer of a stamp write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StampWriteResult {
    /// The customer.
    pub customer_id: String,
    /// The card after the write.
    pub card: StampCardView,
    /// The entry written (or, on a replay, the one written the first time).
    pub entry: StampEntry,
    /// The wallet's version after this write: increases with every write to the shopper's
    /// wallet. Pass it as `v` to `/v1/widget` to read this write back.
    pub version: i64,
}

/// One immutable cashback entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CashbackEntry {
    /// `cbk_…`
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// `credit` or `debit` (a redeem).
    #[serde(rename = "type")]
    pub kind: Direction,
    /// Positive, in minor units.
    pub amount_minor: i64,
    /// Balance right after this entry, in minor units.
    pub balance_after_minor: i64,
    /// ISO 4217.
    pub currency: String,
    /// Why.
    pub reason: Option<String>,
    /// The `Idempotency-Key` it was written under.
    pub idempotency_key: String,
    /// RFC 3339.
    pub created_at: String,
}

/// `POST …/cashback/credit` and `…/cashback/redeem` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CashbackMutation {
    /// A positive whole number of minor units (1250 is 12.50 EUR), at most 1000000000.
    #[schemars(range(min = 1, max = 1_000_000_000))]
    pub amount_minor: i64,
    /// The workspace's currency; any other is `currency_mismatch`.
    #[schemars(schema_with = "crate::money::currency_schema")]
    pub currency: String,
    /// Why, shown in the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200), regex(pattern = TEXT_PATTERN))]
    pub reason: Option<String>,
}

/// The answer of a cashback write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CashbackMutationResult {
    /// The customer.
    pub customer_id: String,
    /// The balance after the entry, in minor units.
    pub balance_minor: i64,
    /// ISO 4217.
    pub currency: String,
    /// The entry written (or, on a replay, the one written the first time).
    pub entry: CashbackEntry,
    /// The wallet's version after this write: increases with every write to the shopper's
    /// wallet. Pass it as `v` to `/v1/widget` to read this write back.
    pub version: i64,
}

/// A reward in the catalogue (`GET /v1/rewards`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Reward {
    /// `rwd_…`
    pub id: String,
    /// The reward's name.
    pub name: String,
    /// What it is, for the shopper.
    pub description: Option<String>,
    /// What it costs: `coins` or `stamps`.
    pub program: Program,
    /// Coins, or stamps on `card_id`.
    pub cost: i64,
    /// The stamp card, for a reward that costs stamps.
    pub card_id: Option<String>,
    /// Inactive rewards stay listed for the merchant but are not offered.
    pub active: bool,
    /// RFC 3339.
    pub created_at: String,
}

/// A reward as the dashboard sends it (create or replace).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardSpec {
    /// 1 to 120 printable characters.
    #[schemars(length(min = 1, max = 120), regex(pattern = NAME_PATTERN))]
    pub name: String,
    /// Up to 500 printable characters.
    #[serde(default)]
    #[schemars(length(max = 500), regex(pattern = TEXT_PATTERN))]
    pub description: Option<String>,
    /// `coins` or `stamps`.
    pub program: Program,
    /// 1 to 1000000000 coins, or 1 to 100 stamps.
    #[schemars(range(min = 1, max = 1_000_000_000))]
    pub cost: i64,
    /// The stamp card, for a reward that costs stamps (and only then).
    #[serde(default)]
    pub card_id: Option<String>,
    /// Defaults to true.
    #[serde(default = "yes")]
    pub active: bool,
}

const fn yes() -> bool {
    true
}

impl RewardSpec {
    /// Checks the texts, the cost against its program and the card.
    pub fn validate(mut self) -> Result<RewardSpec, ApiError> {
        self.name = crate::stamps::named("name", &self.name)?;
        self.description = match self.description {
            Some(d) => Some(validate_text("description", &d, 500)?).filter(|d| !d.is_empty()),
            None => None,
        };
        let bad = |m: &str| Err(ApiError::with_message(ErrorCode::InvalidRequest, m));
        match (self.program, &self.card_id) {
            (Program::Coins, None) if (1..=crate::ledger::MAX_AMOUNT).contains(&self.cost) => {
                Ok(self)
            }
            (Program::Coins, None) => bad("A reward costs 1 to 1000000000 coins."),
            (Program::Stamps, Some(id))
                if crate::stamps::is_card_id(id)
                    && (1..=i64::from(crate::stamps::MAX_REQUIRED)).contains(&self.cost) =>
            {
                Ok(self)
            }
            (Program::Stamps, _) => {
                bad("A reward in stamps costs 1 to 100 stamps of one card: give its `card_id`.")
            }
            (Program::Coins, Some(_)) => bad("`card_id` belongs to rewards that cost stamps."),
            (Program::Cashback, _) => {
                bad("Rewards cost coins or stamps; cashback is money, paid out by a redeem.")
            }
        }
    }
}

/// `POST /v1/customers` body: a shopper the merchant enrols.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NewCustomer {
    /// The merchant's own id for the shopper; generated (`cus_…`) when absent.
    #[serde(default)]
    #[schemars(regex(pattern = CUSTOMER_ID_PATTERN))]
    pub id: Option<String>,
    /// Display name: 1 to 120 printable characters, not only spaces.
    #[schemars(length(min = 1, max = 120), regex(pattern = NAME_PATTERN))]
    pub name: String,
    /// The shopper's email, for the merchant's records (Tally sends no email).
    #[serde(default)]
    #[schemars(length(min = 3, max = 254), regex(pattern = EMAIL_PATTERN))]
    pub email: Option<String>,
}

/// An email address as far as Tally checks one: one `@`, something on either side, a dot
/// in the domain, no spaces or control characters.
pub const EMAIL_PATTERN: &str =
    r"^[^\s@\u0000-\u001F\u007F]+@[^\s@\u0000-\u001F\u007F]+\.[^\s@\u0000-\u001F\u007F]+$";

impl NewCustomer {
    /// Checks the id, the name and the email.
    pub fn validate(mut self) -> Result<NewCustomer, ApiError> {
        if let Some(id) = &self.id {
            validate_customer_id(id)?;
        }
        self.name = crate::stamps::named("name", &self.name)?;
        if let Some(email) = &self.email {
            if !is_email(email) {
                return Err(ApiError::with_message(
                    ErrorCode::InvalidRequest,
                    "`email` must be an address such as ada@example.com (at most 254 characters).",
                ));
            }
        }
        Ok(self)
    }
}

/// The rule [`EMAIL_PATTERN`] states, with its length limit.
pub fn is_email(s: &str) -> bool {
    let plain = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && c != '@')
    };
    s.len() <= 254
        && s.split_once('@').is_some_and(|(local, domain)| {
            plain(local)
                && plain(domain)
                && domain
                    .rsplit_once('.')
                    .is_some_and(|(host, tld)| !host.is_empty() && !tld.is_empty())
        })
}

/// `POST /v1/claims` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NewClaimBody {
    /// The shopper.
    #[schemars(regex(pattern = CUSTOMER_ID_PATTERN))]
    pub customer_id: String,
    /// What the credit is in.
    pub program: Program,
    /// Coins; stamps (1 to 100); or cashback minor units in the workspace's currency.
    #[schemars(range(min = 1, max = 1_000_000_000))]
    pub amount: i64,
    /// The stamp card: required for a stamps claim, absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^card_[A-Za-z0-9]{1,40}$"))]
    pub card_id: Option<String>,
    /// What backs the claim (a receipt number, an order id, a store): a JSON object of at
    /// most 4 KB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `POST /v1/claims/{id}/reject` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RejectClaim {
    /// Why, so the shopper can be told: 1 to 200 printable characters.
    #[schemars(length(min = 1, max = 200), regex(pattern = NAME_PATTERN))]
    pub reason: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn emails_as_the_pattern_describes_them() {
        for ok in [
            "ada@example.com",
            "a.b+c@shop.example.co.uk",
            "ü@exämple.de",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@example.",
            "ada@.com",
            "a da@example.com",
            "ada@exa@mple.com",
            "ada@example.com\n",
        ] {
            assert!(!is_email(bad), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(242));
        assert_eq!(long.len(), 254);
        assert!(is_email(&long));
        assert!(!is_email(&format!("a{long}")));
    }

    fn customer(id: Option<&str>, email: Option<&str>) -> NewCustomer {
        NewCustomer {
            id: id.map(str::to_owned),
            name: " Ada ".into(),
            email: email.map(str::to_owned),
        }
    }

    #[test]
    fn a_new_customer_is_checked_field_by_field() {
        let ok = customer(Some("cus_1"), Some("ada@example.com"))
            .validate()
            .unwrap();
        assert_eq!(ok.name, "Ada");
        assert!(customer(None, None).validate().is_ok());
        assert_eq!(
            customer(Some("a b"), None).validate().unwrap_err().code,
            ErrorCode::InvalidCustomerId
        );
        let e = customer(None, Some("ada")).validate().unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert!(e.message.contains("email"), "{}", e.message);
        let blank = NewCustomer {
            name: " ".into(),
            ..customer(None, None)
        };
        assert_eq!(
            blank.validate().unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }

    fn reward(program: Program, cost: i64, card: Option<&str>) -> RewardSpec {
        RewardSpec {
            name: "Free coffee".into(),
            description: Some("  ".into()),
            program,
            cost,
            card_id: card.map(str::to_owned),
            active: true,
        }
    }

    #[test]
    fn a_reward_costs_coins_or_the_stamps_of_one_card() {
        let c = reward(Program::Coins, 500, None).validate().unwrap();
        assert_eq!(c.description, None, "a blank description is none");
        assert!(reward(Program::Coins, 1_000_000_000, None)
            .validate()
            .is_ok());
        assert!(reward(Program::Stamps, 6, Some("card_1"))
            .validate()
            .is_ok());
        assert!(reward(Program::Stamps, 100, Some("card_1"))
            .validate()
            .is_ok());
        for bad in [
            reward(Program::Coins, 0, None),
            reward(Program::Coins, 1_000_000_001, None),
            reward(Program::Coins, 5, Some("card_1")),
            reward(Program::Stamps, 6, None),
            reward(Program::Stamps, 101, Some("card_1")),
            reward(Program::Stamps, 0, Some("card_1")),
            reward(Program::Stamps, 6, Some("crd_1")),
            reward(Program::Cashback, 6, None),
        ] {
            assert_eq!(
                bad.clone().validate().unwrap_err().code,
                ErrorCode::InvalidRequest,
                "{bad:?}"
            );
        }
        let described = RewardSpec {
            description: Some(" Any size ".into()),
            ..reward(Program::Coins, 5, None)
        };
        assert_eq!(
            described.validate().unwrap().description.as_deref(),
            Some("Any size")
        );
        let parsed: RewardSpec =
            serde_json::from_str(r#"{"name":"Tea","program":"coins","cost":50}"#).unwrap();
        assert!(
            parsed.active,
            "a new reward is offered unless said otherwise"
        );
        assert_eq!((parsed.description, parsed.card_id), (None, None));
        let long = RewardSpec {
            description: Some("d".repeat(501)),
            ..reward(Program::Coins, 5, None)
        };
        assert_eq!(long.validate().unwrap_err().code, ErrorCode::InvalidRequest);
    }
}
