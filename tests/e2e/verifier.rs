//! The verifier (spec section 2), end to end against `wrangler dev`: every error code, in
//! order, and above all that a write-capable key is refused from a browser on every
//! route, before any data is read or written.
#![allow(clippy::unwrap_used)]

use serde_json::json;
use tally_e2e::{unique_ip, world};

fn coins_path(customer: &str) -> String {
    format!("/v1/customers/{customer}/coins")
}

#[test]
fn a_missing_malformed_or_unknown_key_is_invalid_api_key() {
    let w = world();
    let ws = w.demo.workspace_id.as_str();
    let cid = &w.demo.customer_id;
    let none = w
        .client
        .send("GET", &coins_path(cid), &[("X-Workspace-Id", ws)], None);
    none.assert_error(401, "invalid_api_key");

    // A one-character typo fails the checksum; no key of that shape is on file.
    let mut typo = w.demo.secret_key.clone().into_bytes();
    let i = typo.len() - 10;
    typo[i] = if typo[i] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).unwrap();
    for bad in [
        typo.as_str(),
        "test_sk_short",
        "live_sk_0000000000000000000000000000000000000000",
    ] {
        let a = w.with_key("GET", &coins_path(cid), bad, ws, &[], None);
        assert_eq!(
            (a.status, a.code()),
            (401, "invalid_api_key"),
            "{bad}: {}",
            a.text
        );
    }

    // Well formed (valid checksum) but never issued.
    let unknown = tally_core::key::generate(
        tally_core::key::Environment::Test,
        tally_core::key::KeyKind::Secret,
        &mut tally_tools::os_rng(),
    );
    let a = w.with_key("GET", &coins_path(cid), &unknown.plaintext, ws, &[], None);
    a.assert_error(401, "invalid_api_key");
    assert!(a.body["error"]["request_id"]
        .as_str()
        .unwrap()
        .starts_with("req_"));
    assert_eq!(
        a.header("x-request-id"),
        a.body["error"]["request_id"].as_str()
    );
}

#[test]
fn revoked_and_expired_keys_are_refused_with_their_codes() {
    let w = world();
    let cid = &w.demo.customer_id;
    let revoked = w.fixture("revoked_sk");
    let a = w.with_key(
        "GET",
        &coins_path(cid),
        &revoked.key,
        &revoked.workspace_id,
        &[],
        None,
    );
    a.assert_error(401, "revoked_api_key");
    let expired = w.fixture("expired_sk");
    let a = w.with_key(
        "GET",
        &coins_path(cid),
        &expired.key,
        &expired.workspace_id,
        &[],
        None,
    );
    a.assert_error(401, "expired_api_key");
}

#[test]
fn a_key_used_for_another_workspace_is_workspace_mismatch() {
    let w = world();
    let cid = &w.demo.customer_id;
    let a = w.with_key(
        "GET",
        &coins_path(cid),
        &w.demo.secret_key,
        "ws_fixture_other",
        &[],
        None,
    );
    a.assert_error(401, "workspace_mismatch");
    let other = w.fixture("other_ws_sk");
    let a = w.with_key(
        "GET",
        &coins_path(cid),
        &other.key,
        &w.demo.workspace_id,
        &[],
        None,
    );
    a.assert_error(401, "workspace_mismatch");
    // No workspace id at all.
    let auth = format!("Bearer {}", w.demo.secret_key);
    let a = w
        .client
        .send("GET", &coins_path(cid), &[("Authorization", &auth)], None);
    a.assert_error(401, "workspace_mismatch");
    // The widget's ws= parameter must name the key's workspace too.
    let token = w.token_for(cid, 600);
    let path = format!(
        "/v1/widget?ws=ws_fixture_other&key={}&token={token}",
        w.demo.publishable_key
    );
    let ip = unique_ip();
    let a = w
        .client
        .send("GET", &path, &[("CF-Connecting-IP", &ip)], None);
    a.assert_error(401, "workspace_mismatch");
}

