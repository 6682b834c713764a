//! The API's routes and what each requires: scopes, a secret key, a customer token.
//!
//! One declarative row per route ([`routes!`]): method, path template, name, whether it needs
//! a key, the scopes it needs, when a customer token must come with it, and whether only a
//! secret key may call it. Adding a route is one row and one handler. Resolving a path is
//! pure and shared with the control plane's table ([`pick`]), so both planes agree on trailing
//! slashes, `HEAD`, unknown methods (405 with `Allow`) and literal segments beating
//! parameters; the edge's router, the verifier's scope step, the OpenAPI document's tests and
//! the request log all read the same rows.

use crate::doc::{Html, OpDoc, OpenApiDocument, QueryParam};
use crate::error::{ApiError, ErrorCode};
use crate::ids::validate_customer_id;
use crate::scope::Scope;
#[allow(clippy::wildcard_imports)]
use crate::wire::*;

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

macro_rules! routes {
    ($( $(#[doc = $doc:literal])* $op:ident => {
        $method:literal $path:literal, name: $name:literal, key: $key:literal,
        scopes: [$($scope:ident),*], token: $token:ident, secret_only: $secret:literal,
        doc: { $($d:tt)* } $(,)?
    }, )*) => {
        /// Every operation the data plane serves.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $( $(#[doc = $doc])* $op, )*
        }

        impl Operation {
            /// Every operation, in table order.
            pub const ALL: &'static [Operation] = &[$(Operation::$op,)*];

            /// A stable name for logs and metrics, e.g. `coins.debit`.
            pub const fn name(self) -> &'static str {
                match self { $(Operation::$op => $name,)* }
            }

            /// The HTTP method.
            pub const fn method(self) -> &'static str {
                match self { $(Operation::$op => $method,)* }
            }

            /// The OpenAPI path template.
            pub const fn path_template(self) -> &'static str {
                match self { $(Operation::$op => $path,)* }
            }

            /// False for the public routes (health, the OpenAPI document, docs).
            pub const fn needs_key(self) -> bool {
                match self { $(Operation::$op => $key,)* }
            }

            /// The scopes the key must hold, all of them.
            pub const fn required_scopes(self) -> &'static [Scope] {
                match self { $(Operation::$op => &[$(Scope::$scope),*],)* }
            }

            /// When a customer token is needed.
            pub const fn token_need(self) -> TokenNeed {
                match self { $(Operation::$op => TokenNeed::$token,)* }
            }

            /// True when only a secret key may call it (minting customer tokens).
            pub const fn secret_only(self) -> bool {
                match self { $(Operation::$op => $secret,)* }
            }

            /// What the OpenAPI document says about it.
            pub fn doc(self) -> OpDoc {
                match self { $(Operation::$op => $crate::op_doc!($($doc)*; $($d)*),)* }
            }
        }
    };
}

