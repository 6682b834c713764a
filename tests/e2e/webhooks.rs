//! Webhooks against the real Worker and a real receiver on 127.0.0.1: signed deliveries,
//! a retry after a 500, the delivery log, manual redelivery, and the key lifecycle events.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tally_e2e::{unique, unique_ip, world, Session};

/// One request as the receiver saw it.
struct Received {
    signature: String,
    delivery_id: String,
    /// The Standard Webhooks headers.
    webhook_id: String,
    webhook_timestamp: String,
    webhook_signature: String,
    body: Vec<u8>,
}

/// A minimal HTTP receiver: answers each request with the next status of `statuses`
/// (then 200), and sends what it received down a channel.
fn receiver(statuses: Vec<u16>) -> (String, mpsc::Receiver<Received>) {
    receiver_with(statuses, None)
}

/// A receiver that answers 503 to the first delivery of each event (by `webhook-id`) and
/// 200 to its retries: deterministic whatever other events share the endpoint.
fn receiver_failing_each_event_once() -> (String, mpsc::Receiver<Received>) {
    receiver_impl(vec![], None, true)
}

/// [`receiver`], answering with `Location: <location>` too.
fn receiver_with(
    statuses: Vec<u16>,
    location: Option<String>,
) -> (String, mpsc::Receiver<Received>) {
    receiver_impl(statuses, location, false)
}

fn receiver_impl(
    statuses: Vec<u16>,
    location: Option<String>,
    fail_first_per_event: bool,
) -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/tally-hook",
        listener.local_addr().unwrap().port()
    );
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut statuses = statuses.into_iter();
        let mut seen = std::collections::HashSet::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                headers.push(line.trim_end().to_owned());
            }
            let header = |name: &str| {
                headers
                    .iter()
                    .find_map(|h| {
                        let (k, v) = h.split_once(':')?;
                        k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                    })
                    .unwrap_or_default()
            };
            let len: usize = header("content-length").parse().unwrap_or(0);
            let mut body = vec![0u8; len];
            reader.read_exact(&mut body).unwrap();
            let status = if fail_first_per_event {
                if seen.insert(header("webhook-id")) {
                    503
                } else {
                    200
                }
            } else {
                statuses.next().unwrap_or(200)
            };
            let location = location
                .as_deref()
                .map(|l| format!("Location: {l}\r\n"))
                .unwrap_or_default();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\n{location}Content-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = tx.send(Received {
                signature: header("tally-signature"),
                delivery_id: header("tally-delivery-id"),
                webhook_id: header("webhook-id"),
                webhook_timestamp: header("webhook-timestamp"),
                webhook_signature: header("webhook-signature"),
                body,
            });
        }
    });
    (url, rx)
}

/// A coin credit in a fixture workspace, as that merchant's server sends it.
fn credit(
    sk: &str,
    ws: &str,
    customer: &str,
    idempotency_key: &str,
    amount: i64,
) -> tally_e2e::Answer {
    world().with_key(
        "POST",
        &format!("/v1/customers/{customer}/coins/credit"),
        sk,
        ws,
        &[
            ("Idempotency-Key", idempotency_key),
            ("CF-Connecting-IP", &unique_ip()),
        ],
        Some(&json!({"amount": amount, "reason": "Order"})),
    )
}

/// The first delivery of the endpoint for which `done` holds, polling the delivery log for up
/// to 10 s.
#[track_caller]
fn delivery_where(owner: &Session, endpoint_id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = owner.call(
            "GET",
            &format!("/v1/admin/webhooks/{endpoint_id}/deliveries"),
            None,
            None,
        );
        assert_eq!(log.status, 200, "{}", log.text);
        if let Some(d) = log.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| done(d))
        {
            return d.clone();
        }
        assert!(Instant::now() < deadline, "no such delivery: {}", log.text);
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn endpoint(owner: &Session, url: &str, events: &[&str]) -> (String, String) {
    let a = owner.call(
        "POST",
        "/v1/admin/webhooks",
        Some(&json!({"url": url, "events": events, "environment": "test", "description": "e2e receiver"})),
        None,
    );
    assert_eq!(a.status, 201, "{}", a.text);
    let secret = a.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    tally_e2e::remember_secret(&secret);
    (
        a.body["endpoint"]["id"].as_str().unwrap().to_owned(),
        secret,
    )
}

