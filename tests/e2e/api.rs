//! The data-plane API's shapes and errors, end to end.
#![allow(clippy::unwrap_used)]

use serde_json::json;
use tally_core::route::Operation;
use tally_e2e::{unique, unique_ip, world};

#[test]
fn health_answers_without_a_key() {
    let w = world();
    let a = w.client.send("GET", "/v1/health", &[], None);
    assert_eq!(a.status, 200);
    assert_eq!(a.body["status"], "ok");
}

#[test]
fn unknown_routes_and_wrong_methods_are_json_errors() {
    let w = world();
    let a = w.client.send("GET", "/v1/does-not-exist", &[], None);
    a.assert_error(404, "not_found");
    let a = w.server(
        "DELETE",
        &format!("/v1/customers/{}", w.demo.customer_id),
        &[],
        None,
    );
    a.assert_error(405, "method_not_allowed");
    assert_eq!(a.header("allow"), Some("GET, PUT"));
    let a = w.server("GET", "/v1/customers/x/coins/debit", &[], None);
    assert_eq!((a.status, a.code()), (405, "method_not_allowed"));
    assert_eq!(a.header("allow"), Some("POST"));
}

/// The document served at /v1/openapi.json lists exactly the routes the Worker serves,
/// with a request sample for every body and a response sample for every operation.
#[test]
fn the_openapi_document_matches_the_routes() {
    let w = world();
    let a = w.client.send("GET", "/v1/openapi.json", &[], None);
    assert_eq!(a.status, 200);
    let doc = &a.body;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "OpenAPI 3.1"
    );
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            documented += 1;
            if tally_core::admin::is_admin_path(path) {
                let concrete = path
                    .replace("{id}", "x_1")
                    .replace("{kid}", "ids_1")
                    .replace("{delivery_id}", "dlv_1");
                let route = tally_core::admin::resolve(&method.to_uppercase(), &concrete)
                    .unwrap_or_else(|e| {
                        panic!("{method} {path} is documented but not served: {e:?}")
                    });
                assert_eq!(route.op.endpoint().1, path, "{method} {path}");
            } else {
                let concrete = path
                    .replace("{id}", "cus_1")
                    .replace("{claim_id}", "clm_1")
                    .replace("{code}", "ABCDEFGH23");
                let route = tally_core::route::resolve(&method.to_uppercase(), &concrete)
                    .unwrap_or_else(|e| {
                        panic!("{method} {path} is documented but not served: {e}")
                    });
                assert_eq!(route.op.path_template(), path, "{method} {path}");
            }
            let has_example = op["responses"].as_object().unwrap().values().any(|r| {
                r["content"]["application/json"]["example"].is_object()
                    || r["content"]["application/json"]["examples"].is_object()
                    || r["content"]["text/html"].is_object()
            });
            assert!(has_example, "{method} {path} has no response sample");
            if let Some(body) = op.get("requestBody") {
                assert!(
                    body["content"]["application/json"]["example"].is_object(),
                    "{method} {path} has no request sample"
                );
            }
        }
    }
    for op in Operation::ALL {
        let item = &paths
            .get(op.path_template())
            .unwrap_or_else(|| panic!("{} is not documented", op.path_template()));
        assert!(
            item.get(op.method().to_lowercase()).is_some(),
            "{} {} is not documented",
            op.method(),
            op.path_template()
        );
    }
    for op in tally_core::admin::AdminOp::ALL {
        let (method, path) = op.endpoint();
        let item = &paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not documented"));
        assert!(
            item.get(method.to_lowercase()).is_some(),
            "{method} {path} is not documented"
        );
    }
    assert_eq!(
        documented,
        Operation::ALL.len() + tally_core::admin::AdminOp::ALL.len()
    );
    // Every error code the API can answer is listed.
    let codes = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
        ["enum"]
        .as_array()
        .unwrap();
    for code in tally_core::ErrorCode::ALL {
        assert!(
            codes.iter().any(|c| c == code.as_str()),
            "{} missing from the document",
            code.as_str()
        );
    }
    let docs = w.client.send("GET", "/docs", &[], None);
    assert_eq!(docs.status, 200);
    assert!(docs.text.contains("openapi.json"));
}

