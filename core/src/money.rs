//! Cashback money: ISO 4217 currencies and amounts in integer minor units.
//!
//! Amounts are never floats. `amount_minor` counts the currency's smallest unit with the
//! exponent ISO 4217 gives it: 1250 is 12.50 EUR (exponent 2), 1250 JPY (exponent 0) and
//! 1.250 BHD (exponent 3). Clients format with that exponent (the widget through
//! `Intl.NumberFormat` with the fraction digits set to it, so a currency whose CLDR
//! rounding differs from ISO's, such as IQD, never loses its minor units on screen).

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, ErrorCode};
use crate::ledger::{validate_text, Direction, Mutation, MAX_AMOUNT, MAX_REASON_CHARS};

/// Active ISO 4217 currencies (list 1 of 2025) with no minor unit.
const EXPONENT_0: &str = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF";
/// With three decimal places.
const EXPONENT_3: &str = "BHD IQD JOD KWD LYD OMR TND";
/// With two: every other active currency. Fund codes (BOV, CHE, CLF, …), precious metals
/// and testing codes are not spending money and are left out.
const EXPONENT_2: &str = "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BRL \
BSD BTN BWP BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP \
GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR \
LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN \
PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB \
TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG";

/// An ISO 4217 currency Tally pays cashback in.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

impl Currency {
    /// The currency with this code (`EUR`), upper case as ISO writes it; `None` for
    /// anything else, `eur` included: a currency is an identifier, not free text.
    pub fn parse(code: &str) -> Option<Currency> {
        let bytes: [u8; 3] = code.as_bytes().try_into().ok()?;
        if !bytes.iter().all(u8::is_ascii_uppercase) {
            return None;
        }
        [(EXPONENT_0, 0), (EXPONENT_2, 2), (EXPONENT_3, 3)]
            .into_iter()
            .find(|(table, _)| table.split(' ').any(|c| c == code))
            .map(|(_, exponent)| Currency {
                code: bytes,
                exponent,
            })
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // Built from three ASCII upper-case letters only.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Decimal places of the minor unit: 2 for EUR, 0 for JPY, 3 for BHD.
    pub const fn exponent(&self) -> u8 {
        self.exponent
    }

    /// Every supported code, sorted: for the dashboard's picker and the document's enum.
    pub fn all_codes() -> Vec<&'static str> {
        let mut codes: Vec<&str> = [EXPONENT_0, EXPONENT_2, EXPONENT_3]
            .iter()
            .flat_map(|t| t.split(' '))
            .collect();
        codes.sort_unstable();
        codes
    }

