//! Read-your-writes against `wrangler dev`: every wallet write answer and `/v1/widget` carry
//! the wallet's `version`, which increases with each write in the write's own transaction,
//! stays put on a replayed write, and never goes backwards for a reader; `v` is validated.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Barrier};

use serde_json::{json, Value};
use tally_e2e::{unique, unique_ip, world, Answer};

const CARD: &str = "card_democoffee";

/// A write from the merchant's backend under a fresh (or given) idempotency key.
fn write(path: &str, idem: &str, body: Value) -> Answer {
    let a = world().server("POST", path, &[("Idempotency-Key", idem)], Some(&body));
    assert!(a.status == 200 || a.status == 201, "{path}: {}", a.text);
    a
}

fn version(a: &Answer) -> i64 {
    a.body["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("no version in {}", a.text))
}

/// The shopper's widget (`token` is theirs), as a storefront asks for it, with `v` when
/// given.
fn widget(token: &str, v: Option<&str>) -> Answer {
    let w = world();
    let mut path = w.widget_path(&w.demo.publishable_key, Some(token));
    if let Some(v) = v {
        path += &format!("&v={v}");
    }
    let ip = unique_ip();
    w.client
        .send("GET", &path, &[("CF-Connecting-IP", ip.as_str())], None)
}

#[test]
fn every_write_answers_a_higher_version_and_the_widget_reads_it_back() {
    let cid = unique("ryw");
    let token = world().token_for(&cid, 600);
    let first = widget(&token, None);
    assert_eq!(first.status, 200, "{}", first.text);
    let mut last = version(&first);

    let credit_key = unique("c");
    let credit = write(
        &format!("/v1/customers/{cid}/coins/credit"),
        &credit_key,
        json!({"amount": 50}),
    );
    assert!(version(&credit) > last, "a credit is a write");
    last = version(&credit);
    // Replayed: nothing changes, so neither does the version.
    let again = write(
        &format!("/v1/customers/{cid}/coins/credit"),
        &credit_key,
        json!({"amount": 50}),
    );
    assert_eq!(version(&again), last, "a replay is not a write");

    let debit = write(
        &format!("/v1/customers/{cid}/coins/debit"),
        &unique("d"),
        json!({"amount": 20}),
    );
    assert!(version(&debit) > last);
    last = version(&debit);
    // The shopper's own debit, on the very next read.
    let seen = widget(&token, Some(&last.to_string()));
    assert_eq!(seen.status, 200, "{}", seen.text);
    assert!(version(&seen) >= last);
    assert_eq!(seen.body["coins"]["balance"], 30);

    let stamps = write(
        &format!("/v1/customers/{cid}/stamps/add"),
        &unique("s"),
        json!({"card_id": CARD, "count": 2}),
    );
    assert!(version(&stamps) > last, "{}", stamps.text);
    last = version(&stamps);
    let cashback = write(
        &format!("/v1/customers/{cid}/cashback/credit"),
        &unique("k"),
        json!({"amount_minor": 125, "currency": "EUR"}),
    );
    assert!(version(&cashback) > last, "{}", cashback.text);
    last = version(&cashback);

    let filed = write(
        "/v1/claims",
        &unique("f"),
        json!({"customer_id": cid, "program": "coins", "amount": 7}),
    );
    let id = filed.body["id"].as_str().unwrap().to_owned();
    assert!(
        filed.body.get("version").is_none(),
        "a filed claim credits nothing"
    );
    let approved = world().server("POST", &format!("/v1/claims/{id}/approve"), &[], None);
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert!(version(&approved) > last, "an approval credits");
    last = version(&approved);
    let reapproved = world().server("POST", &format!("/v1/claims/{id}/approve"), &[], None);
    assert_eq!(
        version(&reapproved),
        last,
        "approving again changes nothing"
    );

    let seen = widget(&token, Some(&last.to_string()));
    assert_eq!(version(&seen), last);
    assert_eq!(seen.body["coins"]["balance"], 37);
    assert_eq!(seen.body["cashback"]["balance_minor"], 125, "{}", seen.text);
}

/// The wallet keeps its last view in memory (no SQL for a repeated read); whatever else it
/// is asked, a write of any kind, a failed write or a profile change, the next view is read
/// again. `v` above any version sends each read past the Worker's tiers to the wallet.
#[test]
fn the_wallets_own_copy_of_a_view_never_outlives_a_request_to_it() {
    let cid = unique("wallet-copy");
    let token = world().token_for(&cid, 600);
    let from_wallet = || {
        let a = widget(&token, Some("999999999999999"));
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.header("x-tally-cache"), Some("wallet"));
        a
    };
    // The first read registers the shopper's referral code after it (a write of its own).
    assert_eq!(from_wallet().body["coins"]["balance"], 0);
    let settled = from_wallet();
    assert_eq!(
        from_wallet().body,
        settled.body,
        "read again, the same view"
    );

    write(
        &format!("/v1/customers/{cid}/coins/credit"),
        &unique("c"),
        json!({"amount": 7}),
    );
    let credited = from_wallet();
    assert_eq!(credited.body["coins"]["balance"], 7, "{}", credited.text);

    // A debit refused for want of coins changes nothing, and the view says so.
    world()
        .server(
            "POST",
            &format!("/v1/customers/{cid}/coins/debit"),
            &[("Idempotency-Key", &unique("d"))],
            Some(&json!({"amount": 100})),
        )
        .assert_error(409, "insufficient_balance");
    let refused = from_wallet();
    assert_eq!(refused.body["coins"]["balance"], 7);
    assert_eq!(version(&refused), version(&credited));

    let named = world().server(
        "PUT",
        &format!("/v1/customers/{cid}"),
        &[],
        Some(&json!({"name": "Ada"})),
    );
    assert_eq!(named.status, 200, "{}", named.text);
    let renamed = from_wallet();
    assert_eq!(renamed.body["customer"]["name"], "Ada", "{}", renamed.text);
    assert!(
        version(&renamed) > version(&credited),
        "a new name is a write"
    );

    write(
        &format!("/v1/customers/{cid}/stamps/add"),
        &unique("s"),
        json!({"card_id": CARD, "count": 3}),
    );
    let stamped = from_wallet();
    let card = stamped.body["stamps"]
        .as_array()
        .and_then(|cards| cards.iter().find(|c| c["card_id"] == CARD))
        .unwrap_or_else(|| panic!("no {CARD} in {}", stamped.text));
    assert_eq!(card["count"], 3, "{}", stamped.text);
}

