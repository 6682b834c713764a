//! The coin ledger end to end: idempotent writes, validation, and no overdraft under
//! concurrency, with the balance always equal to the sum of the entries.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Barrier};

use serde_json::{json, Value};
use tally_e2e::{unique, world, World};

fn ledger_sum(entries: &[Value]) -> i64 {
    entries
        .iter()
        .map(|e| {
            let amount = e["amount"].as_i64().unwrap();
            match e["type"].as_str().unwrap() {
                "credit" => amount,
                "debit" => -amount,
                other => panic!("unknown entry type {other}"),
            }
        })
        .sum()
}

fn write(
    w: &World,
    key: &str,
    cid: &str,
    op: &str,
    idem: Option<&str>,
    body: &str,
) -> tally_e2e::Answer {
    let auth = format!("Bearer {key}");
    let mut headers = vec![
        ("Authorization", auth.as_str()),
        ("X-Workspace-Id", w.demo.workspace_id.as_str()),
    ];
    if let Some(i) = idem {
        headers.push(("Idempotency-Key", i));
    }
    headers.push(("Content-Type", "application/json"));
    w.client.send_raw(
        "POST",
        &format!("/v1/customers/{cid}/coins/{op}"),
        &headers,
        body,
    )
}

#[test]
fn a_credit_retried_with_the_same_idempotency_key_applies_once() {
    let w = world();
    let cid = w.new_customer("idem", 0);
    let key = unique("order");
    let first = w.credit(&cid, 75, &key);
    let again = w.credit(&cid, 75, &key);
    assert_eq!(first.body, again.body, "a retry answers the first result");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(first.body["balance"], 75);
    assert_eq!(first.body["entry"]["type"], "credit");
    assert_eq!(first.body["entry"]["balance_after"], 75);
    assert_eq!(w.balance(&cid), 75);
    assert_eq!(w.all_entries(&cid).len(), 1);

    // The same key for a different request is refused, not silently replayed.
    let a = w.server(
        "POST",
        &format!("/v1/customers/{cid}/coins/credit"),
        &[("Idempotency-Key", &key)],
        Some(&json!({"amount": 80, "reason": "test"})),
    );
    a.assert_error(409, "idempotency_key_reused");
    assert_eq!(w.balance(&cid), 75);
}

#[test]
fn debits_answer_the_new_balance_and_never_overdraw() {
    let w = world();
    let cid = w.new_customer("debit", 30);
    let a = w.server(
        "POST",
        &format!("/v1/customers/{cid}/coins/debit"),
        &[("Idempotency-Key", &unique("d"))],
        Some(&json!({"amount": 30, "reason": "Redeemed: free coffee"})),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["balance"], 0);
    assert_eq!(a.body["entry"]["reason"], "Redeemed: free coffee");
    let a = w.server(
        "POST",
        &format!("/v1/customers/{cid}/coins/debit"),
        &[("Idempotency-Key", &unique("d"))],
        Some(&json!({"amount": 1})),
    );
    a.assert_error(409, "insufficient_balance");
    assert_eq!(w.balance(&cid), 0);
}

