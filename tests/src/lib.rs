//! The end-to-end harness: where the running Worker is, the demo and fixture credentials,
//! and helpers that talk to it like a merchant's server would.
//!
//! `scripts/e2e.sh` (run by `make test`) starts `wrangler dev` on a free port with
//! throw-away state, seeds it, and sets:
//! - `TALLY_BASE_URL`: the Worker, e.g. `http://127.0.0.1:39123`
//! - `TALLY_DEMO_STATE`: the demo credentials (`demo.json`)
//! - `TALLY_FIXTURES`: the fixture keys (`fixtures.json`)
//! - `TALLY_PERSIST_DIR`: the local state directory (for reading D1 directly)
//!
//! Without them the tests fail with a message saying how to run them: they are never
//! silently skipped.
#![allow(unreachable_pub, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::{json, Value};
pub use tally_tools::{Answer, Client, DemoState};

/// The running Worker and its credentials.
pub struct World {
    pub client: Client,
    pub demo: DemoState,
    fixtures: Value,
    persist_dir: PathBuf,
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the end-to-end tests with `make test` (scripts/e2e.sh starts wrangler dev)")
    })
}

/// The shared world, read once.
pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let demo =
            DemoState::load(var("TALLY_DEMO_STATE").as_ref()).expect("demo state is readable");
        let fixtures: Value = serde_json::from_str(
            &std::fs::read_to_string(var("TALLY_FIXTURES")).expect("fixtures file"),
        )
        .expect("fixtures JSON");
        World {
            client: Client::new(&var("TALLY_BASE_URL")),
            demo,
            fixtures,
            persist_dir: PathBuf::from(var("TALLY_PERSIST_DIR")),
        }
    })
}

/// A random suffix, so tests never share customers.
pub fn unique(prefix: &str) -> String {
    let mut b = [0u8; 6];
    getrandom::getrandom(&mut b).unwrap();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{prefix}_{hex}")
}

/// A client address of its own for a test, so per-ip rate limits never couple tests
/// (`wrangler dev` passes `CF-Connecting-IP` through, as Cloudflare sets it in production).
pub fn unique_ip() -> String {
    let mut b = [0u8; 3];
    getrandom::getrandom(&mut b).unwrap();
    format!("10.{}.{}.{}", b[0], b[1], b[2].max(1))
}

/// A fixture key.
pub struct Fixture {
    pub key: String,
    pub workspace_id: String,
    pub id: String,
}

impl World {
    pub fn fixture(&self, name: &str) -> Fixture {
        let f = &self.fixtures[name];
        Fixture {
            key: f["key"]
                .as_str()
                .unwrap_or_else(|| panic!("no fixture {name}"))
                .to_owned(),
            workspace_id: f["workspace_id"].as_str().unwrap().to_owned(),
            id: f["id"].as_str().unwrap().to_owned(),
        }
    }

