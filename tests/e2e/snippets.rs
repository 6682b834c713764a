//! The dashboard's integration snippets (dashboard/snippets/), run exactly as the Integration
//! page shows them, each in its own language's runtime against the running Worker: Node.js with
//! npm jsonwebtoken, Python with PyJWT, PHP with no library, Rust (built as this package's
//! example) and curl. Each mints a customer token the widget accepts and credits 10 then
//! debits 5 coins under the order's idempotency keys; run again, it pays nothing twice.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tally_e2e::{unique, world};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs a snippet with the workspace's settings in its environment, as the page says to.
fn run(program: &Path, args: &[&str], customer: &str, order: &str) -> Vec<Value> {
    let w = world();
    let out = Command::new(program)
        .args(args)
        .args([customer, order])
        .current_dir(root())
        .env("TALLY_URL", &w.client.base_url)
        .env("TALLY_WORKSPACE_ID", &w.demo.workspace_id)
        .env("TALLY_SECRET_KEY", &w.demo.secret_key)
        .env("TALLY_IDENTITY_SECRET", &w.demo.identity_secret)
        .output()
        .unwrap_or_else(|e| panic!("{} runs (make setup installs it): {e}", program.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{} failed:\n{stdout}\n{}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The snippet's token opens the widget for that shopper with the demo publishable key.
fn token_works(token: &str, customer: &str) {
    let w = world();
    let a = w.client.send(
        "GET",
        &w.widget_path(&w.demo.publishable_key, Some(token)),
        &[],
        None,
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["customer"]["id"], customer, "{}", a.text);
}

/// Runs the snippet twice for one order: 10 credited, 5 debited, once.
fn check(program: &Path, args: &[&str]) {
    let w = world();
    let customer = w.new_customer("snippet", 0);
    let order = unique("order");
    for _ in 0..2 {
        let lines = run(program, args, &customer, &order);
        let last = lines.last().unwrap();
        let token = match last["token"].as_str() {
            Some(t) => t.to_owned(),
            // curl prints the API's answers: the token first, the debit last.
            None => lines[0]["token"].as_str().unwrap().to_owned(),
        };
        assert_eq!(last["balance"], 5, "{lines:?}");
        token_works(&token, &customer);
    }
    assert_eq!(w.balance(&customer), 5, "the second run paid nothing twice");
    assert_eq!(w.all_entries(&customer).len(), 2);
}

#[test]
fn the_node_snippet_runs_with_npm_jsonwebtoken() {
    check(Path::new("node"), &["dashboard/snippets/tally.mjs"]);
}

#[test]
fn the_python_snippet_runs_with_pyjwt() {
    check(
        &root().join(".venv/bin/python"),
        &["dashboard/snippets/tally.py"],
    );
}

#[test]
fn the_php_snippet_runs_with_no_library() {
    check(Path::new("php"), &["dashboard/snippets/tally.php"]);
}

#[test]
fn the_curl_snippet_runs() {
    check(Path::new("bash"), &["dashboard/snippets/tally.sh"]);
}

#[test]
fn the_rust_snippet_runs() {
    // `cargo test -p tally-e2e` builds the example next to this test's binary.
    let exe = std::env::current_exe().unwrap();
    let examples = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("examples");
    check(&examples.join("tally-snippet"), &[]);
}