#[test]
fn customers_are_created_renamed_and_read() {
    let w = world();
    let id = unique("cust");
    let a = w.server("GET", &format!("/v1/customers/{id}"), &[], None);
    assert_eq!((a.status, a.code()), (404, "customer_not_found"));
    let a = w.server(
        "PUT",
        &format!("/v1/customers/{id}"),
        &[],
        Some(&json!({"name": "Grace Hopper"})),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["id"], id.as_str());
    assert_eq!(a.body["name"], "Grace Hopper");
    let a = w.server(
        "PUT",
        &format!("/v1/customers/{id}"),
        &[],
        Some(&json!({"name": "Rear Admiral Hopper"})),
    );
    assert_eq!(a.body["name"], "Rear Admiral Hopper");
    let a = w.server("GET", &format!("/v1/customers/{id}"), &[], None);
    assert_eq!(a.body["name"], "Rear Admiral Hopper");
    for bad in [
        json!({}),
        json!({"name": 5}),
        json!({"name": ""}),
        json!({"name": "x".repeat(121)}),
    ] {
        let a = w.server("PUT", &format!("/v1/customers/{id}"), &[], Some(&bad));
        assert_eq!(a.status, 422, "{bad}: {}", a.text);
    }
    // Coins read shape.
    let a = w.server("GET", &format!("/v1/customers/{id}/coins"), &[], None);
    assert_eq!(
        a.body,
        json!({"customer_id": id, "balance": 0, "label": "coins"})
    );
}

