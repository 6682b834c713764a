//! The control plane against the real Worker: sessions, CSRF, the role matrix, the PIN and
//! its lockout, the key lifecycle (create, update, roll, revoke, delete, expiry), identity
//! secret rolls, exposures with `alert_and_revoke`, logs and the audit trail.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use tally_core::time::rfc3339;
use tally_e2e::{remember_secret, unique, unique_ip, world, Session};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A data-plane call with `key` from a server.
fn use_key(
    key: &str,
    ws: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> tally_e2e::Answer {
    world().with_key(
        method,
        path,
        key,
        ws,
        &[("CF-Connecting-IP", &unique_ip())],
        body,
    )
}

fn read_coins(key: &str, ws: &str) -> tally_e2e::Answer {
    use_key(key, ws, "GET", "/v1/customers/cus_admin_probe/coins", None)
}

/// Read access works (200, or 404 for a shopper that does not exist yet): the key is accepted.
#[track_caller]
fn assert_accepted(a: &tally_e2e::Answer) {
    assert!(
        a.status == 200 || a.code() == "customer_not_found",
        "the key should be accepted: {}",
        a.text
    );
}

/// A member of the demo workspace with `role`, created by the superadmin.
fn member_with_role(owner: &Session, role: &str) -> Session {
    let email = format!("{}@demo.tally.test", unique(role));
    let password = format!("pw-{}", unique("secret"));
    let pin = "424242";
    let a = owner.confirmed(
        "POST",
        "/v1/admin/members",
        Some(&json!({"email": email, "role": role, "password": password, "pin": pin})),
    );
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["member"]["role"], role);
    world().sign_in(&email, &password, pin)
}

#[test]
fn sign_in_sets_a_strict_session_cookie_and_answers_the_contract() {
    let w = world();
    let ip = unique_ip();
    let a = w.client.send(
        "POST",
        "/v1/admin/session",
        &[("CF-Connecting-IP", ip.as_str())],
        Some(&json!({"email": w.demo.admin_email, "password": w.demo.admin_password})),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["member"]["email"], w.demo.admin_email.as_str());
    assert_eq!(a.body["member"]["role"], "superadmin");
    assert!(a.body["member"]["id"].is_string());
    assert!(a.body["csrf_token"].as_str().unwrap().len() >= 32);
    let cookie = a.header("set-cookie").unwrap();
    assert!(cookie.starts_with("tally_session="), "{cookie}");
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} missing from {cookie}");
    }
    assert!(a.header("access-control-allow-origin").is_none());
    // The developer signs in too, with a role of their own.
    let dev = w.demo_developer();
    assert_eq!(dev.member["role"], "developer");
}

#[test]
fn wrong_credentials_get_the_same_answer_in_similar_time_whether_or_not_the_email_exists() {
    let w = world();
    let ip = unique_ip();
    let attempt = |email: &str| {
        let started = Instant::now();
        let a = w.client.send(
            "POST",
            "/v1/admin/session",
            &[("CF-Connecting-IP", ip.as_str())],
            Some(&json!({"email": email, "password": "not the password at all"})),
        );
        (a, started.elapsed())
    };
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..3 {
        let (a, t) = attempt(&w.demo.admin_email);
        a.assert_error(401, "invalid_credentials");
        known.push(t);
        let (b, t) = attempt("nobody-here@demo.tally.test");
        b.assert_error(401, "invalid_credentials");
        assert_eq!(a.body["error"]["message"], b.body["error"]["message"]);
        unknown.push(t);
    }
    known.sort();
    unknown.sort();
    // Both pay the PBKDF2 derivation: an unknown email is not an order of magnitude faster.
    println!(
        "wrong password: median {:?}; unknown email: median {:?}",
        known[1], unknown[1]
    );
    assert!(
        unknown[1] * 4 > known[1],
        "unknown email answered much faster ({:?} vs {:?})",
        unknown[1],
        known[1]
    );
}