#[test]
fn concurrent_writes_each_get_their_own_version_and_a_reader_never_goes_back() {
    let cid = unique("ryw-race");
    let token = world().token_for(&cid, 600);
    let n = 16;
    let barrier = Arc::new(Barrier::new(n + 1));
    let writers: Vec<_> = (0..n)
        .map(|i| {
            let (cid, barrier) = (cid.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let a = write(
                    &format!("/v1/customers/{cid}/coins/credit"),
                    &format!("{cid}-{i}"),
                    json!({"amount": 1}),
                );
                version(&a)
            })
        })
        .collect();
    let reader = {
        let (token, barrier) = (token.clone(), barrier.clone());
        std::thread::spawn(move || {
            barrier.wait();
            let mut seen = Vec::new();
            let mut v = 0;
            for _ in 0..12 {
                let a = widget(&token, Some(&v.to_string()));
                assert_eq!(a.status, 200, "{}", a.text);
                let (now, balance) = (version(&a), a.body["coins"]["balance"].as_i64().unwrap());
                assert!(now >= v, "version {now} after {v}: went backwards");
                v = now;
                seen.push((now, balance));
            }
            seen
        })
    };
    let mut versions: Vec<i64> = writers.into_iter().map(|h| h.join().unwrap()).collect();
    let seen = reader.join().unwrap();
    versions.sort_unstable();
    versions.dedup();
    assert_eq!(
        versions.len(),
        n,
        "each write its own version: {versions:?}"
    );
    // A reader's balance never goes backwards either (credits only).
    assert!(
        seen.windows(2).all(|p| p[1].1 >= p[0].1),
        "balances went backwards: {seen:?}"
    );
    let last = widget(&token, Some(&versions[n - 1].to_string()));
    assert_eq!(last.body["coins"]["balance"], n as i64);
    assert!(version(&last) >= versions[n - 1]);
}

#[test]
fn v_is_digits_and_a_v_the_wallet_never_issued_gets_the_wallet_as_it_is() {
    let token = world().token_for(&unique("ryw-v"), 600);
    for bad in ["abc", "-1", "1.5", "1000000000000000"] {
        widget(&token, Some(bad)).assert_error(422, "invalid_request");
    }
    let empty = widget(&token, Some(""));
    assert_eq!(empty.status, 200, "{}", empty.text);
    // A test wallet reset since the shopper's browser remembered a version: the wallet's own
    // state, not an error the widget cannot recover from.
    let ahead = widget(&token, Some("999999999999999"));
    assert_eq!(ahead.status, 200, "{}", ahead.text);
    assert!(version(&ahead) < 999_999_999_999_999);
}

/// The widget read with this publishable key.
fn widget_with(key: &str, token: &str, extra: &[(&str, &str)]) -> Answer {
    let w = world();
    let ip = unique_ip();
    let mut headers = vec![("CF-Connecting-IP", ip.as_str())];
    headers.extend_from_slice(extra);
    w.client
        .send("GET", &w.widget_path(key, Some(token)), &headers, None)
}

fn tier(a: &Answer) -> &str {
    a.header("x-tally-cache").unwrap_or("none")
}

