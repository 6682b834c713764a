//! The API's routes and what each requires: scopes, a secret key, a customer token.
//!
//! Resolving a path is pure, so the edge's router, the verifier's scope step, the
//! OpenAPI document's tests and the request log all agree on one table.

use crate::error::{ApiError, ErrorCode};
use crate::ids::validate_customer_id;
use crate::scope::Scope;

/// Every operation the data plane serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `GET /v1/health`
    Health,
    /// `GET /v1/openapi.json`
    OpenApi,
    /// `GET /docs`
    Docs,
    /// `GET /v1/widget`
    Widget,
    /// `GET /v1/customers/{id}`
    GetCustomer,
    /// `PUT /v1/customers/{id}`
    PutCustomer,
    /// `GET /v1/customers/{id}/coins`
    GetCoins,
    /// `GET /v1/customers/{id}/coins/transactions`
    ListCoinTransactions,
    /// `POST /v1/customers/{id}/coins/credit`
    CreditCoins,
    /// `POST /v1/customers/{id}/coins/debit`
    DebitCoins,
    /// `GET /v1/customers/{id}/referral`
    GetCustomerReferral,
    /// `GET /v1/referrals/{code}`
    ValidateReferralCode,
    /// `POST /v1/referrals/apply`
    ApplyReferral,
    /// `POST /v1/customer-tokens`
    CreateCustomerToken,
}

/// When a customer token must accompany the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenNeed {
    /// Never.
    Never,
    /// When the key is publishable: the path names a customer, and a public key alone must
    /// not read anybody's data by guessing ids.
    ForPublishable,
    /// Always: the token is what names the customer.
    Always,
}

impl Operation {
    /// A stable name for logs and metrics, e.g. `coins.debit`.
    pub const fn name(self) -> &'static str {
        match self {
            Operation::Health => "health",
            Operation::OpenApi => "openapi",
            Operation::Docs => "docs",
            Operation::Widget => "widget",
            Operation::GetCustomer => "customers.get",
            Operation::PutCustomer => "customers.put",
            Operation::GetCoins => "coins.get",
            Operation::ListCoinTransactions => "coins.transactions",
            Operation::CreditCoins => "coins.credit",
            Operation::DebitCoins => "coins.debit",
            Operation::GetCustomerReferral => "referral.get",
            Operation::ValidateReferralCode => "referrals.validate",
            Operation::ApplyReferral => "referrals.apply",
            Operation::CreateCustomerToken => "customer_tokens.create",
        }
    }

    /// False for the public routes (health, the OpenAPI document, docs).
    pub const fn needs_key(self) -> bool {
        !matches!(
            self,
            Operation::Health | Operation::OpenApi | Operation::Docs
        )
    }

    /// The scopes the key must hold, all of them.
    pub const fn required_scopes(self) -> &'static [Scope] {
        match self {
            Operation::Health | Operation::OpenApi | Operation::Docs => &[],
            Operation::Widget => &[Scope::MemberRead, Scope::CoinsRead, Scope::ReferralRead],
            Operation::GetCustomer => &[Scope::MemberRead],
            Operation::PutCustomer => &[Scope::MemberWrite],
            Operation::GetCoins | Operation::ListCoinTransactions => &[Scope::CoinsRead],
            Operation::CreditCoins | Operation::DebitCoins => &[Scope::CoinsWrite],
            Operation::GetCustomerReferral | Operation::ValidateReferralCode => {
                &[Scope::ReferralRead]
            }
            Operation::ApplyReferral => &[Scope::ReferralWrite],
            Operation::CreateCustomerToken => &[Scope::MemberRead],
        }
    }

    /// True when only a secret key may call it (minting customer tokens).
    pub const fn secret_only(self) -> bool {
        matches!(self, Operation::CreateCustomerToken)
    }

    /// When a customer token is needed.
    pub const fn token_need(self) -> TokenNeed {
        match self {
            Operation::Widget => TokenNeed::Always,
            Operation::GetCustomer
            | Operation::GetCoins
            | Operation::ListCoinTransactions
            | Operation::GetCustomerReferral => TokenNeed::ForPublishable,
            _ => TokenNeed::Never,
        }
    }

    /// The HTTP method.
    pub const fn method(self) -> &'static str {
        match self {
            Operation::PutCustomer => "PUT",
            Operation::CreditCoins
            | Operation::DebitCoins
            | Operation::ApplyReferral
            | Operation::CreateCustomerToken => "POST",
            _ => "GET",
        }
    }

    /// The OpenAPI path template.
    pub const fn path_template(self) -> &'static str {
        match self {
            Operation::Health => "/v1/health",
            Operation::OpenApi => "/v1/openapi.json",
            Operation::Docs => "/docs",
            Operation::Widget => "/v1/widget",
            Operation::GetCustomer | Operation::PutCustomer => "/v1/customers/{id}",
            Operation::GetCoins => "/v1/customers/{id}/coins",
            Operation::ListCoinTransactions => "/v1/customers/{id}/coins/transactions",
            Operation::CreditCoins => "/v1/customers/{id}/coins/credit",
            Operation::DebitCoins => "/v1/customers/{id}/coins/debit",
            Operation::GetCustomerReferral => "/v1/customers/{id}/referral",
            Operation::ValidateReferralCode => "/v1/referrals/{code}",
            Operation::ApplyReferral => "/v1/referrals/apply",
            Operation::CreateCustomerToken => "/v1/customer-tokens",
        }
    }

    /// Every operation.
    pub const ALL: &'static [Operation] = &[
        Operation::Health,
        Operation::OpenApi,
        Operation::Docs,
        Operation::Widget,
        Operation::GetCustomer,
        Operation::PutCustomer,
        Operation::GetCoins,
        Operation::ListCoinTransactions,
        Operation::CreditCoins,
        Operation::DebitCoins,
        Operation::GetCustomerReferral,
        Operation::ValidateReferralCode,
        Operation::ApplyReferral,
        Operation::CreateCustomerToken,
    ];
}