routes! {
    /// Answers when the Worker is up. No key.
    Health => { "GET" "/v1/health", name: "health", key: false, scopes: [], token: Never, secret_only: false,
        doc: { tag: "Meta", summary: "Health", answer: 200 Health, query: [], errors: [] } },
    /// This OpenAPI 3.1 document. No key.
    OpenApi => { "GET" "/v1/openapi.json", name: "openapi", key: false, scopes: [], token: Never, secret_only: false,
        doc: { tag: "Meta", summary: "This document", answer: 200 OpenApiDocument, query: [], errors: [] } },
    /// This document, readable and searchable, with every sample. No key.
    Docs => { "GET" "/docs", name: "docs", key: false, scopes: [], token: Never, secret_only: false,
        doc: { tag: "Meta", summary: "Readable API docs", answer: 200 Html as "text/html", query: [], errors: [] } },
    /// The merchant dashboard (a single-page app): signing in, API keys. No key: it calls the
    /// control plane with the member's session.
    Dashboard => { "GET" "/dashboard", name: "dashboard", key: false, scopes: [], token: Never, secret_only: false,
        doc: { tag: "Meta", summary: "The merchant dashboard", answer: 200 Html as "text/html", query: [], errors: [] } },
    /// A page of the dashboard: the same app, which shows the page its path names.
    DashboardPage => { "GET" "/dashboard/{page}", name: "dashboard.page", key: false, scopes: [], token: Never, secret_only: false,
        doc: { tag: "Meta", summary: "A page of the merchant dashboard", answer: 200 Html as "text/html", query: [], errors: [] } },
    /// Everything the widget shows in one simple GET (no CORS preflight): the shopper's
    /// name, coin balance and label, referral code, link, count and reward. With a
    /// publishable key and a customer token in the query (`key`, `ws`, `token`), or from a
    /// server with a key in `Authorization` and the token in `X-Customer-Token`.
    Widget => { "GET" "/v1/widget", name: "widget", key: true, scopes: [MemberRead, CoinsRead, ReferralRead], token: Always, secret_only: false,
        doc: { tag: "Widget", summary: "Everything the widget shows", answer: 200 WidgetView, query: [QueryParam::MinVersion], errors: [] } },
    /// A customer's profile. A publishable key needs a customer token for this customer.
    GetCustomer => { "GET" "/v1/customers/{id}", name: "customers.get", key: true, scopes: [MemberRead], token: ForPublishable, secret_only: false,
        doc: { tag: "Customers", summary: "Get a customer", answer: 200 Customer, query: [], errors: [CustomerNotFound] } },
    /// Creates the customer if needed and sets their display name.
    PutCustomer => { "PUT" "/v1/customers/{id}", name: "customers.put", key: true, scopes: [MemberWrite], token: Never, secret_only: false,
        doc: { tag: "Customers", summary: "Create or rename a customer", body: PutCustomer, answer: 200 Customer, query: [], errors: [] } },
    /// The balance: the sum of the customer's ledger entries (0 for a customer never seen).
    GetCoins => { "GET" "/v1/customers/{id}/coins", name: "coins.get", key: true, scopes: [CoinsRead], token: ForPublishable, secret_only: false,
        doc: { tag: "Coins", summary: "Coin balance", answer: 200 CoinBalance, query: [], errors: [] } },
    /// Ledger entries, newest first. Pass `next_cursor` as `cursor` for the next page.
    ListCoinTransactions => { "GET" "/v1/customers/{id}/coins/transactions", name: "coins.transactions", key: true, scopes: [CoinsRead], token: ForPublishable, secret_only: false,
        doc: { tag: "Coins", summary: "Coin history", answer: 200 Page<LedgerEntry>,
               query: [QueryParam::Limit { default: 20, max: 100 }, QueryParam::IntCursor], errors: [] } },
    /// Appends a credit entry. Idempotent per `Idempotency-Key`: a retry with the same key
    /// and body answers the first result (`Idempotent-Replayed: true`).
    CreditCoins => { "POST" "/v1/customers/{id}/coins/credit", name: "coins.credit", key: true, scopes: [CoinsWrite], token: Never, secret_only: false,
        doc: { tag: "Coins", summary: "Credit coins", body: CoinMutation, answer: 200 CoinMutationResult, query: [],
               errors: [IdempotencyKeyRequired, IdempotencyKeyReused, InvalidAmount, BalanceLimitExceeded] } },
    /// Appends a debit entry. Never takes the balance below zero, even under concurrent
    /// debits. Idempotent per `Idempotency-Key`.
    DebitCoins => { "POST" "/v1/customers/{id}/coins/debit", name: "coins.debit", key: true, scopes: [CoinsWrite], token: Never, secret_only: false,
        doc: { tag: "Coins", summary: "Debit coins", body: CoinMutation, answer: 200 CoinMutationResult, query: [],
               errors: [IdempotencyKeyRequired, IdempotencyKeyReused, InvalidAmount, InsufficientBalance] } },
    /// The customer's referral code and link; the code is created on first use.
    GetCustomerReferral => { "GET" "/v1/customers/{id}/referral", name: "referral.get", key: true, scopes: [ReferralRead], token: ForPublishable, secret_only: false,
        doc: { tag: "Referrals", summary: "A customer's referral code and link", answer: 200 CustomerReferral, query: [], errors: [] } },
    /// Whether a code belongs to a customer. Case-insensitive; `O`, `I` and `L` read as
    /// `0`, `1` and `1`, dashes are ignored.
    ValidateReferralCode => { "GET" "/v1/referrals/{code}", name: "referrals.validate", key: true, scopes: [ReferralRead], token: Never, secret_only: false,
        doc: { tag: "Referrals", summary: "Validate a referral code", answer: 200 ReferralCodeCheck, query: [], errors: [ReferralCodeNotFound] } },
    /// Records that a new customer joined with a code and credits the referrer's reward
    /// once. Retrying is safe.
    ApplyReferral => { "POST" "/v1/referrals/apply", name: "referrals.apply", key: true, scopes: [ReferralWrite], token: Never, secret_only: false,
        doc: { tag: "Referrals", summary: "Apply a referral code", body: ApplyReferral, answer: 200 AppliedReferral, query: [],
               errors: [InvalidCustomerId, ReferralCodeNotFound, AlreadyReferred, SelfReferral] } },
    /// Every shopper of the workspace, newest first. Secret key only: a public key never
    /// lists shoppers.
    ListCustomers => { "GET" "/v1/customers", name: "customers.list", key: true, scopes: [MemberRead], token: Never, secret_only: true,
        doc: { tag: "Customers", summary: "List customers", answer: 200 Page<Customer>,
               query: [QueryParam::Limit { default: 20, max: 100 }, QueryParam::IntCursor], errors: [] } },
    /// Enrols a shopper: with the merchant's own id, or a generated `cus_…` one. An id that
    /// exists is `customer_exists` (rename with `PUT`).
    CreateCustomer => { "POST" "/v1/customers", name: "customers.create", key: true, scopes: [MemberWrite], token: Never, secret_only: false,
        doc: { tag: "Customers", summary: "Create a customer", body: NewCustomer, answer: 201 Customer, query: [],
               errors: [InvalidCustomerId, CustomerExists] } },
    /// The shopper's progress on every active stamp card. Lapsed stamps are not counted.
    GetStamps => { "GET" "/v1/customers/{id}/stamps", name: "stamps.get", key: true, scopes: [StampsRead], token: ForPublishable, secret_only: false,
        doc: { tag: "Stamps", summary: "Stamp cards", answer: 200 StampCards, query: [], errors: [ProgramDisabled] } },
    /// Stamp entries, newest first.
    ListStampTransactions => { "GET" "/v1/customers/{id}/stamps/transactions", name: "stamps.transactions", key: true, scopes: [StampsRead], token: ForPublishable, secret_only: false,
        doc: { tag: "Stamps", summary: "Stamp history", answer: 200 Page<StampEntry>,
               query: [QueryParam::Limit { default: 20, max: 100 }, QueryParam::IntCursor], errors: [ProgramDisabled] } },
    /// Adds stamps to a card; never more than it holds (`card_full`). Idempotent per
    /// `Idempotency-Key`.
    AddStamps => { "POST" "/v1/customers/{id}/stamps/add", name: "stamps.add", key: true, scopes: [StampsWrite], token: Never, secret_only: false,
        doc: { tag: "Stamps", summary: "Add stamps", body: AddStamps, answer: 200 StampWriteResult, query: [],
               errors: [ProgramDisabled, IdempotencyKeyRequired, IdempotencyKeyReused, InvalidAmount, CardNotFound, CardFull] } },
    /// Redeems a full card for its reward: the card starts again empty. Idempotent per
    /// `Idempotency-Key`.
    RedeemStamps => { "POST" "/v1/customers/{id}/stamps/redeem", name: "stamps.redeem", key: true, scopes: [StampsWrite], token: Never, secret_only: false,
        doc: { tag: "Stamps", summary: "Redeem a full card", body: RedeemStamps, answer: 200 StampWriteResult, query: [],
               errors: [ProgramDisabled, IdempotencyKeyRequired, IdempotencyKeyReused, CardNotFound, CardNotFull] } },
    /// The cashback balance in the workspace's currency, in minor units.
    GetCashback => { "GET" "/v1/customers/{id}/cashback", name: "cashback.get", key: true, scopes: [CashbackRead], token: ForPublishable, secret_only: false,
        doc: { tag: "Cashback", summary: "Cashback balance", answer: 200 CashbackBalance, query: [], errors: [ProgramDisabled] } },
    /// Cashback entries, newest first.
    ListCashbackTransactions => { "GET" "/v1/customers/{id}/cashback/transactions", name: "cashback.transactions", key: true, scopes: [CashbackRead], token: ForPublishable, secret_only: false,
        doc: { tag: "Cashback", summary: "Cashback history", answer: 200 Page<CashbackEntry>,
               query: [QueryParam::Limit { default: 20, max: 100 }, QueryParam::IntCursor], errors: [ProgramDisabled] } },
    /// Credits cashback in the workspace's currency. Idempotent per `Idempotency-Key`.
    CreditCashback => { "POST" "/v1/customers/{id}/cashback/credit", name: "cashback.credit", key: true, scopes: [CashbackWrite], token: Never, secret_only: false,
        doc: { tag: "Cashback", summary: "Credit cashback", body: CashbackMutation, answer: 200 CashbackMutationResult, query: [],
               errors: [ProgramDisabled, IdempotencyKeyRequired, IdempotencyKeyReused, InvalidAmount, CurrencyMismatch, BalanceLimitExceeded] } },
    /// Redeems (pays out) cashback; never below zero, even under concurrent redeems.
    /// Idempotent per `Idempotency-Key`.
    RedeemCashback => { "POST" "/v1/customers/{id}/cashback/redeem", name: "cashback.redeem", key: true, scopes: [CashbackWrite], token: Never, secret_only: false,
        doc: { tag: "Cashback", summary: "Redeem cashback", body: CashbackMutation, answer: 200 CashbackMutationResult, query: [],
               errors: [ProgramDisabled, IdempotencyKeyRequired, IdempotencyKeyReused, InvalidAmount, CurrencyMismatch, InsufficientBalance] } },
    /// The workspace's stamp cards.
    ListCards => { "GET" "/v1/cards", name: "cards.list", key: true, scopes: [CardRead], token: Never, secret_only: false,
        doc: { tag: "Catalogue", summary: "List stamp cards", answer: 200 Page<Card>, query: [], errors: [] } },
    /// The rewards catalogue.
    ListRewards => { "GET" "/v1/rewards", name: "rewards.list", key: true, scopes: [CardRead], token: Never, secret_only: false,
        doc: { tag: "Catalogue", summary: "List rewards", answer: 200 Page<Reward>, query: [], errors: [] } },
    /// Files a claim for the merchant to check: `pending` until approved or rejected.
    /// Idempotent per `Idempotency-Key`.
    CreateClaim => { "POST" "/v1/claims", name: "claims.create", key: true, scopes: [ClaimWrite], token: Never, secret_only: false,
        doc: { tag: "Claims", summary: "File a claim", body: NewClaimBody, answer: 201 Claim, query: [],
               errors: [IdempotencyKeyRequired, IdempotencyKeyReused, InvalidCustomerId, InvalidAmount, ProgramDisabled, CardNotFound] } },
    /// The claims queue, newest first; `status` filters it.
    ListClaims => { "GET" "/v1/claims", name: "claims.list", key: true, scopes: [ClaimWrite], token: Never, secret_only: false,
        doc: { tag: "Claims", summary: "List claims", answer: 200 Page<Claim>,
               query: [QueryParam::ClaimStatus, QueryParam::Limit { default: 20, max: 100 }, QueryParam::PairCursor], errors: [] } },
    /// One claim.
    GetClaim => { "GET" "/v1/claims/{claim_id}", name: "claims.get", key: true, scopes: [ClaimWrite], token: Never, secret_only: false,
        doc: { tag: "Claims", summary: "Get a claim", answer: 200 Claim, query: [], errors: [ClaimNotFound] } },
    /// Approves a pending claim and applies its credit in the same transaction, exactly
    /// once: retried or raced approvals all answer the approved claim.
    ApproveClaim => { "POST" "/v1/claims/{claim_id}/approve", name: "claims.approve", key: true, scopes: [ClaimWrite], token: Never, secret_only: false,
        doc: { tag: "Claims", summary: "Approve a claim", answer: 200 Claim, query: [],
               errors: [ClaimNotFound, ClaimClosed, ProgramDisabled, CardNotFound, CardFull, BalanceLimitExceeded] } },
    /// Rejects a pending claim with a reason.
    RejectClaim => { "POST" "/v1/claims/{claim_id}/reject", name: "claims.reject", key: true, scopes: [ClaimWrite], token: Never, secret_only: false,
        doc: { tag: "Claims", summary: "Reject a claim", body: RejectClaim, answer: 200 Claim, query: [],
               errors: [ClaimNotFound, ClaimClosed] } },
    /// Mints a customer token: the JWT a JWT library would sign (HS256 with the current
    /// identity secret, its `kid` in the header), for merchants who prefer not to sign tokens
    /// themselves. Secret key only.
    CreateCustomerToken => { "POST" "/v1/customer-tokens", name: "customer_tokens.create", key: true, scopes: [MemberRead], token: Never, secret_only: true,
        doc: { tag: "Customer tokens", summary: "Mint a customer token", body: CustomerTokenRequest, answer: 200 CustomerTokenResponse, query: [],
               errors: [InvalidCustomerId] } },
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
    /// `{claim_id}`: a well-formed claim id (any other is `claim_not_found`).
    pub claim_id: Option<String>,
}