#[test]
fn without_a_session_or_the_csrf_token_nothing_happens() {
    let w = world();
    w.client
        .send("GET", "/v1/admin/keys", &[], None)
        .assert_error(401, "not_signed_in");
    w.client
        .send(
            "GET",
            "/v1/admin/keys",
            &[("Cookie", "tally_session=forged")],
            None,
        )
        .assert_error(401, "not_signed_in");
    // An API key is never a control-plane credential.
    w.server("GET", "/v1/admin/keys", &[], None)
        .assert_error(401, "not_signed_in");

    let admin = w.demo_admin();
    let (key, secret) = admin.create_key(json!({"name": unique("csrf"), "access": "full_access"}));
    let id = key["id"].as_str().unwrap();
    let revoke = format!("/v1/admin/keys/{id}/revoke");
    let no_token = w.client.send(
        "POST",
        &revoke,
        &[
            ("Cookie", admin.cookie.as_str()),
            ("CF-Connecting-IP", admin.ip.as_str()),
        ],
        None,
    );
    no_token.assert_error(403, "csrf_failed");
    let other = w.demo_admin();
    let wrong = w.client.send(
        "POST",
        &revoke,
        &[
            ("Cookie", admin.cookie.as_str()),
            ("X-CSRF-Token", other.csrf.as_str()),
        ],
        None,
    );
    wrong.assert_error(403, "csrf_failed");
    assert_accepted(&read_coins(&secret, &w.demo.workspace_id));

    // Sign-out needs the token too, clears the cookie and ends the session.
    let out = admin.call("DELETE", "/v1/admin/session", None, None);
    assert_eq!(out.status, 200, "{}", out.text);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    admin
        .call("GET", "/v1/admin/keys", None, None)
        .assert_error(401, "not_signed_in");
}

#[test]
fn the_role_matrix_only_superadmins_and_admins_touch_keys() {
    let w = world();
    let owner = w.demo_admin();
    let ws = w.demo.workspace_id.clone();
    let admin = member_with_role(&owner, "admin");
    let developer = w.demo_developer();
    let viewer = member_with_role(&owner, "viewer");
    // A key for the refused roles to aim at.
    let (target, _) = owner.create_key(json!({"name": unique("matrix"), "access": "full_access"}));
    let target_id = target["id"].as_str().unwrap().to_owned();

    for (who, allowed) in [
        (&owner, true),
        (&admin, true),
        (&developer, false),
        (&viewer, false),
    ] {
        let role = who.member["role"].as_str().unwrap().to_owned();
        let check = |a: tally_e2e::Answer, ok: u16, what: &str| {
            if allowed {
                assert_eq!(a.status, ok, "{role} {what}: {}", a.text);
            } else {
                assert_eq!(
                    (a.status, a.code()),
                    (403, "forbidden_role"),
                    "{role} {what}: {}",
                    a.text
                );
            }
        };
        check(who.call("GET", "/v1/admin/keys", None, None), 200, "list");
        check(
            who.call("GET", &format!("/v1/admin/keys/{target_id}"), None, None),
            200,
            "get",
        );
        let created = who.confirmed(
            "POST",
            "/v1/admin/keys",
            Some(&json!({"name": unique("by-role"), "access": "full_access"})),
        );
        check(created.clone(), 201, "create");
        let id = if allowed {
            remember_secret(created.body["secret"].as_str().unwrap());
            created.body["key"]["id"].as_str().unwrap().to_owned()
        } else {
            target_id.clone()
        };
        check(
            who.call(
                "PATCH",
                &format!("/v1/admin/keys/{id}"),
                Some(&json!({"name": "renamed"})),
                None,
            ),
            200,
            "update",
        );
        let rolled = who.confirmed(
            "POST",
            &format!("/v1/admin/keys/{id}/roll"),
            Some(&json!({"overlap_seconds": 0})),
        );
        check(rolled.clone(), 200, "roll");
        let id = if allowed {
            remember_secret(rolled.body["secret"].as_str().unwrap());
            rolled.body["key"]["id"].as_str().unwrap().to_owned()
        } else {
            id
        };
        check(
            who.call("POST", &format!("/v1/admin/keys/{id}/revoke"), None, None),
            200,
            "revoke",
        );
        check(
            who.confirmed("DELETE", &format!("/v1/admin/keys/{id}"), None),
            200,
            "delete",
        );
        check(
            who.call("GET", "/v1/admin/identity-secrets", None, None),
            200,
            "identity secrets",
        );
        // Everybody sees the workspace.
        let ws_answer = who.call("GET", "/v1/admin/workspace", None, None);
        assert_eq!(ws_answer.status, 200, "{role}: {}", ws_answer.text);
        assert_eq!(ws_answer.body["id"], ws.as_str());
    }
    // The refused roles changed nothing.
    let after = owner.call("GET", &format!("/v1/admin/keys/{target_id}"), None, None);
    assert_eq!(after.body["status"], "active", "{}", after.text);
    assert_ne!(after.body["name"], "renamed");

    // Developers read logs; viewers do not; only superadmins manage members.
    assert_eq!(
        developer.call("GET", "/v1/admin/logs", None, None).status,
        200
    );
    assert_eq!(
        developer
            .call("GET", "/v1/admin/exposures", None, None)
            .status,
        200
    );
    viewer
        .call("GET", "/v1/admin/logs", None, None)
        .assert_error(403, "forbidden_role");
    admin
        .call(
            "POST",
            "/v1/admin/members",
            Some(&json!({"email": "x@demo.tally.test", "role": "superadmin", "password": "long enough password"})),
            None,
        )
        .assert_error(403, "forbidden_role");
}