/// A resolved request: the operation and the parameters in its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// What to do.
    pub op: Operation,
    /// `{id}`, decoded and validated.
    pub customer_id: Option<String>,
    /// `{code}`, as written (normalised by the handler).
    pub code: Option<String>,
}

/// Resolves a method and path. Unknown paths are `not_found`; known paths with another
/// method are `method_not_allowed` (the `Allow` value is in the message's companion,
/// [`allowed_methods`]).
pub fn resolve(method: &str, path: &str) -> Result<Route, ApiError> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let (candidates, customer, code): (&[Operation], Option<&str>, Option<&str>) = match segs
        .as_slice()
    {
        ["v1", "health"] => (&[Operation::Health], None, None),
        ["v1", "openapi.json"] => (&[Operation::OpenApi], None, None),
        ["docs"] => (&[Operation::Docs], None, None),
        ["v1", "widget"] => (&[Operation::Widget], None, None),
        ["v1", "customer-tokens"] => (&[Operation::CreateCustomerToken], None, None),
        ["v1", "customers", id] => (
            &[Operation::GetCustomer, Operation::PutCustomer],
            Some(*id),
            None,
        ),
        ["v1", "customers", id, "coins"] => (&[Operation::GetCoins], Some(*id), None),
        ["v1", "customers", id, "coins", "transactions"] => {
            (&[Operation::ListCoinTransactions], Some(*id), None)
        }
        ["v1", "customers", id, "coins", "credit"] => (&[Operation::CreditCoins], Some(*id), None),
        ["v1", "customers", id, "coins", "debit"] => (&[Operation::DebitCoins], Some(*id), None),
        ["v1", "customers", id, "referral"] => (&[Operation::GetCustomerReferral], Some(*id), None),
        ["v1", "referrals", "apply"] => (&[Operation::ApplyReferral], None, None),
        ["v1", "referrals", code] => (&[Operation::ValidateReferralCode], None, Some(*code)),
        _ => return Err(ApiError::new(ErrorCode::NotFound)),
    };
    let method = if method == "HEAD" { "GET" } else { method };
    let op = candidates
        .iter()
        .copied()
        .find(|op| op.method() == method)
        .ok_or_else(|| {
            ApiError::with_message(
                ErrorCode::MethodNotAllowed,
                format!(
                    "{method} is not allowed here; use {}.",
                    allowed_methods(candidates)
                ),
            )
        })?;
    let customer_id = match customer {
        Some(raw) => {
            let decoded =
                percent_decode(raw).ok_or_else(|| ApiError::new(ErrorCode::InvalidCustomerId))?;
            validate_customer_id(&decoded)?;
            Some(decoded)
        }
        None => None,
    };
    Ok(Route {
        op,
        customer_id,
        code: code.map(str::to_owned),
    })
}