/// Checks the signature exactly as the README tells merchants to.
#[track_caller]
fn assert_signed(r: &Received, secret: &str) -> Value {
    tally_core::webhook::verify(secret.as_bytes(), &r.signature, &r.body, now_s(), 300)
        .unwrap_or_else(|e| panic!("bad signature {:?}: {e}", r.signature));
    serde_json::from_slice(&r.body).unwrap()
}

#[test]
fn a_coin_credit_is_delivered_signed_and_retried_after_a_500() {
    let w = world();
    let owner = w.fixture_member("admin_owner");
    let ws = owner.workspace_id();
    let (url, rx) = receiver(vec![500]);
    let (endpoint_id, secret) = endpoint(&owner, &url, &["coins.credited"]);
    let (_, sk) = owner.create_key(json!({"name": unique("hooks"), "access": "full_access"}));
    let customer = unique("hook");
    let credited = credit(&sk, &ws, &customer, "hook-1", 40);
    assert_eq!(credited.status, 200, "{}", credited.text);

    let first = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("a first delivery");
    let started = Instant::now();
    let event = assert_signed(&first, &secret);
    assert_eq!(event["type"], "coins.credited");
    assert_eq!(event["workspace_id"], ws.as_str());
    assert_eq!(event["data"]["customer_id"], customer.as_str());
    assert_eq!(event["data"]["balance"], 40);
    // A tampered body or another secret does not verify.
    assert!(tally_core::webhook::verify(
        b"whsec_wrong",
        &first.signature,
        &first.body,
        now_s(),
        300
    )
    .is_err());

    let retry = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("a retry after the 500");
    println!("retry after {:?}", started.elapsed());
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "backoff before the retry"
    );
    let again = assert_signed(&retry, &secret);
    assert_eq!(again["id"], event["id"], "the same event");
    assert_eq!(retry.delivery_id, first.delivery_id);

    // The delivery log shows both attempts with their status codes.
    let delivery = delivery_where(&owner, &endpoint_id, |d| d["status"] == "succeeded");
    assert_eq!(delivery["status"], "succeeded", "{delivery}");
    assert_eq!(delivery["event_type"], "coins.credited");
    let codes: Vec<i64> = delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 200]);

    // A manual redelivery sends it once more.
    let id = delivery["id"].as_str().unwrap();
    let r = owner.call(
        "POST",
        &format!("/v1/admin/webhooks/{endpoint_id}/deliveries/{id}/redeliver"),
        None,
        None,
    );
    assert_eq!(r.status, 202, "{}", r.text);
    let third = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the redelivery");
    assert_eq!(assert_signed(&third, &secret)["id"], event["id"]);

    // An idempotent replay of the credit is not a new event.
    let replay = credit(&sk, &ws, &customer, "hook-1", 40);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert!(
        rx.recv_timeout(Duration::from_secs(2)).is_err(),
        "no event for a replay"
    );
}

#[test]
fn key_lifecycle_events_reach_subscribed_endpoints() {
    let w = world();
    let owner = w.fixture_member("admin_owner");
    let (url, rx) = receiver(vec![]);
    let (_, secret) = endpoint(
        &owner,
        &url,
        &["api_key.created", "api_key.rolled", "api_key.revoked"],
    );
    let (key, first_secret) =
        owner.create_key(json!({"name": unique("events"), "access": "full_access"}));
    let id = key["id"].as_str().unwrap();
    let rolled = owner.confirmed(
        "POST",
        &format!("/v1/admin/keys/{id}/roll"),
        Some(&json!({"overlap_seconds": 60})),
    );
    assert_eq!(rolled.status, 200, "{}", rolled.text);
    let rolled_secret = rolled.body["secret"].as_str().unwrap().to_owned();
    tally_e2e::remember_secret(&rolled_secret);
    let new_id = rolled.body["key"]["id"].as_str().unwrap();
    let revoked = owner.call(
        "POST",
        &format!("/v1/admin/keys/{new_id}/revoke"),
        None,
        None,
    );
    assert_eq!(revoked.status, 200);
    // Other tests create keys in this workspace too: keep the events about these two.
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.len() < 3 {
        let r = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("events so far: {seen:?}"));
        let e = assert_signed(&r, &secret);
        let text = String::from_utf8_lossy(&r.body);
        assert!(
            !text.contains(&first_secret) && !text.contains(&rolled_secret),
            "never a plaintext key in an event"
        );
        let about = e["data"]["key"]["id"].clone();
        if about == json!(id) || about == json!(new_id) {
            // Every key event carries the key as the dashboard shows it.
            assert!(e["data"]["key"]["redacted"].is_string(), "{e}");
            match e["type"].as_str().unwrap() {
                "api_key.rolled" => {
                    assert_eq!(e["data"]["previous_key"]["rolled_to"], json!(new_id))
                }
                "api_key.revoked" => {
                    assert_eq!(e["data"]["reason"], "dashboard");
                    assert_eq!(e["data"]["key"]["status"], "revoked");
                }
                _ => {}
            }
            seen.push(e["type"].as_str().unwrap().to_owned());
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        ["api_key.created", "api_key.revoked", "api_key.rolled"]
    );
}