#[test]
fn the_pin_is_required_and_five_wrong_pins_lock_for_fifteen_minutes() {
    let w = world();
    let owner = w.demo_admin();
    let admin = member_with_role(&owner, "admin");
    let body = json!({"name": unique("pin"), "access": "read_only"});
    admin
        .call("POST", "/v1/admin/keys", Some(&body), None)
        .assert_error(403, "pin_required");
    for i in 1..=5 {
        let a = admin.call("POST", "/v1/admin/keys", Some(&body), Some("000000"));
        assert_eq!(
            (a.status, a.code()),
            (403, "pin_invalid"),
            "attempt {i}: {}",
            a.text
        );
    }
    // Now even the right PIN is refused…
    admin
        .confirmed("POST", "/v1/admin/keys", Some(&body))
        .assert_error(423, "pin_locked");
    // …for every PIN-guarded action, while revoking (never PIN-guarded) still works.
    let (key, _) = owner.create_key(json!({"name": unique("pin-target"), "access": "full_access"}));
    let id = key["id"].as_str().unwrap();
    admin
        .confirmed(
            "POST",
            &format!("/v1/admin/keys/{id}/roll"),
            Some(&json!({})),
        )
        .assert_error(423, "pin_locked");
    let revoked = admin.call("POST", &format!("/v1/admin/keys/{id}/revoke"), None, None);
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    // The lock is the member's, not everybody's.
    let members = owner.call("GET", "/v1/admin/members", None, None);
    let me = members.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == admin.member["id"])
        .unwrap();
    assert_eq!(me["pin_locked"], true);
    owner.create_key(json!({"name": unique("still-works"), "access": "read_only"}));
}

#[test]
fn production_keys_wait_for_an_approved_workspace() {
    let w = world();
    let pending = w.fixture_member("pending_owner");
    let prod = json!({"name": "Live", "access": "full_access", "environment": "prod"});
    pending
        .confirmed("POST", "/v1/admin/keys", Some(&prod))
        .assert_error(403, "workspace_not_approved");
    let (test_key, _) = pending
        .create_key(json!({"name": "Sandbox", "access": "full_access", "environment": "test"}));
    assert_eq!(test_key["environment"], "test");
    // The demo workspace is approved.
    let (live, secret) = w.demo_admin().create_key(prod);
    assert_eq!(live["environment"], "prod");
    assert!(secret.starts_with("prod_sk_"));
    assert_eq!(
        live["redacted"],
        format!("prod_sk_…{}", &secret[secret.len() - 4..])
    );
}

