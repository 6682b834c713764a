//! The loyalty programs of seed 001 a workspace runs, per environment: coins (points with a
//! label), stamp cards and cashback in one currency. Each is switched on or off in the
//! dashboard; a data-plane call to a program that is off is `program_disabled` (403), and
//! `/v1/widget` leaves it out.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::ledger::validate_text;
use crate::money::Currency;

/// A program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Program {
    /// Points with the workspace's label.
    Coins,
    /// Stamp cards.
    Stamps,
    /// Money back in the workspace's currency.
    Cashback,
}

impl Program {
    /// Every program.
    pub const ALL: [Program; 3] = [Program::Coins, Program::Stamps, Program::Cashback];

    /// `coins`, `stamps` or `cashback`: the wire and stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Program::Coins => "coins",
            Program::Stamps => "stamps",
            Program::Cashback => "cashback",
        }
    }

    /// The program with this name.
    pub fn parse(s: &str) -> Option<Program> {
        Program::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The longest coin label.
pub const MAX_LABEL_CHARS: usize = 40;

/// A workspace's programs in one environment (`GET`/`PUT /v1/admin/programs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Programs {
    /// Coins: on, and what the widget calls them (`coins`, `beans`, `points`).
    pub coins: CoinsProgram,
    /// Stamp cards: on or off; the cards themselves are under `/v1/admin/cards`.
    pub stamps: Switch,
    /// Cashback: on, and the one currency it is paid in.
    pub cashback: CashbackProgram,
}

/// Coins' settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoinsProgram {
    /// On or off.
    pub enabled: bool,
    /// 1 to 40 printable characters.
    #[schemars(length(min = 1, max = 40), regex(pattern = crate::wire::NAME_PATTERN))]
    pub label: String,
}

/// A program with no settings but on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    /// On or off.
    pub enabled: bool,
}

/// Cashback's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CashbackProgram {
    /// On or off.
    pub enabled: bool,
    /// ISO 4217 code. Changing it is refused once any shopper holds cashback (amounts are
    /// never converted), which the edge checks.
    #[schemars(schema_with = "crate::money::currency_schema")]
    pub currency: String,
}

impl Default for Programs {
    /// A new workspace: coins on, called `coins`; stamps and cashback off (EUR).
    fn default() -> Self {
        Programs {
            coins: CoinsProgram {
                enabled: true,
                label: "coins".to_owned(),
            },
            stamps: Switch { enabled: false },
            cashback: CashbackProgram {
                enabled: false,
                currency: "EUR".to_owned(),
            },
        }
    }
}

impl Programs {
    /// Checks the label and the currency, and trims the label.
    pub fn validate(mut self) -> Result<Programs, ApiError> {
        let label = validate_text("coins.label", &self.coins.label, MAX_LABEL_CHARS)?;
        if label.is_empty() {
            return Err(ApiError::with_message(
                ErrorCode::InvalidRequest,
                "`coins.label` must not be empty.",
            ));
        }
        self.coins.label = label;
        self.currency()?;
        Ok(self)
    }

    /// The cashback currency.
    pub fn currency(&self) -> Result<Currency, ApiError> {
        Currency::parse(&self.cashback.currency).ok_or_else(|| {
            ApiError::with_message(
                ErrorCode::InvalidRequest,
                "`cashback.currency` must be an ISO 4217 code such as EUR, USD or JPY.",
            )
        })
    }

    /// Whether `program` is on.
    pub const fn enabled(&self, program: Program) -> bool {
        match program {
            Program::Coins => self.coins.enabled,
            Program::Stamps => self.stamps.enabled,
            Program::Cashback => self.cashback.enabled,
        }
    }

    /// `Ok` when `program` is on, else `program_disabled` naming it.
    pub fn require(&self, program: Program) -> Result<(), ApiError> {
        if self.enabled(program) {
            Ok(())
        } else {
            Err(ApiError::with_message(
                ErrorCode::ProgramDisabled,
                format!(
                    "The {} program is switched off for this workspace and environment; a merchant switches it on in the dashboard.",
                    program.as_str()
                ),
            ))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn program_names_are_the_wire_names() {
        assert_eq!(
            Program::ALL.map(Program::as_str),
            ["coins", "stamps", "cashback"]
        );
        for p in Program::ALL {
            assert_eq!(Program::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        assert_eq!(Program::parse("Coins"), None);
        assert_eq!(Program::parse(""), None);
    }

    #[test]
    fn a_new_workspace_runs_coins_only() {
        let p = Programs::default();
        assert!(p.enabled(Program::Coins));
        assert!(!p.enabled(Program::Stamps));
        assert!(!p.enabled(Program::Cashback));
        assert!(p.require(Program::Coins).is_ok());
        let e = p.require(Program::Cashback).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProgramDisabled);
        assert!(e.message.contains("cashback"), "{}", e.message);
        assert_eq!(p.currency().unwrap().code(), "EUR");
        assert_eq!(p.coins.label, "coins");
    }

    #[test]
    fn each_switch_turns_its_own_program_on() {
        let mut p = Programs::default();
        p.coins.enabled = false;
        p.stamps.enabled = true;
        assert!(!p.enabled(Program::Coins) && p.enabled(Program::Stamps));
        assert!(!p.enabled(Program::Cashback));
        p.cashback.enabled = true;
        assert!(p.require(Program::Cashback).is_ok());
        assert!(p.require(Program::Stamps).is_ok());
        assert_eq!(
            p.require(Program::Coins).unwrap_err().code,
            ErrorCode::ProgramDisabled
        );
    }

    #[test]
    fn the_label_and_the_currency_are_checked() {
        let mut p = Programs::default();
        p.coins.label = " beans ".into();
        p.cashback.currency = "JPY".into();
        let ok = p.clone().validate().unwrap();
        assert_eq!(ok.coins.label, "beans");
        assert_eq!(ok.currency().unwrap().exponent(), 0);
        for label in ["", "  ", "a\nb", &"x".repeat(41)] {
            let mut bad = p.clone();
            bad.coins.label = label.to_owned();
            assert_eq!(
                bad.validate().unwrap_err().code,
                ErrorCode::InvalidRequest,
                "{label:?}"
            );
        }
        let mut at_limit = p.clone();
        at_limit.coins.label = "x".repeat(40);
        assert!(at_limit.validate().is_ok());
        for currency in ["eur", "EURO", "XAU", ""] {
            let mut bad = p.clone();
            bad.cashback.currency = currency.to_owned();
            assert_eq!(
                bad.validate().unwrap_err().code,
                ErrorCode::InvalidRequest,
                "{currency}"
            );
        }
        let body = r#"{"coins":{"enabled":true,"label":"coins"},"stamps":{"enabled":true},"cashback":{"enabled":false,"currency":"EUR"},"extra":1}"#;
        assert!(
            serde_json::from_str::<Programs>(body).is_err(),
            "unknown fields are refused"
        );
    }
}