#[test]
fn a_secret_key_in_a_query_string_is_refused_even_on_reads() {
    let w = world();
    let cid = &w.demo.customer_id;
    let ws = &w.demo.workspace_id;
    let sk = &w.fixture("browser_sk").key;
    for path in [
        format!("{}?key={sk}", coins_path(cid)),
        format!("/v1/widget?ws={ws}&key={sk}"),
        // Under any parameter name, with a valid header key beside it.
        format!("{}?api_key={sk}", coins_path(cid)),
    ] {
        let a = w.server("GET", &path, &[], None);
        assert_eq!(
            (a.status, a.code()),
            (403, "secret_key_in_url"),
            "{path}: {}",
            a.text
        );
        assert_eq!(a.header("access-control-allow-origin"), None);
    }
    let rows = w.d1(&format!(
        "SELECT kind, count FROM exposures WHERE key_id = '{}' AND kind = 'url'",
        w.fixture("browser_sk").id
    ));
    assert!(!rows.is_empty(), "the URL exposure was recorded");
}

/// The heart of the product: a write-capable key with any browser signal is refused on a
/// read and on a debit, the balance is unchanged, and the exposure is recorded.
#[test]
fn a_secret_key_from_a_browser_is_refused_before_any_data_is_touched() {
    let w = world();
    let sk = w.fixture("browser_sk");
    let cid = w.new_customer("browser", 100);
    let signals: [&[(&str, &str)]; 3] = [
        &[("Origin", "https://evil.example")],
        &[("Sec-Fetch-Site", "same-origin")],
        &[("Sec-Fetch-Dest", "empty")],
    ];
    for headers in signals {
        let read = w.with_key(
            "GET",
            &coins_path(&cid),
            &sk.key,
            &sk.workspace_id,
            headers,
            None,
        );
        assert_eq!(
            (read.status, read.code()),
            (403, "secret_key_in_browser"),
            "{headers:?}: {}",
            read.text
        );
        assert!(read.body.get("balance").is_none() && !read.text.contains("\"balance\""));
        assert_eq!(
            read.header("access-control-allow-origin"),
            None,
            "no CORS for secret keys"
        );

        let mut debit_headers = headers.to_vec();
        let idem = tally_e2e::unique("idem");
        debit_headers.push(("Idempotency-Key", &idem));
        let debit = w.with_key(
            "POST",
            &format!("/v1/customers/{cid}/coins/debit"),
            &sk.key,
            &sk.workspace_id,
            &debit_headers,
            Some(&json!({"amount": 40})),
        );
        assert_eq!(
            (debit.status, debit.code()),
            (403, "secret_key_in_browser"),
            "{headers:?}: {}",
            debit.text
        );
        assert_eq!(debit.header("access-control-allow-origin"), None);
    }
    assert_eq!(w.balance(&cid), 100, "no refused debit reached the ledger");
    assert_eq!(
        w.all_entries(&cid).len(),
        1,
        "only the seed credit is in the ledger"
    );

    let rows = w.d1(&format!(
        "SELECT origin, count FROM exposures WHERE key_id = '{}' AND kind = 'browser' ORDER BY origin",
        sk.id
    ));
    assert!(
        rows.iter().any(|r| r["origin"] == "https://evil.example"),
        "the exposure names the origin: {rows:?}"
    );
}

#[test]
fn a_cors_preflight_never_allows_the_authorization_header() {
    let w = world();
    let a = w.client.send(
        "OPTIONS",
        &coins_path(&w.demo.customer_id),
        &[
            ("Origin", "https://shop.example"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization,x-workspace-id",
            ),
        ],
        None,
    );
    assert_eq!(a.status, 204);
    assert_eq!(a.header("access-control-allow-methods"), Some("GET"));
    let allowed = a
        .header("access-control-allow-headers")
        .unwrap_or("")
        .to_ascii_lowercase();
    assert!(!allowed.contains("authorization"), "{allowed}");
}

#[test]
fn alert_and_revoke_revokes_the_key_on_its_first_browser_use() {
    let w = world();
    let strict = w.fixture("strict_sk");
    let path = coins_path("anyone");
    let first = w.with_key(
        "GET",
        &path,
        &strict.key,
        &strict.workspace_id,
        &[("Origin", "https://evil.example")],
        None,
    );
    first.assert_error(403, "secret_key_in_browser");
    // Even from its server, the key is now dead.
    let after = w.with_key("GET", &path, &strict.key, &strict.workspace_id, &[], None);
    after.assert_error(401, "revoked_api_key");
}