#[test]
fn a_publishable_key_never_gains_a_write_scope_and_a_secret_key_can_be_downgraded() {
    let w = world();
    let admin = w.demo_admin();
    admin
        .confirmed(
            "POST",
            "/v1/admin/keys",
            Some(&json!({"name": "bad", "access": "full_access", "kind": "publishable"})),
        )
        .assert_error(422, "publishable_key_cannot_write");
    let (pk, pk_secret) = admin.create_key(json!({
        "name": unique("widget"), "description": "Storefront", "access": "read_only",
        "allowed_origins": ["https://shop.example"]
    }));
    assert_eq!(pk["kind"], "publishable");
    assert_eq!(pk["allowed_origins"], json!(["https://shop.example"]));
    assert!(pk_secret.starts_with("test_pk_"));
    let pk_path = format!("/v1/admin/keys/{}", pk["id"].as_str().unwrap());
    for patch in [
        json!({"access": "full_access"}),
        json!({"access": "custom", "scopes": ["coins_read", "coins_write"]}),
    ] {
        admin
            .call("PATCH", &pk_path, Some(&patch), None)
            .assert_error(422, "publishable_key_cannot_write");
    }
    let still = admin.call("GET", &pk_path, None, None);
    assert_eq!(still.body["write_capable"], false);

    let (sk, sk_secret) =
        admin.create_key(json!({"name": unique("backend"), "access": "full_access"}));
    let ws = w.demo.workspace_id.as_str();
    let customer = w.new_customer("downgrade", 0);
    let credit = |key: &str| {
        use_key(
            key,
            ws,
            "POST",
            &format!("/v1/customers/{customer}/coins/credit"),
            Some(&json!({"amount": 5, "reason": "t"})),
        )
    };
    // With its write scope the key gets past the scope check (to the idempotency rule).
    credit(&sk_secret).assert_error(400, "idempotency_key_required");
    let down = admin.call(
        "PATCH",
        &format!("/v1/admin/keys/{}", sk["id"].as_str().unwrap()),
        Some(&json!({"access": "read_only", "name": "Reporting"})),
        None,
    );
    assert_eq!(down.status, 200, "{}", down.text);
    assert_eq!(
        (down.body["kind"].as_str(), down.body["access"].as_str()),
        (Some("secret"), Some("read_only"))
    );
    assert!(down.body["redacted"]
        .as_str()
        .unwrap()
        .starts_with("test_sk_…"));
    credit(&sk_secret).assert_error(403, "insufficient_scope");
    assert_accepted(&read_coins(&sk_secret, ws));
}

#[test]
fn a_rolled_key_overlaps_then_dies_and_an_overlap_of_zero_kills_at_once() {
    let w = world();
    let admin = w.demo_admin();
    let ws = w.demo.workspace_id.as_str();
    let (key, old) = admin.create_key(json!({"name": unique("roll"), "access": "full_access"}));
    assert_accepted(&read_coins(&old, ws));
    let rolled = admin.confirmed(
        "POST",
        &format!("/v1/admin/keys/{}/roll", key["id"].as_str().unwrap()),
        Some(&json!({"overlap_seconds": 3})),
    );
    assert_eq!(rolled.status, 200, "{}", rolled.text);
    let new = rolled.body["secret"].as_str().unwrap().to_owned();
    remember_secret(&new);
    assert_ne!(new, old);
    assert_eq!(rolled.body["key"]["name"], key["name"]);
    assert_eq!(
        rolled.body["previous_key"]["rolled_to"],
        rolled.body["key"]["id"]
    );
    assert_accepted(&read_coins(&new, ws));
    assert_accepted(&read_coins(&old, ws));
    std::thread::sleep(Duration::from_millis(4_000));
    read_coins(&old, ws).assert_error(401, "expired_api_key");
    assert_accepted(&read_coins(&new, ws));

    let again = admin.confirmed(
        "POST",
        &format!(
            "/v1/admin/keys/{}/roll",
            rolled.body["key"]["id"].as_str().unwrap()
        ),
        Some(&json!({"overlap_seconds": 0})),
    );
    assert_eq!(again.status, 200, "{}", again.text);
    remember_secret(again.body["secret"].as_str().unwrap());
    read_coins(&new, ws).assert_error(401, "expired_api_key");
    admin
        .confirmed(
            "POST",
            &format!(
                "/v1/admin/keys/{}/roll",
                again.body["key"]["id"].as_str().unwrap()
            ),
            Some(&json!({"overlap_seconds": 604_801})),
        )
        .assert_error(422, "invalid_request");
}

#[test]
fn a_revoked_key_is_refused_on_the_very_next_request() {
    let w = world();
    let admin = w.demo_admin();
    let ws = w.demo.workspace_id.as_str();
    let (key, secret) =
        admin.create_key(json!({"name": unique("revoke"), "access": "full_access"}));
    assert_accepted(&read_coins(&secret, ws));
    let r = admin.call(
        "POST",
        &format!("/v1/admin/keys/{}/revoke", key["id"].as_str().unwrap()),
        None,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "revoked");
    assert!(r.body["revoked_at"].is_string());
    read_coins(&secret, ws).assert_error(401, "revoked_api_key");
    // A revoked key cannot be rolled back to life.
    admin
        .confirmed(
            "POST",
            &format!("/v1/admin/keys/{}/roll", key["id"].as_str().unwrap()),
            Some(&json!({})),
        )
        .assert_error(409, "key_revoked");
}

