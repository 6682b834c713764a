//! Seed 001's programs end to end, against `wrangler dev`: stamp cards, cashback, the
//! catalogue, claims and members. Each route and its errors, the ledgers' sums, and the
//! races a till and a web shop make: concurrent stamps and redeems on one card, concurrent
//! cashback redeems, and one claim approved by twenty requests at once.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Barrier, Mutex, OnceLock};

use serde_json::{json, Value};
use tally_e2e::{unique, world, Answer, Session};

const CARD: &str = "card_democoffee";

/// One race of 200 requests at a time: each race is about one wallet under 200 concurrent
/// writes, and `wrangler dev`'s single local process is not the place to stack them.
static RACE: Mutex<()> = Mutex::new(());

/// One signed-in superadmin for the whole file.
fn admin() -> &'static Session {
    static ADMIN: OnceLock<Session> = OnceLock::new();
    ADMIN.get_or_init(|| world().demo_admin())
}

/// A secret key of the demo workspace with exactly these scopes, so a test's load never
/// meets another test's rate limit.
fn key_with(scopes: &[&str]) -> String {
    let (_, secret) = admin().create_key(json!({
        "name": unique("programs"),
        "access": "custom",
        "scopes": scopes,
        "kind": "secret",
    }));
    secret
}

fn as_key(
    key: &str,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let w = world();
    w.with_key(method, path, key, &w.demo.workspace_id, extra, body)
}

/// The item of a list answer whose `field` is `value`.
fn item(list: &Answer, field: &str, value: &str) -> Value {
    list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c[field] == value)
        .cloned()
        .unwrap_or_else(|| panic!("no {field} {value} in {}", list.text))
}

/// A write as a merchant's backend sends it: a 503 (under `wrangler dev`, "Your worker
/// restarted mid-request") is retried with the same `Idempotency-Key`, as clients are told to;
/// the ledger's checks then prove the write applied once.
fn write_retrying(key: &str, path: &str, idem: &str, body: &Value) -> Answer {
    let mut a = as_key(key, "POST", path, &[("Idempotency-Key", idem)], Some(body));
    for _ in 0..2 {
        if a.status != 503 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        a = as_key(key, "POST", path, &[("Idempotency-Key", idem)], Some(body));
    }
    a
}

fn server(method: &str, path: &str, idem: Option<&str>, body: Option<&Value>) -> Answer {
    let extra: Vec<(&str, &str)> = idem.map(|i| ("Idempotency-Key", i)).into_iter().collect();
    world().server(method, path, &extra, body)
}

fn stamps(cid: &str, op: &str, idem: &str, body: Value) -> Answer {
    server(
        "POST",
        &format!("/v1/customers/{cid}/stamps/{op}"),
        Some(idem),
        Some(&body),
    )
}

fn coffee(cid: &str) -> Value {
    let a = server("GET", &format!("/v1/customers/{cid}/stamps"), None, None);
    assert_eq!(a.status, 200, "{}", a.text);
    item(&a, "card_id", CARD)
}

fn stamp_entries(cid: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let a = server(
            "GET",
            &format!("/v1/customers/{cid}/stamps/transactions?limit=100&cursor={cursor}"),
            None,
            None,
        );
        assert_eq!(a.status, 200, "{}", a.text);
        out.extend(a.body["data"].as_array().unwrap().iter().cloned());
        match a.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => return out,
        }
    }
}

fn cashback(cid: &str, op: &str, idem: &str, amount: i64, currency: &str) -> Answer {
    server(
        "POST",
        &format!("/v1/customers/{cid}/cashback/{op}"),
        Some(idem),
        Some(&json!({"amount_minor": amount, "currency": currency, "reason": "test"})),
    )
}

fn cashback_balance(cid: &str) -> i64 {
    let a = server("GET", &format!("/v1/customers/{cid}/cashback"), None, None);
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["currency"], "EUR");
    assert_eq!(a.body["customer_id"], cid);
    a.body["balance_minor"].as_i64().unwrap()
}