/// The `Allow` header value for a path, when it exists.
pub fn allow_header(path: &str) -> Option<String> {
    let ops: Vec<Operation> = Operation::ALL
        .iter()
        .copied()
        .filter(|op| resolve(op.method(), path).is_ok_and(|r| r.op == *op))
        .collect();
    (!ops.is_empty()).then(|| allowed_methods(&ops))
}

fn allowed_methods(ops: &[Operation]) -> String {
    let mut methods: Vec<&str> = ops.iter().map(|o| o.method()).collect();
    methods.dedup();
    methods.join(", ")
}

/// Decodes `%XX` escapes; `None` for a broken escape or a result that is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_resolves_from_its_own_template() {
        for &op in Operation::ALL {
            let path = op
                .path_template()
                .replace("{id}", "cus_1")
                .replace("{code}", "ABCDEFGH23");
            let route =
                resolve(op.method(), &path).unwrap_or_else(|e| panic!("{}: {e}", op.name()));
            assert_eq!(route.op, op);
        }
    }

    #[test]
    fn customer_ids_are_decoded_and_validated() {
        let r = resolve("GET", "/v1/customers/ada%40example.com/coins").expect("resolves");
        assert_eq!(r.customer_id.as_deref(), Some("ada@example.com"));
        let err = resolve("GET", "/v1/customers/a%2Fb/coins").expect_err("slash refused");
        assert_eq!(err.code, ErrorCode::InvalidCustomerId);
        let err = resolve("GET", "/v1/customers/%zz/coins").expect_err("broken escape");
        assert_eq!(err.code, ErrorCode::InvalidCustomerId);
    }

    #[test]
    fn unknown_paths_and_wrong_methods_have_distinct_codes() {
        assert_eq!(
            resolve("GET", "/v1/nope").map_err(|e| e.code),
            Err(ErrorCode::NotFound)
        );
        assert_eq!(
            resolve("GET", "/").map_err(|e| e.code),
            Err(ErrorCode::NotFound)
        );
        assert_eq!(
            resolve("DELETE", "/v1/customers/x").map_err(|e| e.code),
            Err(ErrorCode::MethodNotAllowed)
        );
        assert_eq!(
            resolve("GET", "/v1/referrals/apply").map_err(|e| e.code),
            Err(ErrorCode::MethodNotAllowed)
        );
        assert_eq!(allow_header("/v1/customers/x").as_deref(), Some("GET, PUT"));
        assert_eq!(
            allow_header("/v1/customers/x/coins/debit").as_deref(),
            Some("POST")
        );
        assert_eq!(allow_header("/nope"), None);
    }

    #[test]
    fn head_is_get_and_a_trailing_slash_is_tolerated() {
        assert_eq!(
            resolve("HEAD", "/v1/health").map(|r| r.op),
            Ok(Operation::Health)
        );
        assert_eq!(
            resolve("GET", "/v1/health/").map(|r| r.op),
            Ok(Operation::Health)
        );
    }

    #[test]
    fn writes_need_write_scopes_and_reads_read_scopes() {
        for &op in Operation::ALL {
            let writes = op.method() != "GET" && op != Operation::CreateCustomerToken;
            for s in op.required_scopes() {
                assert_eq!(s.is_write(), writes, "{}", op.name());
            }
        }
    }
}
