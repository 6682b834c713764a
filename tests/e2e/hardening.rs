//! Hardening, end to end against `wrangler dev`: the verifier's step 0 on every path, the
//! secret-kind rule, the PIN nobody can walk around, the control plane's same-origin rule,
//! a key chain that never forks, secrets sealed at rest, random referral codes and public
//! webhook hosts.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::{json, Value};
use tally_e2e::{remember_secret, unique, unique_ip, world, Answer, Session};

/// A fresh full-access secret key of the demo workspace: `(id, plaintext)`.
fn fresh_secret_key(name: &str) -> (String, String) {
    let (key, secret) = world()
        .demo_admin()
        .create_key(json!({"name": unique(name), "access": "full_access"}));
    (key["id"].as_str().unwrap().to_owned(), secret)
}

/// How many times a key was recorded as exposed in this way.
fn exposures(key_id: &str, kind: &str) -> i64 {
    world()
        .d1(&format!(
            "SELECT COALESCE(SUM(count), 0) AS n FROM exposures WHERE key_id = '{key_id}' AND kind = '{kind}'"
        ))
        .first()
        .and_then(|r| r["n"].as_i64())
        .unwrap_or(0)
}

#[track_caller]
fn assert_refused(a: &Answer, status: u16, code: &str, what: &str) {
    assert_eq!((a.status, a.code()), (status, code), "{what}: {}", a.text);
    assert_eq!(
        a.header("access-control-allow-origin"),
        None,
        "{what}: no CORS on an answer to a secret key"
    );
}