#[test]
fn a_card_fills_to_exactly_its_stamps_is_redeemed_when_full_and_starts_again() {
    let cid = unique("stamps");
    let fresh = coffee(&cid);
    assert_eq!(
        (
            fresh["count"].as_u64(),
            fresh["required"].as_u64(),
            fresh["rewards_earned"].as_u64()
        ),
        (Some(0), Some(6), Some(0))
    );
    assert_eq!(fresh["reward"], "A free coffee");

    let four = stamps(
        &cid,
        "add",
        "s1",
        json!({"card_id": CARD, "count": 4, "reason": "four lattes"}),
    );
    assert_eq!(four.status, 200, "{}", four.text);
    assert_eq!(four.body["card"]["count"], 4);
    assert_eq!(four.body["entry"]["type"], "add");
    assert_eq!(four.body["entry"]["count_after"], 4);

    // A retry answers the first result; the same key for another request is refused.
    let again = stamps(
        &cid,
        "add",
        "s1",
        json!({"card_id": CARD, "count": 4, "reason": "four lattes"}),
    );
    assert_eq!(again.body, four.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    stamps(&cid, "add", "s1", json!({"card_id": CARD, "count": 3}))
        .assert_error(409, "idempotency_key_reused");

    stamps(&cid, "redeem", "r0", json!({"card_id": CARD})).assert_error(409, "card_not_full");
    stamps(&cid, "add", "s2", json!({"card_id": CARD, "count": 3})).assert_error(409, "card_full");
    let six = stamps(&cid, "add", "s3", json!({"card_id": CARD, "count": 2}));
    assert_eq!(six.body["card"]["count"], 6, "{}", six.text);

    let redeemed = stamps(
        &cid,
        "redeem",
        "r1",
        json!({"card_id": CARD, "reason": "free flat white"}),
    );
    assert_eq!(redeemed.status, 200, "{}", redeemed.text);
    assert_eq!(redeemed.body["card"]["count"], 0);
    assert_eq!(redeemed.body["card"]["rewards_earned"], 1);
    assert_eq!(redeemed.body["entry"]["type"], "redeem");
    assert_eq!(redeemed.body["entry"]["count"], 6);
    assert_eq!(coffee(&cid)["rewards_earned"], 1);

    let entries = stamp_entries(&cid);
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["redeem", "add", "add"],
        "newest first, refusals write nothing"
    );

    stamps(
        &cid,
        "add",
        "s4",
        json!({"card_id": "card_nosuchcard", "count": 1}),
    )
    .assert_error(404, "card_not_found");
    stamps(&cid, "add", "s5", json!({"card_id": CARD, "count": 0}))
        .assert_error(422, "invalid_amount");
    server(
        "POST",
        &format!("/v1/customers/{cid}/stamps/add"),
        None,
        Some(&json!({"card_id": CARD, "count": 1})),
    )
    .assert_error(400, "idempotency_key_required");
}

