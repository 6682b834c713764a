//! What schemathesis found against the generated OpenAPI document (scripts/contract.sh),
//! each pinned down here as a behaviour: schema-valid requests are accepted, schema-violating
//! ones refused with a clear code, and no input is a 500. Each of these failed before the fix.
#![allow(clippy::unwrap_used)]

use serde_json::json;
use tally_e2e::{unique, world};

#[test]
fn an_amount_written_as_a_whole_float_is_that_integer_and_a_fraction_is_still_refused() {
    let w = world();
    let id = w.new_customer("float", 0);
    let path = format!("/v1/customers/{id}/coins/credit");
    let a = w.server(
        "POST",
        &path,
        &[("Idempotency-Key", &unique("float"))],
        Some(&json!({"amount": 250.0})),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["entry"]["amount"], 250);
    assert_eq!(w.balance(&id), 250);
    let a = w.server(
        "POST",
        &path,
        &[("Idempotency-Key", &unique("float"))],
        Some(&json!({"amount": 2.5})),
    );
    a.assert_error(422, "invalid_amount");
    assert_eq!(w.balance(&id), 250);
}

#[test]
fn a_body_that_is_not_a_json_object_is_refused_even_when_its_fields_would_fit() {
    let w = world();
    let id = unique("array");
    // serde reads a struct from an array: `["Ada"]` used to rename the customer.
    w.server(
        "PUT",
        &format!("/v1/customers/{id}"),
        &[],
        Some(&json!(["Ada"])),
    )
    .assert_error(400, "invalid_json");
    let admin = w.demo_admin();
    admin
        .call(
            "PATCH",
            "/v1/admin/workspace",
            Some(&json!([null, null])),
            None,
        )
        .assert_error(400, "invalid_json");
    admin
        .confirmed(
            "POST",
            "/v1/admin/identity-secrets/roll",
            Some(&json!([null, null])),
        )
        .assert_error(400, "invalid_json");
}

#[test]
fn text_with_a_control_character_at_its_end_is_refused_not_trimmed_away() {
    let w = world();
    let id = w.new_customer("ctl", 0);
    w.server(
        "PUT",
        &format!("/v1/customers/{id}"),
        &[],
        Some(&json!({"name": "Ada\n"})),
    )
    .assert_error(422, "invalid_request");
    let a = w.server(
        "PUT",
        &format!("/v1/customers/{id}"),
        &[],
        Some(&json!({"name": "  Ada  "})),
    );
    assert_eq!(a.body["name"], "Ada", "{}", a.text);
}

#[test]
fn a_huge_history_cursor_is_a_clear_422_not_a_500() {
    let w = world();
    let id = w.new_customer("cursor", 5);
    for cursor in ["288169009275260243", "1234567890123456", "+5", "042"] {
        let a = w.server(
            "GET",
            &format!("/v1/customers/{id}/coins/transactions?cursor={cursor}"),
            &[],
            None,
        );
        a.assert_error(422, "invalid_request");
    }
    let a = w.server(
        "GET",
        &format!("/v1/customers/{id}/coins/transactions?cursor=999999999999999"),
        &[],
        None,
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["data"].as_array().map(Vec::len), Some(1));
}

#[test]
fn log_filters_are_checked_like_the_document_says() {
    let admin = world().demo_admin();
    let long = "k".repeat(65);
    for query in [
        format!("key_id={long}"),
        format!("route={long}"),
        "status=4x".to_owned(),
        "status=".to_owned(),
        "since=".to_owned(),
        "limit=".to_owned(),
    ] {
        admin
            .call("GET", &format!("/v1/admin/logs?{query}"), None, None)
            .assert_error(422, "invalid_request");
    }
    let a = admin.call("GET", "/v1/admin/logs?status=2xx&limit=5", None, None);
    assert_eq!(a.status, 200, "{}", a.text);
}

#[test]
fn members_never_change_their_own_role_or_remove_themselves() {
    let admin = world().demo_admin();
    let me = admin.member["id"].as_str().unwrap().to_owned();
    admin
        .confirmed(
            "PATCH",
            &format!("/v1/admin/members/{me}"),
            Some(&json!({"role": "viewer"})),
        )
        .assert_error(409, "cannot_change_own_membership");
    admin
        .confirmed("DELETE", &format!("/v1/admin/members/{me}"), None)
        .assert_error(409, "cannot_change_own_membership");
    let session = admin.call("GET", "/v1/admin/session", None, None);
    assert_eq!(session.body["member"]["role"], "superadmin");
}
