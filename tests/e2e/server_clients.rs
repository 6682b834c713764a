//! The same secret key that is refused from a browser keeps working from merchants'
//! servers: curl, Node.js's built-in `fetch` (which sends `sec-fetch-mode: cors` and no
//! `Origin`), and a Rust HTTP client (ureq, this test's own client).
#![allow(clippy::unwrap_used)]

use std::process::Command;

use serde_json::{json, Value};
use tally_e2e::{unique, world};

fn curl(args: &[&str]) -> (u16, Value) {
    let out = Command::new("curl")
        .args(["-sS", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl is installed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').expect("status line");
    (
        status.trim().parse().unwrap(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

const NODE_SCRIPT: &str = r#"
const [base, key, ws, cid, idem] = process.argv.slice(1);
const headers = { authorization: `Bearer ${key}`, 'x-workspace-id': ws };
(async () => {
  const read = await fetch(`${base}/v1/customers/${cid}/coins`, { headers });
  const debit = await fetch(`${base}/v1/customers/${cid}/coins/debit`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': idem },
    body: JSON.stringify({ amount: 3, reason: 'node' }),
  });
  console.log(JSON.stringify({ read: [read.status, await read.json()], debit: [debit.status, await debit.json()] }));
})().catch((e) => { console.error(e); process.exit(1); });
"#;

#[test]
fn curl_with_a_secret_key_reads_and_debits() {
    let w = world();
    let cid = w.new_customer("curl", 20);
    let auth = format!("Authorization: Bearer {}", w.demo.secret_key);
    let ws = format!("X-Workspace-Id: {}", w.demo.workspace_id);
    let base = &w.client.base_url;
    let (status, body) = curl(&[
        "-H",
        &auth,
        "-H",
        &ws,
        &format!("{base}/v1/customers/{cid}/coins"),
    ]);
    assert_eq!(
        (status, body["balance"].as_i64()),
        (200, Some(20)),
        "{body}"
    );
    let idem = format!("Idempotency-Key: {}", unique("curl"));
    let (status, body) = curl(&[
        "-X",
        "POST",
        "-H",
        &auth,
        "-H",
        &ws,
        "-H",
        &idem,
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"amount":5}"#,
        &format!("{base}/v1/customers/{cid}/coins/debit"),
    ]);
    assert_eq!(
        (status, body["balance"].as_i64()),
        (200, Some(15)),
        "{body}"
    );
}

#[test]
fn node_builtin_fetch_with_a_secret_key_is_a_server_not_a_browser() {
    let w = world();
    let cid = w.new_customer("node", 10);
    let out = Command::new("node")
        .args(["-e", NODE_SCRIPT])
        .args([
            &w.client.base_url,
            &w.demo.secret_key,
            &w.demo.workspace_id,
            &cid,
            &unique("node"),
        ])
        .output()
        .expect("node is installed");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["read"][0], 200, "{v}");
    assert_eq!(v["read"][1]["balance"], 10);
    assert_eq!(v["debit"][0], 200, "{v}");
    assert_eq!(v["debit"][1]["balance"], 7);
    assert_eq!(w.balance(&cid), 7);
}

#[test]
fn a_rust_http_client_with_a_secret_key_reads_and_debits() {
    let w = world();
    let cid = w.new_customer("rust", 9);
    let a = w.server("GET", &format!("/v1/customers/{cid}/coins"), &[], None);
    assert_eq!((a.status, a.body["balance"].as_i64()), (200, Some(9)));
    assert_eq!(
        a.header("access-control-allow-origin"),
        None,
        "no CORS on secret-key answers"
    );
    let a = w.server(
        "POST",
        &format!("/v1/customers/{cid}/coins/debit"),
        &[("Idempotency-Key", &unique("rust"))],
        Some(&json!({"amount": 9})),
    );
    assert_eq!(
        (a.status, a.body["balance"].as_i64()),
        (200, Some(0)),
        "{}",
        a.text
    );
}