#[test]
fn concurrent_stamps_and_redeems_on_one_card_never_overfill_and_sum_to_the_count() {
    let _race = RACE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let key = Arc::new(key_with(&["stamps_read", "stamps_write"]));
    let cid = Arc::new(unique("stamp-race"));
    let n = 200;
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (key, cid, barrier) = (key.clone(), cid.clone(), barrier.clone());
            std::thread::spawn(move || {
                let (op, body) = if i % 5 == 4 {
                    ("redeem", json!({"card_id": CARD}))
                } else {
                    ("add", json!({"card_id": CARD, "count": 1}))
                };
                let idem = format!("race-{i}");
                barrier.wait();
                let a = write_retrying(
                    &key,
                    &format!("/v1/customers/{cid}/stamps/{op}"),
                    &idem,
                    &body,
                );
                (op, a.status, a.code().to_owned(), a.text)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for (op, status, code, text) in &results {
        let fine = *status == 200
            || (*status == 409 && *op == "add" && code == "card_full")
            || (*status == 409 && *op == "redeem" && code == "card_not_full");
        assert!(fine, "{op}: {status} {text}");
    }
    let redeemed = results
        .iter()
        .filter(|(op, s, _, _)| *op == "redeem" && *s == 200)
        .count();
    let entries = stamp_entries(&cid);
    let sum: i64 = entries
        .iter()
        .map(|e| {
            let n = e["count"].as_i64().unwrap();
            if e["type"] == "add" {
                n
            } else {
                -n
            }
        })
        .sum();
    let card = coffee(&cid);
    assert_eq!(
        card["count"].as_i64().unwrap(),
        sum,
        "the count is the sum of the entries"
    );
    assert!((0..=6).contains(&sum));
    assert_eq!(card["rewards_earned"].as_u64().unwrap() as usize, redeemed);
    assert!(
        entries
            .iter()
            .filter(|e| e["type"] == "redeem")
            .all(|e| e["count"] == 6),
        "every redeem took a full card"
    );
    assert!(redeemed > 0, "with 160 adds some cards filled");
}

#[test]
fn cashback_is_paid_in_the_workspace_currency_and_never_below_zero() {
    let cid = unique("cashback");
    assert_eq!(cashback_balance(&cid), 0);
    let credit = cashback(&cid, "credit", "c1", 1250, "EUR");
    assert_eq!(credit.status, 200, "{}", credit.text);
    assert_eq!(credit.body["balance_minor"], 1250);
    assert_eq!(credit.body["currency"], "EUR");
    assert_eq!(credit.body["entry"]["amount_minor"], 1250);
    assert_eq!(credit.body["entry"]["type"], "credit");
    assert_eq!(
        cashback(&cid, "credit", "c1", 1250, "EUR").header("idempotent-replayed"),
        Some("true")
    );

    cashback(&cid, "credit", "c2", 100, "USD").assert_error(422, "currency_mismatch");
    cashback(&cid, "redeem", "r1", 1251, "EUR").assert_error(409, "insufficient_balance");
    let paid = cashback(&cid, "redeem", "r2", 1000, "EUR");
    assert_eq!(paid.body["balance_minor"], 250, "{}", paid.text);
    assert_eq!(paid.body["entry"]["type"], "debit");
    assert_eq!(cashback_balance(&cid), 250);

    let history = server(
        "GET",
        &format!("/v1/customers/{cid}/cashback/transactions"),
        None,
        None,
    );
    let amounts: Vec<i64> = history.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["amount_minor"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, [1000, 1250]);
    // Coins are a ledger of their own.
    assert_eq!(world().balance(&cid), 0);
}

#[test]
fn concurrent_cashback_redeems_never_overdraw() {
    let _race = RACE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let key = Arc::new(key_with(&["cashback_read", "cashback_write"]));
    let cid = Arc::new(unique("cashback-race"));
    let funded = cashback(&cid, "credit", "fund", 1000, "EUR");
    assert_eq!(funded.status, 200, "{}", funded.text);
    let n = 200;
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (key, cid, barrier) = (key.clone(), cid.clone(), barrier.clone());
            std::thread::spawn(move || {
                let idem = format!("redeem-{i}");
                barrier.wait();
                let a = write_retrying(
                    &key,
                    &format!("/v1/customers/{cid}/cashback/redeem"),
                    &idem,
                    &json!({"amount_minor": 7, "currency": "EUR"}),
                );
                (a.status, a.code().to_owned(), a.text)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for (s, c, text) in &results {
        assert!(
            *s == 200 || (*s == 409 && c == "insufficient_balance"),
            "{s} {text}"
        );
    }
    let paid = results.iter().filter(|(s, _, _)| *s == 200).count() as i64;
    assert_eq!(paid, 1000 / 7, "every redeem that fits, and no more");
    assert_eq!(cashback_balance(&cid), 1000 - 7 * paid);
}

fn file_claim(body: Value, idem: &str) -> Answer {
    server("POST", "/v1/claims", Some(idem), Some(&body))
}

#[test]
fn a_claim_approved_by_twenty_concurrent_requests_credits_once() {
    let key = Arc::new(key_with(&["claim_write", "coins_read"]));
    let cid = unique("claimant");
    let filed = file_claim(
        json!({"customer_id": cid, "program": "coins", "amount": 120, "evidence": {"receipt": "R-1"}}),
        &unique("claim"),
    );
    assert_eq!(filed.status, 201, "{}", filed.text);
    assert_eq!(filed.body["status"], "pending");
    let id = Arc::new(filed.body["id"].as_str().unwrap().to_owned());
    let n = 20;
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (key, id, barrier) = (key.clone(), id.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let a = as_key(&key, "POST", &format!("/v1/claims/{id}/approve"), &[], None);
                (a.status, a.body["status"].clone())
            })
        })
        .collect();
    for h in handles {
        let (status, claim_status) = h.join().unwrap();
        assert_eq!((status, claim_status), (200, json!("approved")));
    }
    let w = world();
    assert_eq!(w.balance(&cid), 120, "credited exactly once");
    let entries = w.all_entries(&cid);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["idempotency_key"], format!("claim:{id}"));
    server(
        "POST",
        &format!("/v1/claims/{id}/reject"),
        None,
        Some(&json!({"reason": "late"})),
    )
    .assert_error(409, "claim_closed");
}

