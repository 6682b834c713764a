//! The ledger under a crash: a stream of credits and debits, `wrangler dev` killed mid-stream
//! (SIGKILL on its whole process group: workerd dies with it, no graceful shutdown), then
//! restarted on the same local state. Every write that was answered 2xx is in the ledger
//! exactly once (replaying its `Idempotency-Key` answers the same entry and writes nothing),
//! and the balance equals the sum of the entries.
//!
//! This test runs its own Worker, on a copy of the seeded state that `scripts/e2e.sh` makes
//! before the shared one starts (`TALLY_CRASH_PERSIST_DIR`), so killing it touches nothing
//! the other tests use.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tally_e2e::{unique, Client, DemoState};

/// A `wrangler dev` in a process group of its own.
struct Worker {
    child: Child,
    client: Client,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

impl Worker {
    fn start(persist: &Path, log: &Path) -> Worker {
        let root = repo_root();
        let port = free_port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let child = Command::new(root.join("node_modules/.bin/wrangler"))
            .args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
            .arg("--persist-to")
            .arg(persist)
            .arg("--assets")
            .arg(root.join("build/assets-dev"))
            .arg("--show-interactive-dev-session=false")
            .current_dir(&root)
            .env("WRANGLER_SEND_METRICS", "false")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("wrangler dev starts");
        let client = Client::new(&format!("http://127.0.0.1:{port}"));
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            if client
                .try_send("GET", "/v1/health", &[], None)
                .is_ok_and(|a| a.status == 200)
            {
                break;
            }
            assert!(Instant::now() < deadline, "wrangler dev did not start");
            std::thread::sleep(Duration::from_millis(200));
        }
        Worker { child, client }
    }

    /// SIGKILL to the whole group: wrangler and its workerd, at once.
    fn kill(mut self) {
        let pgid = self.child.id();
        let status = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .status()
            .unwrap();
        assert!(status.success());
        let _ = self.child.wait();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
    }
}

/// One write of the stream and what became of it.
#[derive(Clone)]
struct Write {
    idempotency_key: String,
    op: &'static str,
    amount: i64,
    /// `Some(entry id)` when answered 2xx; `None` when refused or unanswered.
    entry: Option<String>,
    /// Answered at all (2xx or a 4xx refusal), as opposed to cut off by the crash.
    answered: bool,
}

fn send(c: &Client, demo: &DemoState, cid: &str, w: &Write) -> Option<(u16, Value)> {
    let auth = format!("Bearer {}", demo.secret_key);
    let path = format!("/v1/customers/{cid}/coins/{}", w.op);
    let body = json!({"amount": w.amount, "reason": "crash test"});
    // A transport failure (the Worker was killed) is an unanswered write.
    c.try_send(
        "POST",
        &path,
        &[
            ("Authorization", &auth),
            ("X-Workspace-Id", &demo.workspace_id),
            ("Idempotency-Key", &w.idempotency_key),
        ],
        Some(&body),
    )
    .ok()
    .map(|a| (a.status, a.body))
}