#[test]
fn webhook_urls_must_be_https_except_local_test_receivers() {
    let w = world();
    let owner = w.fixture_member("admin_owner");
    for (url, env) in [
        ("http://hooks.shop.example/x", "test"),
        ("http://127.0.0.1:9/x", "prod"),
        ("ftp://hooks.shop.example/x", "test"),
    ] {
        owner
            .call(
                "POST",
                "/v1/admin/webhooks",
                Some(&json!({"url": url, "events": ["coins.credited"], "environment": env})),
                None,
            )
            .assert_error(422, "invalid_webhook_url");
    }
    owner
        .call(
            "POST",
            "/v1/admin/webhooks",
            Some(&json!({"url": "https://hooks.shop.example/x", "events": ["coins.stolen"]})),
            None,
        )
        .assert_error(422, "invalid_request");
    // Developers see endpoints but cannot add one.
    let dev = w.demo_developer();
    assert_eq!(
        dev.call("GET", "/v1/admin/webhooks", None, None).status,
        200
    );
    dev.call(
        "POST",
        "/v1/admin/webhooks",
        Some(&json!({"url": "https://hooks.shop.example/x", "events": ["coins.credited"]})),
        None,
    )
    .assert_error(403, "forbidden_role");
}

#[test]
fn an_expiring_key_is_announced_once_by_the_hourly_job() {
    let w = world();
    let owner = w.fixture_member("admin_owner");
    let (url, rx) = receiver(vec![]);
    let (_, secret) = endpoint(&owner, &url, &["api_key.expiring"]);
    let in_two_days = tally_core::time::rfc3339((now_s() + 2 * 86_400) * 1000);
    let (key, _) = owner.create_key(
        json!({"name": unique("expiring"), "access": "read_only", "expires_at": in_two_days}),
    );
    // wrangler dev --test-scheduled runs the cron handler on this path.
    let run = w
        .client
        .send("GET", "/__scheduled?cron=17+*+*+*+*", &[], None);
    assert_eq!(run.status, 200, "{}", run.text);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("api_key.expiring for the new key");
        let e = assert_signed(&r, &secret);
        if e["data"]["key"]["id"] == key["id"] {
            assert_eq!(e["type"], "api_key.expiring");
            break;
        }
    }
    // Once per key.
    let run = w
        .client
        .send("GET", "/__scheduled?cron=17+*+*+*+*", &[], None);
    assert_eq!(run.status, 200);
    while let Ok(r) = rx.recv_timeout(Duration::from_secs(2)) {
        let e = assert_signed(&r, &secret);
        assert_ne!(e["data"]["key"]["id"], key["id"], "announced twice");
    }
}