    /// Sends with `Authorization: Bearer <key>` and `X-Workspace-Id: <ws>` plus `extra`.
    pub fn with_key(
        &self,
        method: &str,
        path: &str,
        key: &str,
        ws: &str,
        extra: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Answer {
        let auth = format!("Bearer {key}");
        let mut headers = vec![("Authorization", auth.as_str()), ("X-Workspace-Id", ws)];
        headers.extend_from_slice(extra);
        self.client.send(method, path, &headers, body)
    }

    /// As the demo backend (the demo secret key, from a server).
    pub fn server(
        &self,
        method: &str,
        path: &str,
        extra: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Answer {
        self.with_key(
            method,
            path,
            &self.demo.secret_key,
            &self.demo.workspace_id,
            extra,
            body,
        )
    }

    /// Creates a named customer with `coins` coins; returns its id.
    pub fn new_customer(&self, prefix: &str, coins: i64) -> String {
        let id = unique(prefix);
        let a = self.server(
            "PUT",
            &format!("/v1/customers/{id}"),
            &[],
            Some(&json!({"name": "Test Shopper"})),
        );
        assert_eq!(a.status, 200, "{}", a.text);
        if coins > 0 {
            self.credit(&id, coins, &unique("seed"));
        }
        id
    }

    pub fn credit(&self, customer: &str, amount: i64, idempotency_key: &str) -> Answer {
        let a = self.server(
            "POST",
            &format!("/v1/customers/{customer}/coins/credit"),
            &[("Idempotency-Key", idempotency_key)],
            Some(&json!({"amount": amount, "reason": "test"})),
        );
        assert_eq!(a.status, 200, "{}", a.text);
        a
    }

    pub fn balance(&self, customer: &str) -> i64 {
        let a = self.server("GET", &format!("/v1/customers/{customer}/coins"), &[], None);
        assert_eq!(a.status, 200, "{}", a.text);
        a.body["balance"].as_i64().unwrap()
    }

    /// Every ledger entry of a customer, following `next_cursor`.
    pub fn all_entries(&self, customer: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor = String::new();
        loop {
            let path =
                format!("/v1/customers/{customer}/coins/transactions?limit=100&cursor={cursor}");
            let a = self.server("GET", &path, &[], None);
            assert_eq!(a.status, 200, "{}", a.text);
            out.extend(a.body["data"].as_array().unwrap().iter().cloned());
            match a.body["next_cursor"].as_str() {
                Some(c) => cursor = c.to_owned(),
                None => return out,
            }
        }
    }

    /// A customer token minted by the edge for the demo workspace.
    pub fn token_for(&self, customer: &str, ttl: i64) -> String {
        let a = self.server(
            "POST",
            "/v1/customer-tokens",
            &[],
            Some(&json!({"customer_id": customer, "ttl_seconds": ttl})),
        );
        assert_eq!(a.status, 200, "{}", a.text);
        a.body["token"].as_str().unwrap().to_owned()
    }

    /// The widget URL for the demo publishable key.
    pub fn widget_path(&self, key: &str, token: Option<&str>) -> String {
        let mut p = format!("/v1/widget?ws={}&key={key}", self.demo.workspace_id);
        if let Some(t) = token {
            p += &format!("&token={t}");
        }
        p
    }

    /// Runs a read-only query against the local D1 database: its SQLite file under the
    /// persist directory, opened read-only with a busy timeout (a second `wrangler d1
    /// execute` would contend with the running server for the write lock).
    pub fn d1(&self, sql: &str) -> Vec<Value> {
        const READER: &str = r#"
import glob, json, sqlite3, sys
for path in glob.glob(sys.argv[1] + "/**/*.sqlite", recursive=True):
    db = sqlite3.connect("file:" + path + "?mode=ro", uri=True, timeout=30)
    db.row_factory = sqlite3.Row
    try:
        db.execute("SELECT 1 FROM api_keys LIMIT 1")
    except sqlite3.Error:
        continue
    print(json.dumps([dict(r) for r in db.execute(sys.argv[2])]))
    sys.exit(0)
sys.exit("no D1 database under " + sys.argv[1])
"#;
        let out = Command::new("python3")
            .args(["-c", READER])
            .arg(&self.persist_dir)
            .arg(sql)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "reading D1 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("rows as JSON")
    }
}

/// Appends a plaintext the API showed us (a new key) to `TALLY_SECRETS_OUT`, so
/// `scripts/e2e.sh` can check after the suite that none of them reached the local state.
pub fn remember_secret(secret: &str) {
    use std::io::Write as _;
    if let Ok(path) = std::env::var("TALLY_SECRETS_OUT") {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("secrets file is writable");
        writeln!(f, "{secret}").expect("secrets file is writable");
    }
}

/// A signed-in dashboard member: the session cookie and CSRF token, from an address of its
/// own (sign-in is rate-limited per address).
#[derive(Clone)]
pub struct Session {
    pub client: Client,
    pub cookie: String,
    pub csrf: String,
    pub ip: String,
    pub member: Value,
    pub pin: String,
}

impl Session {
    /// A control-plane call with the cookie, the CSRF token and, when given, the PIN.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        pin: Option<&str>,
    ) -> Answer {
        self.call_with(method, path, body, pin, &[])
    }

    /// [`Session::call`] with more headers.
    pub fn call_with(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        pin: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Answer {
        let mut headers = vec![
            ("Cookie", self.cookie.as_str()),
            ("X-CSRF-Token", self.csrf.as_str()),
            ("CF-Connecting-IP", self.ip.as_str()),
        ];
        if let Some(p) = pin {
            headers.push(("X-Confirm-Pin", p));
        }
        headers.extend_from_slice(extra);
        self.client.send(method, path, &headers, body)
    }

    /// A PIN-guarded call with this member's PIN.
    pub fn confirmed(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.call(method, path, body, Some(&self.pin.clone()))
    }

    /// Creates a key (PIN-confirmed) and returns `(key object, plaintext)`.
    pub fn create_key(&self, body: Value) -> (Value, String) {
        let a = self.confirmed("POST", "/v1/admin/keys", Some(&body));
        assert_eq!(a.status, 201, "{}", a.text);
        let secret = a.body["secret"].as_str().unwrap().to_owned();
        remember_secret(&secret);
        (a.body["key"].clone(), secret)
    }

    /// The workspace this member belongs to.
    pub fn workspace_id(&self) -> String {
        let a = self.call("GET", "/v1/admin/session", None, None);
        assert_eq!(a.status, 200, "{}", a.text);
        a.body["workspace"]["id"].as_str().unwrap().to_owned()
    }
}

impl World {
    /// Signs in; panics unless it works.
    pub fn sign_in(&self, email: &str, password: &str, pin: &str) -> Session {
        let ip = unique_ip();
        let a = self.client.send(
            "POST",
            "/v1/admin/session",
            &[("CF-Connecting-IP", ip.as_str())],
            Some(&json!({"email": email, "password": password})),
        );
        assert_eq!(a.status, 200, "sign-in of {email}: {}", a.text);
        let set_cookie = a.header("set-cookie").expect("a session cookie").to_owned();
        let cookie = set_cookie.split(';').next().unwrap().trim().to_owned();
        Session {
            client: self.client.clone(),
            cookie,
            csrf: a.body["csrf_token"].as_str().unwrap().to_owned(),
            ip,
            member: a.body["member"].clone(),
            pin: pin.to_owned(),
        }
    }

    /// The demo workspace's superadmin.
    pub fn demo_admin(&self) -> Session {
        self.sign_in(
            &self.demo.admin_email,
            &self.demo.admin_password,
            &self.demo.admin_pin,
        )
    }

    /// The demo workspace's developer.
    pub fn demo_developer(&self) -> Session {
        self.sign_in(
            &self.demo.developer_email,
            &self.demo.developer_password,
            &self.demo.developer_pin,
        )
    }

    /// A fixture member (`admin_owner`, `pending_owner`).
    pub fn fixture_member(&self, name: &str) -> Session {
        let f = &self.fixtures[name];
        self.sign_in(
            f["email"].as_str().unwrap(),
            f["password"].as_str().unwrap(),
            f["pin"].as_str().unwrap(),
        )
    }

    /// A fixture's raw JSON.
    pub fn fixture_json(&self, name: &str) -> &Value {
        &self.fixtures[name]
    }
}