#[test]
fn claims_are_filed_once_queued_rejected_with_a_reason_and_never_reopened() {
    let cid = unique("claimant");
    let idem = unique("claim");
    let body = json!({"customer_id": cid, "program": "cashback", "amount": 300, "evidence": {"order": "A-77"}});
    let filed = file_claim(body.clone(), &idem);
    assert_eq!(filed.status, 201, "{}", filed.text);
    assert_eq!(filed.body["currency"], "EUR");
    let id = filed.body["id"].as_str().unwrap().to_owned();
    let retry = file_claim(body, &idem);
    assert_eq!((retry.status, &retry.body["id"]), (201, &json!(id)));
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    file_claim(
        json!({"customer_id": cid, "program": "coins", "amount": 1}),
        &idem,
    )
    .assert_error(409, "idempotency_key_reused");

    let pending = server("GET", "/v1/claims?status=pending&limit=100", None, None);
    assert_eq!(pending.status, 200, "{}", pending.text);
    assert!(pending.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == id));

    server(
        "POST",
        &format!("/v1/claims/{id}/reject"),
        None,
        Some(&json!({"reason": " "})),
    )
    .assert_error(422, "invalid_request");
    let rejected = server(
        "POST",
        &format!("/v1/claims/{id}/reject"),
        None,
        Some(&json!({"reason": "No order A-77 on file"})),
    );
    assert_eq!(rejected.body["status"], "rejected", "{}", rejected.text);
    assert_eq!(rejected.body["rejection_reason"], "No order A-77 on file");
    assert!(rejected.body["decided_at"].is_string());
    server("POST", &format!("/v1/claims/{id}/approve"), None, None)
        .assert_error(409, "claim_closed");
    assert_eq!(
        cashback_balance(&cid),
        0,
        "a rejected claim credits nothing"
    );

    let got = server("GET", &format!("/v1/claims/{id}"), None, None);
    assert_eq!(got.body["status"], "rejected");
    assert_eq!(got.body["evidence"]["order"], "A-77");
    let queue = server("GET", "/v1/claims?status=rejected&limit=100", None, None);
    assert!(queue.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == id));

    server("GET", "/v1/claims/clm_doesnotexist", None, None).assert_error(404, "claim_not_found");
    server("GET", "/v1/claims/not-a-claim", None, None).assert_error(404, "claim_not_found");
    server("GET", "/v1/claims?status=open", None, None).assert_error(422, "invalid_request");
    file_claim(
        json!({"customer_id": cid, "program": "stamps", "amount": 1}),
        &unique("c"),
    )
    .assert_error(422, "invalid_request");
}

#[test]
fn a_stamps_claim_approved_adds_its_stamps_to_the_card() {
    let cid = unique("stamp-claim");
    let filed = file_claim(
        json!({"customer_id": cid, "program": "stamps", "amount": 2, "card_id": CARD, "evidence": {"till": "7"}}),
        &unique("claim"),
    );
    assert_eq!(filed.status, 201, "{}", filed.text);
    let id = filed.body["id"].as_str().unwrap();
    let approved = server("POST", &format!("/v1/claims/{id}/approve"), None, None);
    assert_eq!(approved.body["status"], "approved", "{}", approved.text);
    assert_eq!(coffee(&cid)["count"], 2);
    file_claim(
        json!({"customer_id": cid, "program": "stamps", "amount": 7, "card_id": CARD}),
        &unique("claim"),
    )
    .assert_error(422, "invalid_amount");
}

#[test]
fn each_program_is_read_with_its_own_scope() {
    let stamps_only = key_with(&["stamps_read"]);
    let cid = unique("scoped");
    let a = as_key(
        &stamps_only,
        "GET",
        &format!("/v1/customers/{cid}/stamps"),
        &[],
        None,
    );
    assert_eq!(a.status, 200, "{}", a.text);
    as_key(
        &stamps_only,
        "GET",
        &format!("/v1/customers/{cid}/cashback"),
        &[],
        None,
    )
    .assert_error(403, "insufficient_scope");
    as_key(
        &stamps_only,
        "GET",
        &format!("/v1/customers/{cid}/coins"),
        &[],
        None,
    )
    .assert_error(403, "insufficient_scope");
    as_key(
        &stamps_only,
        "POST",
        &format!("/v1/customers/{cid}/stamps/add"),
        &[("Idempotency-Key", "x")],
        Some(&json!({"card_id": CARD, "count": 1})),
    )
    .assert_error(403, "insufficient_scope");
    as_key(&stamps_only, "GET", "/v1/cards", &[], None).assert_error(403, "insufficient_scope");
}