/// Why a method and path name no route: `not_found`, or `method_not_allowed` with the value
/// of the `Allow` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteError {
    /// The answer.
    pub error: ApiError,
    /// `Allow`, for a path that exists under other methods.
    pub allow: Option<String>,
}

impl std::fmt::Display for RouteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

/// Matches a path against a template segment by segment: `{name}` takes any non-empty
/// segment. Answers the parameters in order.
fn match_template<'a>(template: &str, path: &'a str) -> Option<Vec<&'a str>> {
    let mut params = Vec::new();
    let mut t = template.split('/');
    let mut p = path.split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(params),
            (Some(ts), Some(ps)) if ts.starts_with('{') => {
                if ps.is_empty() {
                    return None;
                }
                params.push(ps);
            }
            (Some(ts), Some(ps)) if ts == ps => {}
            _ => return None,
        }
    }
}

/// The one matcher both planes use. Among the rows whose template matches `path` (a trailing
/// slash tolerated), those with the most literal segments win, so `/v1/referrals/apply` is
/// never read as a code; then the method picks the row (`HEAD` is `GET`). No row: 404; rows
/// under other methods only: 405 with `Allow`.
pub fn pick<'a, T: Copy>(
    rows: &[T],
    endpoint: impl Fn(T) -> (&'static str, &'static str),
    method: &str,
    path: &'a str,
) -> Result<(T, Vec<&'a str>), RouteError> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let mut best: Vec<(T, Vec<&'a str>)> = Vec::new();
    for &row in rows {
        let (_, template) = endpoint(row);
        if let Some(params) = match_template(template, path) {
            match best.first().map(|(_, p)| p.len()) {
                Some(n) if n < params.len() => continue,
                Some(n) if n > params.len() => best.clear(),
                _ => {}
            }
            best.push((row, params));
        }
    }
    if best.is_empty() {
        return Err(RouteError {
            error: ApiError::new(ErrorCode::NotFound),
            allow: None,
        });
    }
    let wanted = if method == "HEAD" { "GET" } else { method };
    let mut allowed: Vec<&str> = Vec::new();
    for (row, params) in best {
        let (m, _) = endpoint(row);
        if m == wanted {
            return Ok((row, params));
        }
        if !allowed.contains(&m) {
            allowed.push(m);
        }
    }
    let allow = allowed.join(", ");
    Err(RouteError {
        error: ApiError::with_message(
            ErrorCode::MethodNotAllowed,
            format!("{method} is not allowed here; use {allow}."),
        ),
        allow: Some(allow),
    })
}