    /// `amount_minor` written out in major units with exactly the currency's decimals,
    /// `1250` → `12.50` for EUR: for logs, messages and webhook text, never for arithmetic.
    pub fn display_minor(&self, amount_minor: i64) -> String {
        let sign = if amount_minor < 0 { "-" } else { "" };
        let abs = amount_minor.unsigned_abs();
        match self.exponent {
            0 => format!("{sign}{abs} {}", self.code()),
            e => {
                let unit = 10u64.pow(u32::from(e));
                let width = usize::from(e);
                format!(
                    "{sign}{}.{:0width$} {}",
                    abs / unit,
                    abs % unit,
                    self.code()
                )
            }
        }
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A validated cashback write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashbackWrite {
    /// The amount as a ledger mutation (minor units).
    pub mutation: Mutation,
    /// The currency it was sent in: always the workspace's.
    pub currency: Currency,
}

/// `POST …/cashback/credit` and `…/cashback/redeem` body, checked against the workspace's
/// currency: `{"amount_minor": <1..=10^9>, "currency": "EUR", "reason"?}`.
///
/// An amount in another currency is `currency_mismatch` (422), never converted: exchange
/// rates are the merchant's business decision, not a silent side effect of an API call.
pub fn parse_cashback(
    direction: Direction,
    body: &[u8],
    workspace: Currency,
) -> Result<CashbackWrite, ApiError> {
    let obj = object(body)?;
    let amount = match obj.get("amount_minor") {
        None => {
            return Err(ApiError::with_message(
                ErrorCode::InvalidAmount,
                "`amount_minor` is required: the amount in the currency's minor units.",
            ))
        }
        Some(v) => whole(v)
            .filter(|a| (1..=MAX_AMOUNT).contains(a))
            .ok_or_else(|| {
                ApiError::with_message(
                    ErrorCode::InvalidAmount,
                    format!(
                        "`amount_minor` must be an integer from 1 to {MAX_AMOUNT} minor units; got {v}."
                    ),
                )
            })?,
    };
    let currency = match obj.get("currency") {
        Some(Value::String(code)) => code,
        _ => {
            return Err(ApiError::with_message(
                ErrorCode::InvalidRequest,
                format!("`currency` is required: this workspace pays cashback in {workspace}."),
            ))
        }
    };
    if currency != workspace.code() {
        return Err(ApiError::with_message(
            ErrorCode::CurrencyMismatch,
            format!(
                "This workspace pays cashback in {workspace}; `currency` was {:?}. Amounts are never converted.",
                currency.chars().take(8).collect::<String>()
            ),
        ));
    }
    Ok(CashbackWrite {
        mutation: Mutation {
            direction,
            amount,
            reason: reason(&obj)?,
        },
        currency: workspace,
    })
}

/// The body as a JSON object.
pub(crate) fn object(body: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(_) => Err(ApiError::with_message(
            ErrorCode::InvalidJson,
            "The body must be a JSON object.",
        )),
        Err(e) => Err(ApiError::with_message(
            ErrorCode::InvalidJson,
            format!("The body is not valid JSON: {e}."),
        )),
    }
}

/// A whole number as JSON Schema counts integers (`250.0` is 250), within ±2^53.
pub(crate) fn whole(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| {
        let f = v.as_f64()?;
        // Below 2^53 every integral float is exact.
        #[allow(clippy::cast_possible_truncation)]
        (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
    })
}

/// The optional `reason`: printable text of at most 200 characters.
pub(crate) fn reason(obj: &serde_json::Map<String, Value>) -> Result<Option<String>, ApiError> {
    match obj.get("reason") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => validate_text("reason", s, MAX_REASON_CHARS).map(Some),
        Some(_) => Err(ApiError::with_message(
            ErrorCode::InvalidRequest,
            "`reason` must be a string.",
        )),
    }
}

/// The schema of a currency code: one of [`Currency::all_codes`].
pub fn currency_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": Currency::all_codes() })
}