#[test]
fn a_program_that_is_off_answers_program_disabled() {
    // The fixture workspace never switched stamps or cashback on.
    let w = world();
    let other = w.fixture("other_ws_sk");
    let cid = unique("off");
    for path in [
        format!("/v1/customers/{cid}/stamps"),
        format!("/v1/customers/{cid}/cashback"),
    ] {
        w.with_key("GET", &path, &other.key, &other.workspace_id, &[], None)
            .assert_error(403, "program_disabled");
    }
    let coins = w.with_key(
        "GET",
        &format!("/v1/customers/{cid}/coins"),
        &other.key,
        &other.workspace_id,
        &[],
        None,
    );
    assert_eq!(coins.status, 200, "coins are on by default: {}", coins.text);
}

#[test]
fn the_catalogue_lists_the_cards_and_rewards() {
    let cards = server("GET", "/v1/cards", None, None);
    assert_eq!(cards.status, 200, "{}", cards.text);
    let card = item(&cards, "id", CARD);
    assert_eq!(
        (card["name"].as_str(), card["required"].as_u64()),
        (Some("Coffee card"), Some(6))
    );
    assert_eq!(cards.body["next_cursor"], Value::Null);
    let rewards = server("GET", "/v1/rewards", None, None);
    let reward = item(&rewards, "card_id", CARD);
    assert_eq!(
        (reward["program"].as_str(), reward["cost"].as_i64()),
        (Some("stamps"), Some(6))
    );
}

#[test]
fn members_are_enrolled_listed_newest_first_and_never_overwritten() {
    let id = unique("member");
    let created = server(
        "POST",
        "/v1/customers",
        None,
        Some(&json!({"id": id, "name": " Grace ", "email": "grace@example.com"})),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["name"], "Grace");
    assert_eq!(created.body["email"], "grace@example.com");
    server(
        "POST",
        "/v1/customers",
        None,
        Some(&json!({"id": id, "name": "Someone else"})),
    )
    .assert_error(409, "customer_exists");
    server(
        "POST",
        "/v1/customers",
        None,
        Some(&json!({"name": "No email", "email": "nope"})),
    )
    .assert_error(422, "invalid_request");
    let generated = server(
        "POST",
        "/v1/customers",
        None,
        Some(&json!({"name": "Generated"})),
    );
    assert_eq!(generated.status, 201, "{}", generated.text);
    let gid = generated.body["id"].as_str().unwrap().to_owned();
    assert!(gid.starts_with("cus_"), "{gid}");
    assert_eq!(
        server("GET", &format!("/v1/customers/{id}"), None, None).body["email"],
        "grace@example.com"
    );

    // The index is written off the response path: allow it a moment.
    let listed = |want: &str| {
        (0..50).any(|_| {
            let a = server("GET", "/v1/customers?limit=100", None, None);
            assert_eq!(a.status, 200, "{}", a.text);
            let found = a.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == want);
            if !found {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            found
        })
    };
    assert!(listed(&id) && listed(&gid));
    // A shopper first met by a write is listed too.
    let credited = unique("met");
    world().credit(&credited, 5, &unique("first"));
    assert!(listed(&credited));
    let page = server("GET", "/v1/customers?limit=1", None, None);
    assert_eq!(page.body["data"].as_array().unwrap().len(), 1);
    let next = page.body["next_cursor"]
        .as_str()
        .expect("more than one customer");
    let second = server(
        "GET",
        &format!("/v1/customers?limit=1&cursor={next}"),
        None,
        None,
    );
    assert_ne!(second.body["data"][0]["id"], page.body["data"][0]["id"]);
    // A public key never lists shoppers.
    let w = world();
    w.with_key(
        "GET",
        "/v1/customers",
        &w.demo.publishable_key,
        &w.demo.workspace_id,
        &[],
        None,
    )
    .assert_error(403, "secret_key_required");
}