#[test]
fn deleting_a_key_needs_the_pin_and_is_final() {
    let w = world();
    let admin = w.demo_admin();
    let ws = w.demo.workspace_id.as_str();
    let (key, secret) = admin
        .create_key(json!({"name": unique("delete"), "access": "read_only", "kind": "secret"}));
    let path = format!("/v1/admin/keys/{}", key["id"].as_str().unwrap());
    admin
        .call("DELETE", &path, None, None)
        .assert_error(403, "pin_required");
    assert_accepted(&read_coins(&secret, ws));
    let d = admin.confirmed("DELETE", &path, None);
    assert_eq!(
        (d.status, &d.body["deleted"]),
        (200, &json!(true)),
        "{}",
        d.text
    );
    admin
        .call("GET", &path, None, None)
        .assert_error(404, "key_not_found");
    read_coins(&secret, ws).assert_error(401, "invalid_api_key");
    let list = admin.call("GET", "/v1/admin/keys", None, None);
    assert!(!list.text.contains(key["id"].as_str().unwrap()));
}

#[test]
fn a_key_expires_at_its_time() {
    let w = world();
    let admin = w.demo_admin();
    let ws = w.demo.workspace_id.as_str();
    let at = rfc3339(now_ms() + 2_500);
    let (key, secret) = admin
        .create_key(json!({"name": unique("expiry"), "access": "full_access", "expires_at": at}));
    assert_eq!(key["expires_at"], at.as_str());
    assert_accepted(&read_coins(&secret, ws));
    std::thread::sleep(Duration::from_millis(3_000));
    read_coins(&secret, ws).assert_error(401, "expired_api_key");
    let listed = admin.call(
        "GET",
        &format!("/v1/admin/keys/{}", key["id"].as_str().unwrap()),
        None,
        None,
    );
    assert_eq!(listed.body["status"], "expired");
    admin
        .confirmed(
            "POST",
            "/v1/admin/keys",
            Some(&json!({"name": "past", "access": "read_only", "expires_at": "2020-01-01T00:00:00Z"})),
        )
        .assert_error(422, "invalid_request");
}

/// A customer token signed locally, as a merchant's server does.
fn token(cid: &str, kid: &str, secret: &str) -> String {
    let now = now_ms() / 1000;
    tally_core::token::sign(cid, now, now + 600, kid, secret.as_bytes())
}