#[test]
fn a_publishable_key_gets_cors_and_respects_allowed_origins() {
    let w = world();
    let cid = &w.demo.customer_id;
    let token = w.token_for(cid, 600);
    let ip = unique_ip();
    let pk = w.fixture("origin_pk");
    let path = format!(
        "/v1/widget?ws={}&key={}&token={token}",
        pk.workspace_id, pk.key
    );
    for origin in ["http://allowed.shop.test", "https://eu.brand.test"] {
        let ok = w.client.send(
            "GET",
            &path,
            &[("Origin", origin), ("CF-Connecting-IP", &ip)],
            None,
        );
        assert_eq!(ok.status, 200, "{origin}: {}", ok.text);
        assert_eq!(ok.header("access-control-allow-origin"), Some(origin));
    }
    let denied = w.client.send(
        "GET",
        &path,
        &[
            ("Origin", "https://evil.example"),
            ("CF-Connecting-IP", &ip),
        ],
        None,
    );
    denied.assert_error(403, "origin_not_allowed");

    // The default publishable key has no list: any storefront may show the widget.
    let open = w.client.send(
        "GET",
        &w.widget_path(&w.demo.publishable_key, Some(&token)),
        &[
            ("Origin", "https://any.shop.example"),
            ("CF-Connecting-IP", &ip),
        ],
        None,
    );
    assert_eq!(open.status, 200, "{}", open.text);
    assert_eq!(
        open.header("access-control-allow-origin"),
        Some("https://any.shop.example")
    );
}

#[test]
fn insufficient_scope_names_the_scope_needed() {
    let w = world();
    let cid = w.new_customer("scope", 10);
    let k = w.fixture("coins_read_sk");
    let read = w.with_key("GET", &coins_path(&cid), &k.key, &k.workspace_id, &[], None);
    assert_eq!(read.status, 200, "{}", read.text);
    let debit = w.with_key(
        "POST",
        &format!("/v1/customers/{cid}/coins/debit"),
        &k.key,
        &k.workspace_id,
        &[("Idempotency-Key", "scope-1")],
        Some(&json!({"amount": 1})),
    );
    debit.assert_error(403, "insufficient_scope");
    assert!(debit.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("coins_write"));

    // A read-only secret key (a downgraded sk) reads but cannot write.
    let ro = w.fixture("read_only_sk");
    let a = w.with_key(
        "POST",
        &format!("/v1/customers/{cid}/coins/credit"),
        &ro.key,
        &ro.workspace_id,
        &[("Idempotency-Key", "scope-2")],
        Some(&json!({"amount": 1})),
    );
    a.assert_error(403, "insufficient_scope");
    assert_eq!(w.balance(&cid), 10);
}

#[test]
fn a_publishable_key_cannot_debit_or_credit() {
    let w = world();
    let cid = w.new_customer("pkdebit", 50);
    let ip = unique_ip();
    for op in ["debit", "credit"] {
        let a = w.with_key(
            "POST",
            &format!("/v1/customers/{cid}/coins/{op}"),
            &w.demo.publishable_key,
            &w.demo.workspace_id,
            &[("Idempotency-Key", "pk-write"), ("CF-Connecting-IP", &ip)],
            Some(&json!({"amount": 5})),
        );
        assert_eq!(
            (a.status, a.code()),
            (403, "insufficient_scope"),
            "{op}: {}",
            a.text
        );
    }
    assert_eq!(w.balance(&cid), 50);
}