#[test]
fn the_widget_answers_everything_in_one_response() {
    let w = world();
    let token = w.token_for(&w.demo.customer_id, 600);
    let ip = unique_ip();
    let a = w.client.send(
        "GET",
        &w.widget_path(&w.demo.publishable_key, Some(&token)),
        &[("CF-Connecting-IP", &ip)],
        None,
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let b = &a.body;
    assert_eq!(b["customer"]["id"], w.demo.customer_id.as_str());
    assert_eq!(b["customer"]["name"], "Ada Lovelace");
    assert!(b["coins"]["balance"].as_i64().unwrap() >= 0);
    assert_eq!(b["coins"]["label"], "coins");
    let code = b["referral"]["code"].as_str().unwrap();
    assert_eq!(code.len(), 10);
    assert!(b["referral"]["link"]
        .as_str()
        .unwrap()
        .ends_with(&format!("?ref={code}")));
    assert!(b["referral"]["count"].as_i64().is_some());
    assert!(!b["referral"]["reward"].as_str().unwrap().is_empty());
    // Private to the shopper's browser, for a few seconds (read-your-writes keeps it honest).
    assert_eq!(a.header("cache-control"), Some("private, max-age=10"));
}

#[test]
fn referrals_apply_once_and_reward_the_referrer() {
    let w = world();
    let referrer = w.new_customer("referrer", 0);
    let r = w.server(
        "GET",
        &format!("/v1/customers/{referrer}/referral"),
        &[],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let code = r.body["code"].as_str().unwrap().to_owned();
    assert_eq!(r.body["count"], 0);

    let v = w.server(
        "GET",
        &format!("/v1/referrals/{}", code.to_lowercase()),
        &[],
        None,
    );
    assert_eq!(v.status, 200, "{}", v.text);
    assert_eq!(v.body["valid"], true);
    let v = w.server("GET", "/v1/referrals/ZZZZZZZZZZ", &[], None);
    assert_eq!((v.status, v.code()), (404, "referral_code_not_found"));

    let referee = unique("referee");
    let apply = |customer: &str, code: &str| {
        w.server(
            "POST",
            "/v1/referrals/apply",
            &[],
            Some(&json!({"customer_id": customer, "code": code})),
        )
    };
    let a = apply(&referee, &code);
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["referrer_id"], referrer.as_str());
    assert_eq!(a.body["reward_coins"], 50);
    assert_eq!(a.body["referrer_count"], 1);
    // A retry changes nothing.
    let again = apply(&referee, &code);
    assert_eq!(again.status, 200);
    assert_eq!(again.body["referrer_count"], 1);
    assert_eq!(w.balance(&referrer), 50);
    // Another referrer's code for the same referee, and one's own code, are refused.
    let other = w.new_customer("referrer2", 0);
    let other_code = w
        .server("GET", &format!("/v1/customers/{other}/referral"), &[], None)
        .body["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = apply(&referee, &other_code);
    a.assert_error(409, "already_referred");
    let a = apply(&referrer, &code);
    a.assert_error(422, "self_referral");
    let r = w.server(
        "GET",
        &format!("/v1/customers/{referrer}/referral"),
        &[],
        None,
    );
    assert_eq!(r.body["count"], 1);
    assert_eq!(r.body["code"], code.as_str());
}

#[test]
fn customer_tokens_are_minted_only_by_secret_keys_within_24_hours() {
    let w = world();
    let a = w.server(
        "POST",
        "/v1/customer-tokens",
        &[],
        Some(&json!({"customer_id": "ada", "ttl_seconds": 120})),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    // A JWT: `header.claims.signature`, the header `{"alg":"HS256",…}`.
    let token = a.body["token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "{token}");
    assert!(token.starts_with("eyJhbGciOiJIUzI1NiIs"), "{token}");
    assert!(a.body["expires_at"].as_str().unwrap().ends_with('Z'));
    for ttl in [0, 59, 86_401] {
        let a = w.server(
            "POST",
            "/v1/customer-tokens",
            &[],
            Some(&json!({"customer_id": "ada", "ttl_seconds": ttl})),
        );
        assert_eq!((a.status, a.code()), (422, "invalid_request"), "{ttl}");
    }
    let ip = unique_ip();
    let a = w.with_key(
        "POST",
        "/v1/customer-tokens",
        &w.demo.publishable_key,
        &w.demo.workspace_id,
        &[("CF-Connecting-IP", &ip)],
        Some(&json!({"customer_id": "ada"})),
    );
    a.assert_error(403, "secret_key_required");
}

/// Every decision is logged (key id, route, status, latency, caller class), after the
/// response, and never the key itself.
#[test]
fn decisions_are_logged_without_the_key() {
    let w = world();
    let ok = w.server(
        "GET",
        &format!("/v1/customers/{}/coins", w.demo.customer_id),
        &[],
        None,
    );
    let refused = w.server(
        "GET",
        "/v1/customers/x/coins",
        &[("Origin", "https://evil.example")],
        None,
    );
    refused.assert_error(403, "secret_key_in_browser");
    let ids = [
        ok.header("x-request-id").unwrap().to_owned(),
        refused.header("x-request-id").unwrap().to_owned(),
    ];
    let query = format!(
        "SELECT * FROM request_logs WHERE request_id IN ('{}', '{}') ORDER BY status",
        ids[0], ids[1]
    );
    // Rows are flushed in batches from wait_until, at most 500 ms after the response.
    let mut rows = Vec::new();
    for _ in 0..50 {
        rows = w.d1(&query);
        if rows.len() == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(rows.len(), 2, "both decisions logged: {rows:?}");
    assert_eq!(rows[0]["status"], 200);
    assert_eq!(rows[0]["route"], "coins.get");
    assert_eq!(rows[0]["caller"], "server");
    assert_eq!(rows[0]["key_id"], "key_demo_secret");
    assert!(rows[0]["latency_ms"].as_i64().unwrap() >= 0);
    assert_eq!(rows[1]["status"], 403);
    assert_eq!(rows[1]["caller"], "browser");
    assert_eq!(rows[1]["error_code"], "secret_key_in_browser");
    let dump = serde_json::to_string(&rows).unwrap();
    assert!(
        !dump.contains(&w.demo.secret_key[8..]),
        "no key material in the log"
    );
}