/// `GET /v1/customers/{id}/cashback`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CashbackBalance {
    /// The customer.
    pub customer_id: String,
    /// The balance in the currency's minor units (1250 is 12.50 EUR).
    pub balance_minor: i64,
    /// ISO 4217 code: the workspace's cashback currency.
    pub currency: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn iso_exponents_where_they_differ_from_two() {
        for (code, e) in [("EUR", 2), ("USD", 2), ("JPY", 0), ("KRW", 0), ("BHD", 3)] {
            assert_eq!(
                Currency::parse(code).map(|c| c.exponent()),
                Some(e),
                "{code}"
            );
        }
        assert_eq!(Currency::parse("KWD").unwrap().code(), "KWD");
    }

    #[test]
    fn unknown_withdrawn_lower_case_and_fund_codes_are_not_currencies() {
        for code in [
            "", "EU", "EURO", "eur", "Eur", "XXX", "HRK", "CLF", "XAU", "E R", "EUR ",
        ] {
            assert_eq!(Currency::parse(code), None, "{code:?}");
        }
    }

    #[test]
    fn the_code_list_is_sorted_unique_and_three_upper_case_letters() {
        let codes = Currency::all_codes();
        assert!(codes.len() > 140, "{}", codes.len());
        assert!(
            codes.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        assert!(codes
            .iter()
            .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())));
        assert!(codes.iter().all(|c| Currency::parse(c).is_some()));
        assert_eq!(codes.first(), Some(&"AED"));
    }

    #[test]
    fn minor_units_are_shown_with_the_currencys_own_decimals() {
        let show = |code: &str, m: i64| Currency::parse(code).unwrap().display_minor(m);
        assert_eq!(show("EUR", 1250), "12.50 EUR");
        assert_eq!(show("EUR", 5), "0.05 EUR");
        assert_eq!(show("EUR", 0), "0.00 EUR", "nothing is not negative");
        assert_eq!(show("EUR", -1205), "-12.05 EUR");
        assert_eq!(show("JPY", 1250), "1250 JPY");
        assert_eq!(show("BHD", 1250), "1.250 BHD");
        assert_eq!(show("BHD", 7), "0.007 BHD");
        assert_eq!(show("EUR", i64::MIN), "-92233720368547758.08 EUR");
        assert_eq!(format!("{:?} {}", eur(), eur()), "EUR EUR");
    }

    #[test]
    fn a_cashback_write_in_the_workspaces_currency() {
        let w = parse_cashback(
            Direction::Credit,
            br#"{"amount_minor":1250,"currency":"EUR","reason":" order 1 "}"#,
            eur(),
        )
        .unwrap();
        assert_eq!(w.mutation.amount, 1250);
        assert_eq!(w.mutation.direction, Direction::Credit);
        assert_eq!(w.mutation.reason.as_deref(), Some("order 1"));
        assert_eq!(w.currency, eur());
        let integral = parse_cashback(
            Direction::Debit,
            br#"{"amount_minor":250.0,"currency":"EUR"}"#,
            eur(),
        )
        .unwrap();
        assert_eq!(
            (integral.mutation.amount, integral.mutation.reason),
            (250, None)
        );
        assert_eq!(integral.mutation.direction, Direction::Debit);
    }

    #[test]
    fn another_currency_is_refused_never_converted() {
        for currency in ["USD", "eur", "EURO", ""] {
            let body = format!(r#"{{"amount_minor":100,"currency":"{currency}"}}"#);
            let e = parse_cashback(Direction::Credit, body.as_bytes(), eur()).unwrap_err();
            assert_eq!(e.code, ErrorCode::CurrencyMismatch, "{currency}");
            assert!(e.message.contains("EUR"), "{}", e.message);
        }
        for body in [
            r#"{"amount_minor":100}"#,
            r#"{"amount_minor":100,"currency":978}"#,
        ] {
            let e = parse_cashback(Direction::Credit, body.as_bytes(), eur()).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidRequest, "{body}");
        }
    }

    #[test]
    fn amounts_are_whole_minor_units_within_the_limit() {
        for amount in [
            "0",
            "-1",
            "12.5",
            "\"10\"",
            "1000000001",
            "1e20",
            "null",
            "true",
        ] {
            let body = format!(r#"{{"amount_minor":{amount},"currency":"EUR"}}"#);
            let e = parse_cashback(Direction::Credit, body.as_bytes(), eur()).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidAmount, "{amount}");
        }
        let e = parse_cashback(Direction::Credit, br#"{"currency":"EUR"}"#, eur()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidAmount);
        let top = format!(r#"{{"amount_minor":{MAX_AMOUNT},"currency":"EUR"}}"#);
        let w = parse_cashback(Direction::Credit, top.as_bytes(), eur()).unwrap();
        assert_eq!(w.mutation.amount, MAX_AMOUNT);
        let one = parse_cashback(
            Direction::Credit,
            br#"{"amount_minor":1,"currency":"EUR"}"#,
            eur(),
        );
        assert_eq!(one.unwrap().mutation.amount, 1);
    }

    #[test]
    fn bodies_that_are_not_objects_and_bad_reasons_are_refused() {
        for body in ["", "[]", "1", "{", "\"x\""] {
            let e = parse_cashback(Direction::Credit, body.as_bytes(), eur()).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidJson, "{body}");
        }
        for reason in ["1", "\"a\\nb\"", &format!("\"{}\"", "x".repeat(201))] {
            let body = format!(r#"{{"amount_minor":1,"currency":"EUR","reason":{reason}}}"#);
            let e = parse_cashback(Direction::Credit, body.as_bytes(), eur()).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidRequest, "{reason}");
        }
        let null = parse_cashback(
            Direction::Credit,
            br#"{"amount_minor":1,"currency":"EUR","reason":null}"#,
            eur(),
        );
        assert_eq!(null.unwrap().mutation.reason, None);
    }

    #[test]
    fn the_document_lists_every_supported_currency_and_nothing_else() {
        let schema = currency_schema(&mut schemars::SchemaGenerator::default());
        let listed: Vec<&str> = schema
            .get("enum")
            .and_then(serde_json::Value::as_array)
            .unwrap()
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        assert_eq!(listed, Currency::all_codes());
        assert_eq!(schema.get("type"), Some(&serde_json::json!("string")));
    }

    #[test]
    fn whole_numbers_stop_where_floats_stop_being_exact() {
        assert_eq!(
            whole(&serde_json::json!(8.0e15)),
            Some(8_000_000_000_000_000)
        );
        assert_eq!(whole(&serde_json::json!(-4.0)), Some(-4));
        assert_eq!(whole(&serde_json::json!(9.0e15)), None);
        assert_eq!(whole(&serde_json::json!(0.5)), None);
    }
}