#[test]
fn an_identity_secret_roll_keeps_old_tokens_working_until_the_overlap_ends() {
    let w = world();
    let owner = w.fixture_member("admin_owner");
    let f = w.fixture_json("admin_owner");
    let ws = f["workspace_id"].as_str().unwrap();
    let (_, pk) = owner.create_key(json!({"name": unique("widget"), "access": "read_only"}));
    let (_, sk) = owner.create_key(json!({"name": unique("server"), "access": "full_access"}));
    let cid = unique("ids");
    let put = use_key(
        &sk,
        ws,
        "PUT",
        &format!("/v1/customers/{cid}"),
        Some(&json!({"name": "Grace"})),
    );
    assert_eq!(put.status, 200, "{}", put.text);
    let widget = |t: &str| {
        w.client.send(
            "GET",
            &format!("/v1/widget?ws={ws}&key={pk}&token={t}"),
            &[("CF-Connecting-IP", &unique_ip())],
            None,
        )
    };
    // Reveal needs the PIN and shows the current secret.
    owner
        .call(
            "POST",
            &format!(
                "/v1/admin/identity-secrets/{}/reveal",
                f["identity_kid"].as_str().unwrap()
            ),
            None,
            None,
        )
        .assert_error(403, "pin_required");
    let revealed = owner.confirmed(
        "POST",
        &format!(
            "/v1/admin/identity-secrets/{}/reveal",
            f["identity_kid"].as_str().unwrap()
        ),
        None,
    );
    assert_eq!(revealed.status, 200, "{}", revealed.text);
    let old_secret = revealed.body["secret"].as_str().unwrap().to_owned();
    let old_kid = revealed.body["identity_secret"]["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let old_token = token(&cid, &old_kid, &old_secret);
    assert_eq!(widget(&old_token).status, 200);

    let rolled = owner.confirmed(
        "POST",
        "/v1/admin/identity-secrets/roll",
        Some(&json!({"environment": "test", "overlap_seconds": 3})),
    );
    assert_eq!(rolled.status, 201, "{}", rolled.text);
    let new_kid = rolled.body["identity_secret"]["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_kid, old_kid);
    remember_secret(rolled.body["secret"].as_str().unwrap());
    let new_token = token(&cid, &new_kid, rolled.body["secret"].as_str().unwrap());
    let a = widget(&new_token);
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["customer"]["name"], "Grace");
    assert_eq!(widget(&old_token).status, 200, "inside the overlap");
    // Tokens minted by the edge now carry the new kid.
    let minted = use_key(
        &sk,
        ws,
        "POST",
        "/v1/customer-tokens",
        Some(&json!({"customer_id": cid, "ttl_seconds": 60})),
    );
    // A JWT whose header names the new secret.
    let header = minted.body["token"]
        .as_str()
        .unwrap()
        .split('.')
        .next()
        .unwrap()
        .to_owned();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    assert_eq!(header["kid"], new_kid.as_str());
    let list = owner.call("GET", "/v1/admin/identity-secrets", None, None);
    let statuses: Vec<(String, String)> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kid"].as_str().unwrap().to_owned(),
                s["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&(new_kid.clone(), "current".into())),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&(old_kid.clone(), "retiring".into())),
        "{statuses:?}"
    );

    std::thread::sleep(Duration::from_millis(4_500));
    widget(&old_token).assert_error(401, "invalid_customer_token");
    assert_eq!(widget(&new_token).status, 200);
}

#[test]
fn alert_and_revoke_revokes_a_secret_key_on_its_first_browser_use_and_lists_the_exposure() {
    let w = world();
    let owner = w.fixture_member("admin_owner");
    let ws = owner.workspace_id();
    let set = owner.call(
        "PATCH",
        "/v1/admin/workspace",
        Some(&json!({"exposure_action": "alert_and_revoke"})),
        None,
    );
    assert_eq!(
        (set.status, &set.body["exposure_action"]),
        (200, &json!("alert_and_revoke")),
        "{}",
        set.text
    );
    let (key, secret) = owner.create_key(json!({"name": unique("leaky"), "access": "full_access"}));
    let id = key["id"].as_str().unwrap();
    let ip = unique_ip();
    let from_browser = w.with_key(
        "GET",
        "/v1/customers/cus_x/coins",
        &secret,
        &ws,
        &[
            ("Origin", "https://leaky.shop.test"),
            ("CF-Connecting-IP", ip.as_str()),
            ("User-Agent", "Mozilla/5.0 (exposure test)"),
        ],
        None,
    );
    from_browser.assert_error(403, "secret_key_in_browser");
    assert!(from_browser.header("access-control-allow-origin").is_none());
    read_coins(&secret, &ws).assert_error(401, "revoked_api_key");
    let k = owner.call("GET", &format!("/v1/admin/keys/{id}"), None, None);
    assert_eq!(k.body["status"], "revoked");
    let ex = owner.call(
        "GET",
        &format!("/v1/admin/exposures?key_id={id}"),
        None,
        None,
    );
    assert_eq!(ex.status, 200, "{}", ex.text);
    let row = &ex.body["data"][0];
    assert_eq!(row["origin"], "https://leaky.shop.test");
    assert_eq!(row["ip"], ip.as_str());
    assert_eq!(row["user_agent"], "Mozilla/5.0 (exposure test)");
    assert_eq!(row["count"], 1);
    assert!(row["first_seen"].is_string() && row["last_seen"].is_string());
    let back = owner.call(
        "PATCH",
        "/v1/admin/workspace",
        Some(&json!({"exposure_action": "alert"})),
        None,
    );
    assert_eq!(back.status, 200);
}

#[test]
fn the_request_log_filters_by_key_status_and_route_and_state_changes_are_audited() {
    let w = world();
    let admin = w.demo_admin();
    let ws = w.demo.workspace_id.as_str();
    let (key, secret) = admin
        .create_key(json!({"name": unique("logged"), "access": "read_only", "kind": "secret"}));
    let id = key["id"].as_str().unwrap();
    assert_accepted(&read_coins(&secret, ws));
    use_key(
        &secret,
        ws,
        "POST",
        "/v1/customers/cus_x/coins/credit",
        Some(&json!({"amount": 1})),
    )
    .assert_error(403, "insufficient_scope");
    let dev = w.demo_developer();
    let deadline = Instant::now() + Duration::from_secs(10);
    let rows = loop {
        let a = dev.call("GET", &format!("/v1/admin/logs?key_id={id}"), None, None);
        assert_eq!(a.status, 200, "{}", a.text);
        let rows = a.body["data"].as_array().unwrap().clone();
        if rows.len() >= 2 || Instant::now() > deadline {
            break rows;
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        !serde_json::to_string(&rows).unwrap().contains(&secret),
        "never the key itself"
    );
    let refused = dev.call(
        "GET",
        &format!("/v1/admin/logs?key_id={id}&status=4xx"),
        None,
        None,
    );
    let refused = refused.body["data"].as_array().unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["error_code"], "insufficient_scope");
    assert_eq!(refused[0]["route"], "coins.credit");
    let by_route = dev.call(
        "GET",
        &format!("/v1/admin/logs?key_id={id}&route=coins.get"),
        None,
        None,
    );
    assert_eq!(by_route.body["data"].as_array().unwrap().len(), 1);
    let since = rfc3339(now_ms() + 60_000);
    let none = dev.call(
        "GET",
        &format!("/v1/admin/logs?key_id={id}&since={since}"),
        None,
        None,
    );
    assert_eq!(none.body["data"].as_array().unwrap().len(), 0);
    let paged = dev.call(
        "GET",
        &format!("/v1/admin/logs?key_id={id}&limit=1"),
        None,
        None,
    );
    let cursor = paged.body["next_cursor"].as_str().unwrap().to_owned();
    let second = dev.call(
        "GET",
        &format!("/v1/admin/logs?key_id={id}&limit=1&cursor={cursor}"),
        None,
        None,
    );
    assert_ne!(paged.body["data"][0]["id"], second.body["data"][0]["id"]);

    let audit = admin.call("GET", "/v1/admin/audit?limit=200", None, None);
    assert_eq!(audit.status, 200, "{}", audit.text);
    let row = audit.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "keys.create" && r["target"] == id)
        .unwrap_or_else(|| panic!("no audit row for {id}: {}", audit.text));
    assert_eq!(row["member_email"], w.demo.admin_email.as_str());
    assert_eq!(row["ip"], admin.ip.as_str());
    assert_eq!(row["status"], 201);
    dev.call("GET", "/v1/admin/audit", None, None)
        .assert_error(403, "forbidden_role");
}