#[test]
fn every_acknowledged_write_survives_a_kill_exactly_once() {
    let Ok(persist) = std::env::var("TALLY_CRASH_PERSIST_DIR") else {
        panic!("TALLY_CRASH_PERSIST_DIR is not set: run the end-to-end tests with `make test`");
    };
    let demo = DemoState::load(std::env::var("TALLY_DEMO_STATE").unwrap().as_ref()).unwrap();
    let persist = PathBuf::from(persist);
    let log = persist.with_extension("log");
    let cid = unique("crash");

    let worker = Worker::start(&persist, &log);
    let auth = format!("Bearer {}", demo.secret_key);
    let a = worker.client.send(
        "PUT",
        &format!("/v1/customers/{cid}"),
        &[
            ("Authorization", &auth),
            ("X-Workspace-Id", &demo.workspace_id),
        ],
        Some(&json!({"name": "Crash Test"})),
    );
    assert_eq!(a.status, 200, "{}", a.text);

    // Four writers, each a steady stream of credits of 10 and debits of 7; the kill comes
    // once enough writes have been answered, in the middle of the stream.
    let stop = AtomicBool::new(false);
    let answered_2xx = std::sync::atomic::AtomicUsize::new(0);
    let client = worker.client.clone();
    let writes: Vec<Write> = std::thread::scope(|s| {
        let writers: Vec<_> = (0..4)
            .map(|t| {
                let (client, demo, cid, stop, answered_2xx) =
                    (&client, &demo, &cid, &stop, &answered_2xx);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    for i in 0.. {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let (op, amount) = if i % 3 == 2 {
                            ("debit", 7)
                        } else {
                            ("credit", 10)
                        };
                        let mut w = Write {
                            idempotency_key: format!("{cid}-{t}-{i}"),
                            op,
                            amount,
                            entry: None,
                            answered: false,
                        };
                        match send(client, demo, cid, &w) {
                            Some((200, body)) => {
                                w.answered = true;
                                w.entry = body["entry"]["id"].as_str().map(str::to_owned);
                                assert!(w.entry.is_some(), "{body}");
                                answered_2xx.fetch_add(1, Ordering::SeqCst);
                            }
                            Some((409, body))
                                if body["error"]["code"] == "insufficient_balance" =>
                            {
                                w.answered = true;
                            }
                            Some((status, body)) => panic!("unexpected answer {status}: {body}"),
                            None => {
                                mine.push(w);
                                break;
                            }
                        }
                        mine.push(w);
                    }
                    mine
                })
            })
            .collect();
        let started = Instant::now();
        while answered_2xx.load(Ordering::SeqCst) < 60
            && started.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        worker.kill();
        stop.store(true, Ordering::SeqCst);
        writers
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let acknowledged: Vec<&Write> = writes.iter().filter(|w| w.entry.is_some()).collect();
    let cut_off = writes.iter().filter(|w| !w.answered).count();
    println!(
        "{} writes sent, {} acknowledged, {} cut off by the kill",
        writes.len(),
        acknowledged.len(),
        cut_off
    );
    assert!(acknowledged.len() >= 60, "the stream ran before the kill");

    // Same state, a new Worker.
    let worker = Worker::start(&persist, &log);
    // Replaying every write: an acknowledged one answers its own entry again; a cut-off one
    // is either already in (replay) or written now, once.
    let mut entry_of: HashMap<String, String> = HashMap::new();
    for w in &writes {
        if !w.answered || w.entry.is_some() {
            match send(&worker.client, &demo, &cid, w) {
                Some((200, body)) => {
                    let id = body["entry"]["id"].as_str().unwrap().to_owned();
                    if let Some(first) = &w.entry {
                        assert_eq!(
                            &id, first,
                            "a replay of {} answered another entry",
                            w.idempotency_key
                        );
                    }
                    entry_of.insert(w.idempotency_key.clone(), id);
                }
                Some((409, body))
                    if w.entry.is_none() && body["error"]["code"] == "insufficient_balance" => {}
                other => panic!(
                    "replay of {} after the restart: {other:?}",
                    w.idempotency_key
                ),
            }
        }
    }

    // The ledger: every acknowledged write's entry exactly once, no key twice, and the
    // balance is the sum of the entries.
    let mut entries: Vec<Value> = Vec::new();
    let mut cursor = String::new();
    loop {
        let a = worker.client.send(
            "GET",
            &format!("/v1/customers/{cid}/coins/transactions?limit=100&cursor={cursor}"),
            &[
                ("Authorization", &auth),
                ("X-Workspace-Id", &demo.workspace_id),
            ],
            None,
        );
        assert_eq!(a.status, 200, "{}", a.text);
        entries.extend(a.body["data"].as_array().unwrap().iter().cloned());
        match a.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    let mut keys: HashMap<&str, usize> = HashMap::new();
    for e in &entries {
        *keys
            .entry(e["idempotency_key"].as_str().unwrap())
            .or_default() += 1;
    }
    assert!(
        keys.values().all(|n| *n == 1),
        "an Idempotency-Key was applied twice"
    );
    for w in &acknowledged {
        let id = w.entry.as_deref().unwrap();
        assert_eq!(
            entries.iter().filter(|e| e["id"] == id).count(),
            1,
            "acknowledged write {} lost",
            w.idempotency_key
        );
    }
    assert_eq!(
        entries.len(),
        entry_of.len(),
        "only the stream's writes are in the ledger"
    );
    let sum: i64 = entries
        .iter()
        .map(|e| match e["type"].as_str().unwrap() {
            "credit" => e["amount"].as_i64().unwrap(),
            _ => -e["amount"].as_i64().unwrap(),
        })
        .sum();
    let balance = worker.client.send(
        "GET",
        &format!("/v1/customers/{cid}/coins"),
        &[
            ("Authorization", &auth),
            ("X-Workspace-Id", &demo.workspace_id),
        ],
        None,
    );
    assert_eq!(
        balance.body["balance"].as_i64(),
        Some(sum),
        "{}",
        balance.text
    );
    worker.kill();
}