#[test]
fn reads_come_from_memory_until_a_write_and_never_older_than_v() {
    let cid = unique("tiers");
    let token = world().token_for(&cid, 600);
    let first = widget(&token, None);
    assert_eq!(tier(&first), "wallet", "the first read fills the tiers");
    assert_eq!(
        first.header("cache-control"),
        Some("private, max-age=10"),
        "a shopper's next page views within seconds cost no request"
    );
    let again = widget(&token, None);
    assert_eq!(tier(&again), "memory");
    assert_eq!(again.text, first.text);
    // A view newer than any cached one is asked for: only the wallet has it (here none
    // does, so the wallet answers as it is).
    let newer = (version(&first) + 1).to_string();
    assert_eq!(tier(&widget(&token, Some(&newer))), "wallet");

    // A write through this Worker drops the cached views: the next read, even without `v`,
    // goes to the wallet and shows it.
    let credit = write(
        &format!("/v1/customers/{cid}/coins/credit"),
        &unique("t"),
        json!({"amount": 9}),
    );
    let after = widget(&token, None);
    assert_eq!(tier(&after), "wallet");
    assert_eq!(after.body["coins"]["balance"], 9);
    assert_eq!(version(&after), version(&credit));
    assert_eq!(
        tier(&widget(&token, Some(&version(&credit).to_string()))),
        "memory"
    );

    // Past its two seconds the memory copy is not served; the data centre's copy (thirty
    // seconds) is, when it has one.
    std::thread::sleep(std::time::Duration::from_millis(2_200));
    let later = widget(&token, None);
    assert!(
        matches!(tier(&later), "edge" | "wallet"),
        "a stale memory copy was served"
    );
    assert_eq!(later.body["coins"]["balance"], 9);
}

#[test]
fn an_unchanged_view_is_a_304_and_a_changed_one_is_not() {
    let cid = unique("etag");
    let token = world().token_for(&cid, 600);
    let first = widget(&token, None);
    let tag = first.header("etag").unwrap().to_owned();
    let w = world();
    let same = widget_with(&w.demo.publishable_key, &token, &[("If-None-Match", &tag)]);
    assert_eq!(same.status, 304, "{}", same.text);
    assert!(same.text.is_empty());
    assert_eq!(same.header("etag"), Some(tag.as_str()));
    write(
        &format!("/v1/customers/{cid}/coins/credit"),
        &unique("e"),
        json!({"amount": 3}),
    );
    let changed = widget_with(&w.demo.publishable_key, &token, &[("If-None-Match", &tag)]);
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
    assert_eq!(changed.body["coins"]["balance"], 3);
}

#[test]
fn a_revoked_key_gets_no_cached_answer() {
    let w = world();
    let admin = w.demo_admin();
    let (key, publishable) = admin.create_key(json!({
        "name": unique("cached"),
        "access": "read_only",
        "kind": "publishable",
    }));
    let token = w.token_for(&unique("revoked-reader"), 600);
    let first = widget_with(&publishable, &token, &[]);
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(tier(&widget_with(&publishable, &token, &[])), "memory");
    let r = admin.call(
        "POST",
        &format!("/v1/admin/keys/{}/revoke", key["id"].as_str().unwrap()),
        None,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    widget_with(&publishable, &token, &[]).assert_error(401, "revoked_api_key");
}

/// A read that goes to the wallet fills memory and (in the background) the Cache API; a
/// write at the same moment drops the cached view. No later read from this Worker (even one
/// with no `v`, as on a shopper's new device) is served a view older than the write's
/// answer, right away (memory) or past memory's lifetime (the Cache API). Under wrangler dev
/// the local Cache API applies a fill and a drop in the order they were made, so the case of
/// a fill landing after the drop is proven by `core::version::Floors`' tests, not here.
#[test]
fn a_fill_racing_a_write_never_brings_back_an_older_view() {
    for round in 0..16 {
        let cid = unique("fill");
        let token = world().token_for(&cid, 600);
        // The shopper exists, so the racing read below is a plain wallet read.
        let seed = write(
            &format!("/v1/customers/{cid}/coins/credit"),
            &unique("c"),
            json!({"amount": 1}),
        );
        assert!(version(&seed) > 0);
        let start = Arc::new(Barrier::new(2));
        let reader = {
            let (start, token) = (start.clone(), token.clone());
            std::thread::spawn(move || {
                start.wait();
                widget(&token, Some("999999999"))
            })
        };
        start.wait();
        let credit = write(
            &format!("/v1/customers/{cid}/coins/credit"),
            &unique("c"),
            json!({"amount": 5}),
        );
        let written = version(&credit);
        assert_eq!(reader.join().unwrap().status, 200);
        // Right away (memory), then past the memory tier's lifetime (the Cache API).
        for read in 0..4 {
            if read == 2 {
                std::thread::sleep(std::time::Duration::from_millis(2_200));
            }
            let r = widget(&token, None);
            assert_eq!(r.status, 200, "{}", r.text);
            assert!(
                version(&r) >= written,
                "round {round}, read {read}: version {} after a write answered {written} ({} tier)",
                version(&r),
                tier(&r)
            );
            assert_eq!(r.body["coins"]["balance"], 6, "round {round}, read {read}");
        }
    }
}