#[test]
fn bad_amounts_and_bodies_get_stable_4xx_codes_never_500() {
    let w = world();
    let sk = w.demo.secret_key.clone();
    let cid = w.new_customer("bad", 10);
    let cases: &[(&str, Option<&str>, &str, u16, &str)] = &[
        (
            "credit",
            Some("b1"),
            r#"{"amount":0}"#,
            422,
            "invalid_amount",
        ),
        (
            "credit",
            Some("b2"),
            r#"{"amount":-5}"#,
            422,
            "invalid_amount",
        ),
        (
            "debit",
            Some("b3"),
            r#"{"amount":1.5}"#,
            422,
            "invalid_amount",
        ),
        (
            "credit",
            Some("b4"),
            r#"{"amount":"10"}"#,
            422,
            "invalid_amount",
        ),
        (
            "credit",
            Some("b5"),
            r#"{"amount":1e30}"#,
            422,
            "invalid_amount",
        ),
        (
            "credit",
            Some("b6"),
            r#"{"amount":99999999999999999999999999}"#,
            422,
            "invalid_amount",
        ),
        (
            "credit",
            Some("b7"),
            r#"{"reason":"no amount"}"#,
            422,
            "invalid_amount",
        ),
        ("credit", Some("b8"), r#"{"amount":"#, 400, "invalid_json"),
        ("credit", Some("b9"), r#"[1,2]"#, 400, "invalid_json"),
        ("credit", Some("b10"), "", 400, "invalid_json"),
        (
            "credit",
            None,
            r#"{"amount":5}"#,
            400,
            "idempotency_key_required",
        ),
        (
            "credit",
            Some("has space"),
            r#"{"amount":5}"#,
            400,
            "idempotency_key_required",
        ),
    ];
    for (op, idem, body, status, code) in cases {
        let a = write(w, &sk, &cid, op, *idem, body);
        assert_eq!(
            (a.status, a.code()),
            (*status, *code),
            "{op} {body}: {}",
            a.text
        );
    }
    let huge = format!(r#"{{"amount":1,"reason":"{}"}}"#, "x".repeat(20_000));
    let a = write(w, &sk, &cid, "credit", Some("b11"), &huge);
    a.assert_error(413, "payload_too_large");
    // A path that is not a customer id.
    let a = w.server("GET", "/v1/customers/a%2Fb/coins", &[], None);
    a.assert_error(400, "invalid_customer_id");
    let a = w.server(
        "GET",
        &format!("/v1/customers/{}/coins", "x".repeat(65)),
        &[],
        None,
    );
    a.assert_error(400, "invalid_customer_id");
    assert_eq!(w.balance(&cid), 10, "nothing above changed the balance");
}

/// 200 debits of 7 race against a balance of 1000: exactly 142 succeed, 58 are refused
/// with `insufficient_balance`, the balance ends at 6, and the ledger sums to it.
#[test]
fn concurrent_debits_never_overdraw_and_the_ledger_sums_to_the_balance() {
    let w = world();
    let ledger_sk = w.fixture("ledger_sk");
    let cid = w.new_customer("race", 1000);
    let n = 200;
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let barrier = barrier.clone();
            let key = ledger_sk.key.clone();
            let cid = cid.clone();
            std::thread::spawn(move || {
                let w = world();
                let idem = format!("race-{cid}-{i}");
                barrier.wait();
                let a = write(
                    w,
                    &key,
                    &cid,
                    "debit",
                    Some(&idem),
                    r#"{"amount":7,"reason":"race"}"#,
                );
                (a.status, a.code().to_owned(), a.body["balance"].as_i64())
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ok = results.iter().filter(|r| r.0 == 200).count();
    let refused = results
        .iter()
        .filter(|r| r.0 == 409 && r.1 == "insufficient_balance")
        .count();
    let other: Vec<_> = results
        .iter()
        .filter(|r| r.0 != 200 && r.0 != 409)
        .collect();
    assert!(other.is_empty(), "unexpected answers: {other:?}");
    assert_eq!(ok, 142, "exactly floor(1000 / 7) debits succeed");
    assert_eq!(refused, 58);
    assert!(results.iter().filter_map(|r| r.2).all(|b| b >= 0));

    let balance = w.balance(&cid);
    assert_eq!(balance, 6);
    let entries = w.all_entries(&cid);
    assert_eq!(entries.len(), 143, "one credit and 142 debits");
    assert_eq!(
        ledger_sum(&entries),
        balance,
        "the balance is the sum of the entries"
    );
    // Newest first, and each entry's balance_after follows from the one before it.
    let mut running = 0;
    for e in entries.iter().rev() {
        running += ledger_sum(std::slice::from_ref(e));
        assert_eq!(e["balance_after"].as_i64().unwrap(), running);
        assert!(running >= 0);
    }
}

#[test]
fn transactions_are_paginated_newest_first() {
    let w = world();
    let cid = w.new_customer("pages", 0);
    for i in 1..=5 {
        w.credit(&cid, i, &unique("p"));
    }
    let first = w.server(
        "GET",
        &format!("/v1/customers/{cid}/coins/transactions?limit=2"),
        &[],
        None,
    );
    assert_eq!(first.status, 200, "{}", first.text);
    let data = first.body["data"].as_array().unwrap();
    assert_eq!(
        data.iter()
            .map(|e| e["amount"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [5, 4]
    );
    let cursor = first.body["next_cursor"].as_str().expect("more pages");
    let second = w.server(
        "GET",
        &format!("/v1/customers/{cid}/coins/transactions?limit=2&cursor={cursor}"),
        &[],
        None,
    );
    assert_eq!(second.body["data"][0]["amount"], 3);
    assert_eq!(w.all_entries(&cid).len(), 5);
    let bad = w.server(
        "GET",
        &format!("/v1/customers/{cid}/coins/transactions?limit=1000"),
        &[],
        None,
    );
    assert_eq!((bad.status, bad.code()), (422, "invalid_request"));
    let bad = w.server(
        "GET",
        &format!("/v1/customers/{cid}/coins/transactions?cursor=abc"),
        &[],
        None,
    );
    assert_eq!((bad.status, bad.code()), (422, "invalid_request"));
}