fn percent_encode_all(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[test]
fn a_secret_key_in_any_part_of_any_url_is_refused_and_recorded() {
    let w = world();
    let (id, sk) = fresh_secret_key("in-url");
    let cases: Vec<(&str, String)> = vec![
        ("GET", format!("/v1/health?key={sk}")),
        ("GET", format!("/v1/openapi.json?key={sk}")),
        ("GET", format!("/docs?k={sk}")),
        ("GET", format!("/nope?key={sk}")),
        ("DELETE", format!("/v1/health?key={sk}")),
        ("GET", format!("/v1/admin/keys?key={sk}")),
        ("POST", format!("/v1/admin/session?key={sk}")),
        ("GET", format!("/v1/health?{sk}=1")),
        ("GET", format!("/v1/customers/{sk}/coins")),
        ("GET", format!("/v1/health?q={}", percent_encode_all(&sk))),
        (
            "GET",
            format!("/v1/customers/{}/coins", percent_encode_all(&sk)),
        ),
    ];
    for (method, path) in &cases {
        let a = w
            .client
            .send(method, path, &[("CF-Connecting-IP", &unique_ip())], None);
        assert_refused(&a, 403, "secret_key_in_url", &format!("{method} {path}"));
    }
    // A preflight carrying one in its URL too.
    let a = w.client.send(
        "OPTIONS",
        &format!("/v1/widget?key={sk}"),
        &[
            ("Origin", "https://shop.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
        None,
    );
    assert_refused(&a, 403, "secret_key_in_url", "preflight");
    assert_eq!(exposures(&id, "url"), cases.len() as i64 + 1);
}

#[test]
fn a_secret_key_from_a_browser_is_refused_and_recorded_on_every_path() {
    let w = world();
    let (id, sk) = fresh_secret_key("browser-everywhere");
    let auth = format!("Bearer {sk}");
    let ws = w.demo.workspace_id.as_str();
    let cid = &w.demo.customer_id;
    let coins = format!("/v1/customers/{cid}/coins");
    let cases: Vec<(&str, &str, (&str, &str))> = vec![
        ("GET", "/v1/health", ("Origin", "https://shop.example")),
        (
            "GET",
            "/v1/openapi.json",
            ("Origin", "https://shop.example"),
        ),
        ("GET", "/docs", ("Sec-Fetch-Dest", "document")),
        ("GET", "/nope", ("Sec-Fetch-Site", "cross-site")),
        ("DELETE", "/v1/health", ("Origin", "null")),
        ("GET", "/v1/admin/keys", ("Origin", "https://shop.example")),
        ("GET", &coins, ("Sec-Fetch-Site", "")),
        // An empty `Origin` is a browser signal too (`core::caller` and `core::screen` test it),
        // but it cannot be sent through `wrangler dev`: its proxy drops an empty `Origin`
        // before the Worker runs (an echo Worker sees `X-Empty:` and `Sec-Fetch-Site:` arrive
        // empty, and no `Origin` at all).
    ];
    for (method, path, signal) in &cases {
        let a = w.client.send(
            method,
            path,
            &[
                ("Authorization", &auth),
                ("X-Workspace-Id", ws),
                *signal,
                ("CF-Connecting-IP", &unique_ip()),
            ],
            None,
        );
        assert_refused(
            &a,
            403,
            "secret_key_in_browser",
            &format!("{method} {path} {signal:?}"),
        );
    }
    assert_eq!(exposures(&id, "browser"), cases.len() as i64);
    // The same key from a server still works.
    let a = w.with_key("GET", &coins, &sk, ws, &[], None);
    assert_eq!(a.status, 200, "{}", a.text);
}

#[test]
fn no_answer_to_a_secret_key_carries_cors_headers() {
    let w = world();
    let auth = format!("Bearer {}", w.demo.secret_key);
    let doc = w
        .client
        .send("GET", "/v1/openapi.json", &[("Authorization", &auth)], None);
    assert_eq!(doc.status, 200);
    assert_eq!(doc.header("access-control-allow-origin"), None);
    let health = w
        .client
        .send("GET", "/v1/health", &[("Authorization", &auth)], None);
    assert_eq!(health.status, 200);
    assert_eq!(health.header("access-control-allow-origin"), None);
    // Without a key the document stays readable from any page.
    let open = w.client.send("GET", "/v1/openapi.json", &[], None);
    assert_eq!(open.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn unknown_methods_answer_405_with_allow() {
    let w = world();
    for (method, path, allow) in [
        ("QUERY", "/v1/health", "GET"),
        ("PROPFIND", "/v1/customers/ada", "GET, PUT"),
        ("QUERY", "/v1/admin/keys", "GET, POST"),
    ] {
        let a = w
            .client
            .send(method, path, &[("CF-Connecting-IP", &unique_ip())], None);
        assert_eq!(
            (a.status, a.code()),
            (405, "method_not_allowed"),
            "{method} {path}: {}",
            a.text
        );
        assert_eq!(a.header("allow"), Some(allow), "{method} {path}");
    }
}

#[test]
fn a_read_only_secret_key_is_server_only_too() {
    let w = world();
    let (key, sk) = w
        .demo_admin()
        .create_key(json!({"name": unique("downgraded"), "access": "read_only", "kind": "secret"}));
    let id = key["id"].as_str().unwrap();
    let ws = w.demo.workspace_id.as_str();
    let coins = format!("/v1/customers/{}/coins", w.demo.customer_id);
    let from_server = w.with_key("GET", &coins, &sk, ws, &[], None);
    assert_eq!(from_server.status, 200, "{}", from_server.text);
    let browser = [("Origin", "https://evil.example")];
    let read = w.with_key("GET", &coins, &sk, ws, &browser, None);
    assert_refused(&read, 403, "secret_key_in_browser", "read");
    let mint = w.with_key(
        "POST",
        "/v1/customer-tokens",
        &sk,
        ws,
        &browser,
        Some(&json!({"customer_id": w.demo.customer_id, "ttl_seconds": 600})),
    );
    assert_refused(&mint, 403, "secret_key_in_browser", "mint a token");
    assert_eq!(exposures(id, "browser"), 2);
}

// ---------------------------------------------------------------------------------------
// The PIN

/// A new member of the demo workspace, signed in. `pin`: their own PIN, if any.
fn new_member(role: &str, pin: Option<&str>) -> (Session, String) {
    let w = world();
    let owner = w.demo_admin();
    let email = format!("{}@demo.tally.test", unique(role));
    let password = format!("pw-{}", unique("secret"));
    let mut body = json!({"email": email, "role": role, "password": password});
    if let Some(p) = pin {
        body["pin"] = json!(p);
    }
    let a = owner.confirmed("POST", "/v1/admin/members", Some(&body));
    assert_eq!(a.status, 201, "{}", a.text);
    (w.sign_in(&email, &password, pin.unwrap_or("")), password)
}

#[test]
fn changing_members_and_pins_needs_the_acting_members_pin() {
    let w = world();
    let owner = w.demo_admin();
    let email = format!("{}@demo.tally.test", unique("intruder"));
    let body = json!({"email": email, "role": "admin", "password": "a long enough password", "pin": "111111"});
    // A stolen session alone creates nobody.
    owner
        .call("POST", "/v1/admin/members", Some(&body), None)
        .assert_error(403, "pin_required");
    let list = owner.call("GET", "/v1/admin/members", None, None);
    assert!(!list.text.contains(&email), "no member was created");
    let created = owner.confirmed("POST", "/v1/admin/members", Some(&body));
    assert_eq!(created.status, 201, "{}", created.text);
    let member = format!(
        "/v1/admin/members/{}",
        created.body["member"]["id"].as_str().unwrap()
    );
    owner
        .call("PATCH", &member, Some(&json!({"role": "viewer"})), None)
        .assert_error(403, "pin_required");
    let a = owner.confirmed("PATCH", &member, Some(&json!({"role": "viewer"})));
    assert_eq!(a.status, 200, "{}", a.text);
    owner
        .call("DELETE", &member, None, None)
        .assert_error(403, "pin_required");
    assert_eq!(owner.confirmed("DELETE", &member, None).status, 200);

    // Setting a PIN: a first one with the password alone; changing it takes the old one.
    let (fresh, password) = new_member("admin", None);
    let a = fresh.call(
        "PUT",
        "/v1/admin/pin",
        Some(&json!({"password": password, "pin": "246810"})),
        None,
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let change = json!({"password": password, "pin": "135791"});
    fresh
        .call("PUT", "/v1/admin/pin", Some(&change), None)
        .assert_error(403, "pin_required");
    let a = fresh.call("PUT", "/v1/admin/pin", Some(&change), Some("246810"));
    assert_eq!(a.status, 200, "{}", a.text);
    let key = fresh.call(
        "POST",
        "/v1/admin/keys",
        Some(&json!({"name": unique("new-pin"), "access": "read_only"})),
        Some("135791"),
    );
    assert_eq!(key.status, 201, "{}", key.text);
    remember_secret(key.body["secret"].as_str().unwrap());
}

#[test]
fn parallel_pin_guesses_get_five_tries_and_a_pin_change_cannot_lift_the_lock() {
    let (member, password) = new_member("admin", Some("864200"));
    let body = json!({"name": unique("guess"), "access": "read_only"});
    let answers: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..10)
            .map(|i| {
                let (member, body) = (&member, &body);
                s.spawn(move || {
                    let guess = format!("{:06}", 100_000 + i);
                    let a = member.call("POST", "/v1/admin/keys", Some(body), Some(&guess));
                    (a.status, a.code().to_owned())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let invalid = answers.iter().filter(|(_, c)| c == "pin_invalid").count();
    let locked = answers.iter().filter(|(_, c)| c == "pin_locked").count();
    assert_eq!((invalid, locked), (5, 5), "{answers:?}");
    member
        .confirmed("POST", "/v1/admin/keys", Some(&body))
        .assert_error(423, "pin_locked");
    // The password cannot set a new PIN around the lock.
    member
        .confirmed(
            "PUT",
            "/v1/admin/pin",
            Some(&json!({"password": password, "pin": "975310"})),
        )
        .assert_error(423, "pin_locked");
    member
        .call("POST", "/v1/admin/keys", Some(&body), Some("975310"))
        .assert_error(423, "pin_locked");
}

#[test]
fn the_right_pin_behind_five_counted_wrong_ones_is_refused() {
    let (member, _) = new_member("admin", Some("192837"));
    let body = json!({"name": unique("race"), "access": "read_only"});
    let right = std::thread::scope(|s| {
        for i in 0..5 {
            let (member, body) = (&member, &body);
            s.spawn(move || {
                let a = member.call(
                    "POST",
                    "/v1/admin/keys",
                    Some(body),
                    Some(&format!("{:06}", 500_000 + i)),
                );
                assert!(
                    matches!(a.code(), "pin_invalid" | "pin_locked"),
                    "{}",
                    a.text
                );
            });
        }
        // The wrong guesses are counted on arrival, before their (slow) check: the right
        // PIN arriving after them is attempt six.
        std::thread::sleep(Duration::from_millis(150));
        member.confirmed("POST", "/v1/admin/keys", Some(&body))
    });
    right.assert_error(423, "pin_locked");
}

#[test]
fn the_password_behind_a_pin_change_is_rate_limited_like_sign_in() {
    let (member, _) = new_member("developer", None);
    let mut codes = Vec::new();
    // 20 a minute; the limiter's windows are aligned to the clock, so a run that straddles a
    // boundary may need up to 40 attempts before one is refused.
    for _ in 0..45 {
        let a = member.call(
            "PUT",
            "/v1/admin/pin",
            Some(&json!({"password": "not the password", "pin": "123456"})),
            None,
        );
        codes.push(a.code().to_owned());
        if a.code() == "rate_limited" {
            assert!(a.header("retry-after").is_some());
            break;
        }
    }
    assert_eq!(codes[0], "invalid_credentials");
    assert_eq!(
        codes.last().map(String::as_str),
        Some("rate_limited"),
        "{codes:?}"
    );
}

#[test]
fn the_control_plane_refuses_cross_site_requests_and_non_json_bodies() {
    let w = world();
    let body = json!({"email": w.demo.admin_email, "password": w.demo.admin_password}).to_string();
    let sign_in = |headers: &[(&str, &str)]| {
        let mut h = vec![("CF-Connecting-IP", "")];
        let ip = unique_ip();
        h[0].1 = &ip;
        h.extend_from_slice(headers);
        w.client.send_raw("POST", "/v1/admin/session", &h, &body)
    };
    // Login CSRF: a cross-site form or text/plain fetch cannot sign anybody in.
    sign_in(&[("Content-Type", "text/plain")]).assert_error(415, "unsupported_media_type");
    sign_in(&[("Content-Type", "application/x-www-form-urlencoded")])
        .assert_error(415, "unsupported_media_type");
    sign_in(&[]).assert_error(415, "unsupported_media_type");
    let json_ct = ("Content-Type", "application/json");
    sign_in(&[json_ct, ("Sec-Fetch-Site", "cross-site")]).assert_error(403, "cross_site_request");
    sign_in(&[json_ct, ("Origin", "https://evil.example")]).assert_error(403, "cross_site_request");
    let own = w.client.base_url.clone();
    let ok = sign_in(&[json_ct, ("Origin", &own), ("Sec-Fetch-Site", "same-origin")]);
    assert_eq!(ok.status, 200, "{}", ok.text);

    // Signed in, a state change still needs a JSON body.
    let owner = w.demo_admin();
    let (key, _) = owner.create_key(json!({"name": unique("form"), "access": "read_only"}));
    let revoke = format!("/v1/admin/keys/{}/revoke", key["id"].as_str().unwrap());
    let a = owner.call_with(
        "POST",
        &revoke,
        None,
        None,
        &[("Content-Type", "application/x-www-form-urlencoded")],
    );
    a.assert_error(415, "unsupported_media_type");
    let a = owner.call_with(
        "POST",
        &revoke,
        None,
        None,
        &[("Origin", "https://evil.example")],
    );
    a.assert_error(403, "cross_site_request");
    assert_eq!(owner.call("POST", &revoke, None, None).status, 200);
}

// ---------------------------------------------------------------------------------------
// Key lifecycle

#[test]
fn a_key_rolls_once_so_its_chain_of_successors_never_forks() {
    let w = world();
    let admin = w.demo_admin();
    let (key, _) = admin.create_key(json!({"name": unique("chain"), "access": "full_access"}));
    let roll = |id: &str| {
        admin.confirmed(
            "POST",
            &format!("/v1/admin/keys/{id}/roll"),
            Some(&json!({"overlap_seconds": 60})),
        )
    };
    let id = key["id"].as_str().unwrap();
    let first = roll(id);
    assert_eq!(first.status, 200, "{}", first.text);
    remember_secret(first.body["secret"].as_str().unwrap());
    let successor = first.body["key"]["id"].as_str().unwrap();
    let again = roll(id);
    again.assert_error(409, "key_already_rolled");
    assert!(
        again.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(successor),
        "the refusal names the successor: {}",
        again.text
    );

    // Rolls racing for one key: exactly one wins.
    let (key, _) = admin.create_key(json!({"name": unique("race"), "access": "full_access"}));
    let id = key["id"].as_str().unwrap();
    let answers: Vec<Answer> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| roll(id))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for a in &answers {
        if let Some(secret) = a.body["secret"].as_str() {
            remember_secret(secret);
        }
    }
    let won = answers.iter().filter(|a| a.status == 200).count();
    let lost = answers
        .iter()
        .filter(|a| a.code() == "key_already_rolled")
        .count();
    assert_eq!(
        (won, lost),
        (1, 3),
        "{:?}",
        answers.iter().map(|a| &a.text).collect::<Vec<_>>()
    );
    let live: Vec<Value> = w.d1(&format!(
        "SELECT id FROM api_keys WHERE id != '{id}' AND name = '{}'",
        key["name"].as_str().unwrap()
    ));
    assert_eq!(live.len(), 1, "one successor: {live:?}");
}

// ---------------------------------------------------------------------------------------
// Secrets at rest

#[test]
fn identity_and_webhook_secrets_are_sealed_in_d1_and_open_at_the_edge() {
    let w = world();
    let rows = w.d1("SELECT kid, secret FROM identity_secrets");
    assert!(!rows.is_empty());
    for r in &rows {
        assert!(
            r["secret"].as_str().unwrap().starts_with("sealed.v1."),
            "identity secret {} is stored in the clear",
            r["kid"]
        );
    }
    // The demo secret, sealed by the seed tool (aes-gcm), opens in the edge (WebCrypto).
    let admin = w.demo_admin();
    let revealed = admin.confirmed(
        "POST",
        &format!(
            "/v1/admin/identity-secrets/{}/reveal",
            w.demo.identity_secret_kid
        ),
        None,
    );
    assert_eq!(revealed.status, 200, "{}", revealed.text);
    assert_eq!(revealed.body["secret"], w.demo.identity_secret.as_str());

    let owner = w.fixture_member("admin_owner");
    let a = owner.call(
        "POST",
        "/v1/admin/webhooks",
        // Production: no test-mode event is ever delivered to this unreachable host.
        Some(&json!({"url": "https://hooks.shop.example/sealed", "events": ["coins.credited"], "environment": "prod"})),
        None,
    );
    assert_eq!(a.status, 201, "{}", a.text);
    let secret = a.body["secret"].as_str().unwrap();
    remember_secret(secret);
    let id = a.body["endpoint"]["id"].as_str().unwrap();
    let stored = w.d1(&format!(
        "SELECT secret FROM webhook_endpoints WHERE id = '{id}'"
    ));
    let stored = stored[0]["secret"].as_str().unwrap();
    assert!(stored.starts_with("sealed.v1."), "{stored}");
    assert!(!stored.contains(secret.trim_start_matches("whsec_")));
    owner.call("DELETE", &format!("/v1/admin/webhooks/{id}"), None, None);
}

// ---------------------------------------------------------------------------------------
// Smaller findings

#[test]
fn referral_codes_are_random_not_derived_from_the_customer() {
    use sha2::{Digest, Sha256};
    let w = world();
    let cid = w.new_customer("ref", 0);
    let a = w.server("GET", &format!("/v1/customers/{cid}/referral"), &[], None);
    assert_eq!(a.status, 200, "{}", a.text);
    let code = a.body["code"].as_str().unwrap();
    // What the earlier derivation would give: anyone holding the workspace id could compute
    // it for a guessed customer id and ask whether the code exists.
    let mut h = Sha256::new();
    for part in [w.demo.workspace_id.as_str(), "test", cid.as_str()] {
        h.update((part.len() as u32).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.update(0u32.to_be_bytes());
    let digest = h.finalize();
    let mut bits = 0u64;
    for &b in &digest[..7] {
        bits = (bits << 8) | u64::from(b);
    }
    let alphabet = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let derived: String = (0..10)
        .map(|i| char::from(alphabet[((bits >> (51 - 5 * i)) & 31) as usize]))
        .collect();
    assert_ne!(code, derived);
    // Stable for the customer once given.
    let again = w.server("GET", &format!("/v1/customers/{cid}/referral"), &[], None);
    assert_eq!(again.body["code"], code);
}

/// A shopper's first page views often arrive together (the widget on several tabs): every
/// one of them shows the same code, and D1 holds one code for the shopper.
#[test]
fn concurrent_first_reads_register_one_referral_code() {
    let w = world();
    let cid = unique("ref-race");
    let n = 8;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(n));
    let readers: Vec<_> = (0..n)
        .map(|_| {
            let (cid, barrier) = (cid.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let a = world().server("GET", &format!("/v1/customers/{cid}/referral"), &[], None);
                assert_eq!(a.status, 200, "{}", a.text);
                a.body["code"].as_str().unwrap().to_owned()
            })
        })
        .collect();
    let codes: Vec<String> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    assert!(codes.iter().all(|c| *c == codes[0]), "{codes:?}");
    let rows = w.d1(&format!(
        "SELECT code FROM referral_codes WHERE workspace_id = '{}' AND customer_id = '{cid}'",
        w.demo.workspace_id
    ));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["code"], codes[0].as_str());
}

#[test]
fn production_webhooks_must_name_a_public_host() {
    let w = world();
    let owner = w.fixture_member("admin_owner");
    for url in [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://2130706433/hook",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://localhost/hook",
        "https://metadata.google.internal/",
        "http://hooks.shop.example/hook",
    ] {
        let a = owner.call(
            "POST",
            "/v1/admin/webhooks",
            Some(&json!({"url": url, "events": ["coins.credited"], "environment": "prod"})),
            None,
        );
        a.assert_error(422, "invalid_webhook_url");
    }
    let ok = owner.call(
        "POST",
        "/v1/admin/webhooks",
        Some(&json!({"url": "https://hooks.shop.example/tally", "events": ["coins.credited"], "environment": "prod"})),
        None,
    );
    assert_eq!(ok.status, 201, "{}", ok.text);
    remember_secret(ok.body["secret"].as_str().unwrap());
    let id = ok.body["endpoint"]["id"].as_str().unwrap();
    // Changing the URL later is held to the same rule.
    owner
        .call(
            "PATCH",
            &format!("/v1/admin/webhooks/{id}"),
            Some(&json!({"url": "https://192.168.0.1/"})),
            None,
        )
        .assert_error(422, "invalid_webhook_url");
    owner.call("DELETE", &format!("/v1/admin/webhooks/{id}"), None, None);
}