#[test]
fn the_widget_answers_stamps_and_cashback_in_the_same_read() {
    let w = world();
    let cid = unique("widget");
    stamps(&cid, "add", "w1", json!({"card_id": CARD, "count": 3}));
    cashback(&cid, "credit", "w2", 499, "EUR");
    let token = w.token_for(&cid, 600);
    let a = w.client.send(
        "GET",
        &w.widget_path(&w.demo.publishable_key, Some(&token)),
        &[],
        None,
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let card = a.body["stamps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["card_id"] == CARD)
        .cloned()
        .expect("the widget shows the coffee card");
    assert_eq!(
        (card["count"].as_u64(), card["required"].as_u64()),
        (Some(3), Some(6))
    );
    assert_eq!(
        a.body["cashback"],
        json!({"balance_minor": 499, "currency": "EUR", "exponent": 2})
    );
    assert!(a.body["coins"]["balance"].is_i64());
}

#[test]
fn the_dashboard_sets_programs_cards_rewards_and_works_the_claims_queue() {
    let admin = admin();
    let programs = admin.call("GET", "/v1/admin/programs", None, None);
    assert_eq!(programs.status, 200, "{}", programs.text);
    assert_eq!(programs.body["stamps"]["enabled"], true);
    assert_eq!(programs.body["cashback"]["currency"], "EUR");
    // Cashback was paid in euros: the currency is fixed from then on.
    let mut usd = programs.body.clone();
    usd["cashback"]["currency"] = json!("USD");
    let c = unique("lock");
    cashback(&c, "credit", "lock", 1, "EUR");
    std::thread::sleep(std::time::Duration::from_millis(500));
    admin
        .call("PUT", "/v1/admin/programs", Some(&usd), None)
        .assert_error(422, "invalid_request");
    let same = admin.call("PUT", "/v1/admin/programs", Some(&programs.body), None);
    assert_eq!(same.status, 200, "{}", same.text);

    let card = admin.call(
        "POST",
        "/v1/admin/cards",
        Some(&json!({"name": "Tea card", "required": 8, "reward": "A pot of tea", "stamp_expiry_days": 90})),
        None,
    );
    assert_eq!(card.status, 201, "{}", card.text);
    let card_id = card.body["id"].as_str().unwrap().to_owned();
    let changed = admin.call(
        "PUT",
        &format!("/v1/admin/cards/{card_id}"),
        Some(
            &json!({"name": "Tea card", "required": 10, "reward": "A pot of tea", "active": false}),
        ),
        None,
    );
    assert_eq!(
        (
            changed.body["required"].as_u64(),
            changed.body["active"].as_bool()
        ),
        (Some(10), Some(false))
    );
    admin
        .call(
            "POST",
            "/v1/admin/cards",
            Some(&json!({"name": "X", "required": 0, "reward": "Y"})),
            None,
        )
        .assert_error(422, "invalid_request");
    let reward = admin.call(
        "POST",
        "/v1/admin/rewards",
        Some(&json!({"name": "Tea", "program": "stamps", "cost": 10, "card_id": card_id})),
        None,
    );
    assert_eq!(reward.status, 201, "{}", reward.text);
    admin
        .call(
            "POST",
            "/v1/admin/rewards",
            Some(&json!({"name": "Tea", "program": "stamps", "cost": 10, "card_id": "card_nosuchcard"})),
            None,
        )
        .assert_error(404, "card_not_found");

    let cid = unique("queue");
    let filed = file_claim(
        json!({"customer_id": cid, "program": "coins", "amount": 40}),
        &unique("q"),
    );
    let id = filed.body["id"].as_str().unwrap().to_owned();
    let queue = admin.call(
        "GET",
        "/v1/admin/claims?status=pending&limit=200",
        None,
        None,
    );
    assert!(
        queue.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id),
        "{}",
        queue.text
    );
    let developer = world().demo_developer();
    developer
        .call(
            "POST",
            &format!("/v1/admin/claims/{id}/approve"),
            None,
            None,
        )
        .assert_error(403, "forbidden_role");
    let approved = admin.call(
        "POST",
        &format!("/v1/admin/claims/{id}/approve"),
        None,
        None,
    );
    assert_eq!(approved.body["status"], "approved", "{}", approved.text);
    assert_eq!(world().balance(&cid), 40);
    admin
        .call(
            "POST",
            &format!("/v1/admin/claims/{id}/reject"),
            Some(&json!({"reason": "no"})),
            None,
        )
        .assert_error(409, "claim_closed");
}