/// Resolves a data-plane method and path: `not_found`, `method_not_allowed` (with `Allow`),
/// or `invalid_customer_id` for a `{id}` that is not a valid customer id once decoded.
pub fn resolve(method: &str, path: &str) -> Result<Route, RouteError> {
    let (op, params) = pick(
        Operation::ALL,
        |op| (op.method(), op.path_template()),
        method,
        path,
    )?;
    let param = |name: &str| {
        let names = op.path_template().split('/').filter(|s| s.starts_with('{'));
        names
            .zip(params.iter())
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    };
    let customer_id = match param("{id}") {
        Some(raw) => {
            let invalid = || RouteError {
                error: ApiError::new(ErrorCode::InvalidCustomerId),
                allow: None,
            };
            let decoded = percent_decode(raw).ok_or_else(invalid)?;
            validate_customer_id(&decoded).map_err(|_| invalid())?;
            Some(decoded)
        }
        None => None,
    };
    let claim_id = match param("{claim_id}") {
        Some(raw) if crate::claims::is_claim_id(raw) => Some(raw.to_owned()),
        Some(_) => {
            return Err(RouteError {
                error: ApiError::new(ErrorCode::ClaimNotFound),
                allow: None,
            })
        }
        None => None,
    };
    Ok(Route {
        op,
        customer_id,
        code: param("{code}").map(str::to_owned),
        claim_id,
    })
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
                .replace("{code}", "ABCDEFGH23")
                .replace("{claim_id}", "clm_1");
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
        assert_eq!(err.error.code, ErrorCode::InvalidCustomerId);
        let err = resolve("GET", "/v1/customers/%zz/coins").expect_err("broken escape");
        assert_eq!(err.error.code, ErrorCode::InvalidCustomerId);
    }

    fn refused(method: &str, path: &str) -> (ErrorCode, Option<String>) {
        let e = resolve(method, path).expect_err("refused");
        (e.error.code, e.allow)
    }

    #[test]
    fn unknown_paths_and_wrong_methods_have_distinct_codes() {
        assert_eq!(refused("GET", "/v1/nope"), (ErrorCode::NotFound, None));
        assert_eq!(refused("GET", "/"), (ErrorCode::NotFound, None));
        assert_eq!(
            refused("GET", "/v1/customers//coins"),
            (ErrorCode::NotFound, None)
        );
        assert_eq!(
            refused("DELETE", "/v1/customers/x"),
            (ErrorCode::MethodNotAllowed, Some("GET, PUT".into()))
        );
        assert_eq!(
            refused("QUERY", "/v1/health"),
            (ErrorCode::MethodNotAllowed, Some("GET".into()))
        );
        assert_eq!(
            refused("GET", "/v1/customers/x/coins/debit"),
            (ErrorCode::MethodNotAllowed, Some("POST".into()))
        );
        // A literal segment beats a parameter: `apply` is not a referral code.
        assert_eq!(
            refused("GET", "/v1/referrals/apply"),
            (ErrorCode::MethodNotAllowed, Some("POST".into()))
        );
        assert_eq!(
            resolve("GET", "/v1/referrals/ABCDEFGH23").map(|r| r.code),
            Ok(Some("ABCDEFGH23".into()))
        );
    }

    #[test]
    fn literal_segments_beat_parameters_whatever_the_row_order() {
        let rows = [("POST", "/a/b"), ("GET", "/a/{x}")];
        for table in [rows, [rows[1], rows[0]]] {
            let e = pick(&table, |r| r, "GET", "/a/b").expect_err("b is not an x");
            assert_eq!(e.error.code, ErrorCode::MethodNotAllowed);
            assert_eq!(e.allow.as_deref(), Some("POST"));
            assert_eq!(e.to_string(), e.error.to_string());
            assert!(e.to_string().contains("POST"), "{e}");
            assert_eq!(
                pick(&table, |r| r, "GET", "/a/c").map(|(_, p)| p),
                Ok(vec!["c"])
            );
        }
    }

    #[test]
    fn the_table_has_one_row_per_method_and_path_and_public_rows_need_nothing() {
        for (i, a) in Operation::ALL.iter().enumerate() {
            for b in &Operation::ALL[i + 1..] {
                assert!(
                    (a.method(), a.path_template()) != (b.method(), b.path_template()),
                    "{} and {} share a route",
                    a.name(),
                    b.name()
                );
                assert_ne!(a.name(), b.name());
            }
            if !a.needs_key() {
                assert!(a.required_scopes().is_empty() && a.token_need() == TokenNeed::Never);
            }
        }
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
    fn a_claim_path_names_a_well_formed_claim_id_or_no_claim() {
        let ok = resolve("POST", "/v1/claims/clm_4Rt8Lp2X/approve").expect("a claim path");
        assert_eq!(ok.op, Operation::ApproveClaim);
        assert_eq!(ok.claim_id.as_deref(), Some("clm_4Rt8Lp2X"));
        for bad in ["/v1/claims/nope", "/v1/claims/clm_", "/v1/claims/clm_a-b"] {
            let e = resolve("GET", bad).expect_err(bad);
            assert_eq!(e.error.code, ErrorCode::ClaimNotFound, "{bad}");
        }
    }

    #[test]
    fn writes_need_write_scopes_and_reads_read_scopes() {
        for &op in Operation::ALL {
            // Seed 001 has no claim_read: the claims queue holds shoppers' evidence, so
            // reading it takes claim_write, which only secret keys hold.
            let claims = op.name().starts_with("claims.");
            let writes = (op.method() != "GET" || claims) && op != Operation::CreateCustomerToken;
            for s in op.required_scopes() {
                assert_eq!(s.is_write(), writes, "{}", op.name());
            }
        }
    }
}