#[test]
fn the_overview_counts_requests_coins_and_exposures_as_they_happen_for_every_role() {
    let w = world();
    let admin = w.demo_admin();
    let today = |s: &Session| {
        let a = s.call("GET", "/v1/admin/overview", None, None);
        assert_eq!(a.status, 200, "{}", a.text);
        let days = a.body["days"].as_array().unwrap().clone();
        assert_eq!(days.len(), 30, "the last 30 days, zeros included");
        assert_eq!(a.body["since"], days[0]["day"]);
        days.last().unwrap().clone()
    };
    let before = today(&admin);
    // A credit of 41, a debit of 7, a replay of the credit (counted as a request, not as coins)
    // and a refused request.
    let cid = w.new_customer("overview", 0);
    let key = unique("overview");
    w.credit(&cid, 41, &key);
    w.credit(&cid, 41, &key);
    let d = w.server(
        "POST",
        &format!("/v1/customers/{cid}/coins/debit"),
        &[("Idempotency-Key", &unique("overview-debit"))],
        Some(&json!({"amount": 7})),
    );
    assert_eq!(d.status, 200, "{}", d.text);
    let refused = w.client.send(
        "GET",
        &w.widget_path(&w.demo.publishable_key, None),
        &[],
        None,
    );
    assert_eq!(refused.status, 401, "{}", refused.text);
    // Counters are written off the response path: wait for them.
    let n = |v: &Value, k: &str| v[k].as_i64().unwrap();
    let mut after = today(&admin);
    for _ in 0..40 {
        if n(&after, "coins_debited") - n(&before, "coins_debited") >= 7
            && n(&after, "requests_refused") > n(&before, "requests_refused")
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
        after = today(&admin);
    }
    assert_eq!(
        after["day"].as_str().unwrap(),
        &tally_core::stats::day(now_ms()),
        "today is the last day"
    );
    // Other tests credit the demo workspace too: at least ours, and the replay added nothing
    // of its own (41 once, not twice, unless others credited in between: bounded below only).
    assert!(n(&after, "coins_credited") - n(&before, "coins_credited") >= 41);
    assert!(n(&after, "coins_debited") - n(&before, "coins_debited") >= 7);
    assert!(n(&after, "requests_succeeded") - n(&before, "requests_succeeded") >= 4);
    assert!(n(&after, "requests_refused") > n(&before, "requests_refused"));
    // Every role sees it, a viewer included.
    let viewer = member_with_role(&admin, "viewer");
    assert_eq!(
        viewer.call("GET", "/v1/admin/overview", None, None).status,
        200
    );
}