/// A delivery answered with a redirect is a failed attempt; the redirect is never followed,
/// so a public endpoint cannot bounce deliveries to an internal address.
#[test]
fn a_redirect_is_a_failed_attempt_and_is_never_followed() {
    let w = world();
    // A workspace of its own: the other tests here count the deliveries they receive.
    let owner = w.fixture_member("pending_owner");
    let ws = owner.workspace_id();
    let (target, followed) = receiver(vec![]);
    let (url, rx) = receiver_with(vec![302; 20], Some(target));
    let (endpoint_id, _) = endpoint(&owner, &url, &["coins.credited"]);
    let (_, sk) = owner.create_key(json!({"name": unique("redirect"), "access": "full_access"}));
    let customer = unique("redirected");
    let credited = credit(&sk, &ws, &customer, "redirect-1", 5);
    assert_eq!(credited.status, 200, "{}", credited.text);
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the endpoint is called");
    let delivery = delivery_where(&owner, &endpoint_id, |d| {
        d["attempts"].as_array().is_some_and(|a| !a.is_empty())
    });
    assert_ne!(delivery["status"], "succeeded", "{delivery}");
    assert_eq!(delivery["attempts"][0]["status_code"], 302, "{delivery}");
    assert!(
        followed.recv_timeout(Duration::from_secs(2)).is_err(),
        "the redirect target was never called"
    );
    owner.call(
        "DELETE",
        &format!("/v1/admin/webhooks/{endpoint_id}"),
        None,
        None,
    );
}

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Verifies a delivery with third-party libraries, as merchants would: npm `standardwebhooks`
/// and Stripe's SDK (`stripe.webhooks.constructEvent`), and PyPI `standardwebhooks`. Each
/// prints the event's id when it verifies; a failure is a non-zero exit.
fn verify_with_libraries(r: &Received, secret: &str) {
    use base64::Engine as _;
    const NODE: &str = "const [body64, id, ts, sig, stripeSig, secret] = process.argv.slice(1); \
        const body = Buffer.from(body64, 'base64').toString('utf8'); \
        const { Webhook } = require('standardwebhooks'); \
        const a = new Webhook(secret).verify(body, { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sig }); \
        const stripe = require('stripe')('sk_test_unused'); \
        const b = stripe.webhooks.constructEvent(body, stripeSig, secret, 300); \
        if (a.id !== b.id) throw new Error('different events'); \
        process.stdout.write(a.id);";
    const PYTHON: &str = "import base64, sys; from standardwebhooks.webhooks import Webhook; \
        body64, id, ts, sig, secret = sys.argv[1:]; \
        event = Webhook(secret).verify(base64.b64decode(body64), {'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sig}); \
        print(event['id'], end='')";
    let body64 = base64::engine::general_purpose::STANDARD.encode(&r.body);
    let run = |cmd: &mut std::process::Command| {
        let out = cmd.current_dir(root()).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let event: Value = serde_json::from_slice(&r.body).unwrap();
    let node = run(std::process::Command::new("node").args([
        "-e",
        NODE,
        &body64,
        &r.webhook_id,
        &r.webhook_timestamp,
        &r.webhook_signature,
        &r.signature,
        secret,
    ]));
    assert_eq!(node, event["id"].as_str().unwrap());
    let python = run(
        std::process::Command::new(root().join(".venv/bin/python")).args([
            "-c",
            PYTHON,
            &body64,
            &r.webhook_id,
            &r.webhook_timestamp,
            &r.webhook_signature,
            secret,
        ]),
    );
    assert_eq!(python, event["id"].as_str().unwrap());
}

#[test]
fn deliveries_verify_with_standard_webhooks_libraries_and_stripes_sdk_and_keep_their_id_on_retry() {
    let w = world();
    let owner = w.fixture_member("admin_owner");
    let (url, rx) = receiver_failing_each_event_once();
    // Key events: other tests create keys in this workspace too, so keep the one about ours.
    let (_, secret) = endpoint(&owner, &url, &["api_key.created"]);
    // `whsec_` and standard base64 of 32 bytes: what the Standard Webhooks libraries read.
    let body = &secret["whsec_".len()..];
    assert_eq!(body.len(), 44, "{secret}");
    use base64::Engine as _;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .map(|b| b.len()),
        Ok(32)
    );
    let (key, _) = owner.create_key(json!({"name": unique("stdhooks"), "access": "read_only"}));
    let mut ours = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while ours.len() < 2 {
        let r = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("deliveries of our event so far: {}", ours.len()));
        let event: Value = serde_json::from_slice(&r.body).unwrap();
        if event["data"]["key"]["id"] == key["id"] {
            ours.push(r);
        }
    }
    let (first, retry) = (&ours[0], &ours[1]);
    for r in [first, retry] {
        verify_with_libraries(r, &secret);
        let event: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(event["type"], "api_key.created");
        assert_eq!(r.webhook_id, event["id"].as_str().unwrap());
        assert!(
            r.webhook_signature.starts_with("v1,"),
            "{}",
            r.webhook_signature
        );
    }
    assert_eq!(
        first.webhook_id, retry.webhook_id,
        "the same id on every retry"
    );
    assert_eq!(first.delivery_id, retry.delivery_id);
}