#[test]
fn customer_tokens_gate_publishable_reads() {
    let w = world();
    let cid = w.new_customer("token", 30);
    let other = w.new_customer("token_other", 99);
    let pk = &w.demo.publishable_key;
    let ip = unique_ip();
    let h = [("CF-Connecting-IP", ip.as_str())];

    // No token: a publishable key alone reads nobody's balance.
    let a = w.client.send("GET", &w.widget_path(pk, None), &h, None);
    a.assert_error(401, "invalid_customer_token");
    let a = w.client.send(
        "GET",
        &format!("{}?ws={}&key={pk}", coins_path(&cid), w.demo.workspace_id),
        &h,
        None,
    );
    a.assert_error(401, "invalid_customer_token");

    // A valid token shows exactly its own customer.
    let token = w.token_for(&cid, 600);
    let a = w
        .client
        .send("GET", &w.widget_path(pk, Some(&token)), &h, None);
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["customer"]["id"], cid.as_str());
    assert_eq!(a.body["coins"]["balance"], 30);
    let other_path = format!(
        "{}?ws={}&key={pk}&token={token}",
        coins_path(&other),
        w.demo.workspace_id
    );
    let a = w.client.send("GET", &other_path, &h, None);
    a.assert_error(401, "invalid_customer_token");

    // Tampered, and signed for another workspace.
    let tampered = format!("{}x", &token[..token.len() - 1]);
    let a = w
        .client
        .send("GET", &w.widget_path(pk, Some(&tampered)), &h, None);
    a.assert_error(401, "invalid_customer_token");
    let other_ws = w.fixture("other_ws_sk");
    let foreign = w.with_key(
        "POST",
        "/v1/customer-tokens",
        &other_ws.key,
        &other_ws.workspace_id,
        &[],
        Some(&json!({"customer_id": cid, "ttl_seconds": 600})),
    );
    assert_eq!(foreign.status, 200, "{}", foreign.text);
    let a = w.client.send(
        "GET",
        &w.widget_path(pk, foreign.body["token"].as_str()),
        &h,
        None,
    );
    a.assert_error(401, "invalid_customer_token");
}

#[test]
fn an_expired_customer_token_is_expired_customer_token() {
    let w = world();
    // Sign locally, as a merchant's backend does, with an exp in the past.
    let secret = w.demo.identity_secret.as_bytes();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (cid, kid) = (&w.demo.customer_id, &w.demo.identity_secret_kid);
    // Past the 60 s leeway.
    let expired = tally_core::token::sign(cid, now - 400, now - 61, kid, secret);
    let ip = unique_ip();
    let a = w.client.send(
        "GET",
        &w.widget_path(&w.demo.publishable_key, Some(&expired)),
        &[("CF-Connecting-IP", &ip)],
        None,
    );
    a.assert_error(401, "expired_customer_token");
    // The same claims, still valid, are accepted: the locally signed token is well formed.
    let fresh = tally_core::token::sign(cid, now, now + 300, kid, secret);
    let a = w.client.send(
        "GET",
        &w.widget_path(&w.demo.publishable_key, Some(&fresh)),
        &[("CF-Connecting-IP", &ip)],
        None,
    );
    assert_eq!(a.status, 200, "{}", a.text);
}

#[test]
fn too_many_requests_from_one_address_are_rate_limited_with_retry_after() {
    let w = world();
    let pk = w.fixture("limited_pk");
    let token = w.token_for(&w.demo.customer_id, 600);
    let path = format!(
        "/v1/widget?ws={}&key={}&token={token}",
        pk.workspace_id, pk.key
    );
    let ip = unique_ip();
    // The limiter counts in fixed 10 s windows: 250 quick requests cross at most one window
    // boundary, so one window sees more than 100 of them.
    let mut limited = None;
    for i in 0..250 {
        let a = w
            .client
            .send("GET", &path, &[("CF-Connecting-IP", &ip)], None);
        if a.status == 429 {
            limited = Some((i, a));
            break;
        }
        assert_eq!(a.status, 200, "{}", a.text);
    }
    let (i, a) = limited.expect("the per-address limit (100 per 10 s) answered 429");
    assert!(
        i >= 100,
        "limited after {i} requests, before the configured 100"
    );
    assert_eq!(a.code(), "rate_limited");
    assert_eq!(a.header("retry-after"), Some("10"));
    // Another shopper of the same storefront is unaffected.
    let other = w
        .client
        .send("GET", &path, &[("CF-Connecting-IP", &unique_ip())], None);
    assert_eq!(other.status, 200, "{}", other.text);
}