#[test]
fn a_replayed_credit_adds_no_coins_to_the_overview() {
    // On a workspace no other test credits: the pending fixture's (test keys work there).
    let w = world();
    let owner = w.fixture_member("pending_owner");
    let (_, sk) = owner.create_key(json!({"name": "overview", "access": "full_access"}));
    let ws = owner.workspace_id();
    let credited = |s: &Session| {
        let a = s.call("GET", "/v1/admin/overview", None, None);
        assert_eq!(a.status, 200, "{}", a.text);
        a.body["days"].as_array().unwrap().last().unwrap()["coins_credited"]
            .as_i64()
            .unwrap()
    };
    let before = credited(&owner);
    let cid = unique("replay");
    let idem = unique("replay");
    for _ in 0..3 {
        let a = w.client.send(
            "POST",
            &format!("/v1/customers/{cid}/coins/credit"),
            &[
                ("Authorization", &format!("Bearer {sk}")),
                ("X-Workspace-Id", &ws),
                ("Idempotency-Key", &idem),
            ],
            Some(&json!({"amount": 13})),
        );
        assert_eq!(a.status, 200, "{}", a.text);
    }
    let mut after = credited(&owner);
    for _ in 0..40 {
        if after > before {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
        after = credited(&owner);
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(credited(&owner) - before, 13, "three sends, one entry");
}

#[test]
fn a_webhook_signing_secret_is_revealed_behind_the_pin_only() {
    let w = world();
    let admin = w.demo_admin();
    let a = admin.call(
        "POST",
        "/v1/admin/webhooks",
        Some(&json!({"url": "https://hooks.example/reveal", "events": ["coins.credited"]})),
        None,
    );
    assert_eq!(a.status, 201, "{}", a.text);
    let id = a.body["endpoint"]["id"].as_str().unwrap().to_owned();
    let secret = a.body["secret"].as_str().unwrap().to_owned();
    tally_e2e::remember_secret(&secret);
    let path = format!("/v1/admin/webhooks/{id}/reveal");
    admin
        .call("POST", &path, None, None)
        .assert_error(403, "pin_required");
    let shown = admin.confirmed("POST", &path, None);
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert_eq!(shown.body["secret"], secret.as_str());
    assert_eq!(shown.body["endpoint"]["id"], id.as_str());
    // A developer reads webhooks but may not reveal their secrets.
    let developer = w.demo_developer();
    developer
        .confirmed("POST", &path, None)
        .assert_error(403, "forbidden_role");
    admin
        .confirmed("POST", "/v1/admin/webhooks/wh_nope/reveal", None)
        .assert_error(404, "webhook_not_found");
}

#[test]
fn a_preview_token_is_a_short_test_token_the_widget_accepts() {
    let w = world();
    let admin = w.demo_admin();
    let a = admin.call(
        "POST",
        "/v1/admin/preview-token",
        Some(&json!({"customer_id": w.demo.customer_id})),
        None,
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let token = a.body["token"].as_str().unwrap();
    let expires = tally_core::time::parse_rfc3339(a.body["expires_at"].as_str().unwrap()).unwrap();
    let now = now_ms();
    assert!(
        expires - now <= 601_000 && expires - now >= 540_000,
        "ten minutes"
    );
    // The demo's test publishable key reads the shopper with it.
    let widget = w.client.send(
        "GET",
        &w.widget_path(&w.demo.publishable_key, Some(token)),
        &[],
        None,
    );
    assert_eq!(widget.status, 200, "{}", widget.text);
    assert_eq!(widget.body["customer"]["id"], w.demo.customer_id.as_str());
    admin
        .call(
            "POST",
            "/v1/admin/preview-token",
            Some(&json!({"customer_id": "not ok/"})),
            None,
        )
        .assert_error(400, "invalid_customer_id");
    w.demo_developer()
        .call(
            "POST",
            "/v1/admin/preview-token",
            Some(&json!({"customer_id": "cus_x"})),
            None,
        )
        .assert_error(403, "forbidden_role");
}
