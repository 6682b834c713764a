//! Shared helpers for Tally's developer tools and end-to-end tests: the demo state file
//! (`.tally/demo.json`) and a small JSON HTTP client.
#![allow(unreachable_pub)]

pub mod openapi;
mod samples;

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `.tally/demo.json`: the local demo workspace's credentials. Local values only.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DemoState {
    pub base_url: String,
    pub workspace_id: String,
    pub publishable_key: String,
    pub secret_key: String,
    pub customer_id: String,
    #[serde(default)]
    pub customer_token: String,
    /// The identity secret customer tokens are signed with (base64url), and its id.
    #[serde(default)]
    pub identity_secret: String,
    #[serde(default)]
    pub identity_secret_kid: String,
    /// A superadmin of the demo workspace (dashboard sign-in). Local values only.
    #[serde(default)]
    pub admin_email: String,
    #[serde(default)]
    pub admin_password: String,
    #[serde(default)]
    pub admin_pin: String,
    /// A developer of the demo workspace.
    #[serde(default)]
    pub developer_email: String,
    #[serde(default)]
    pub developer_password: String,
    #[serde(default)]
    pub developer_pin: String,
    /// The demo stamp card (`Coffee card`, 6 stamps; the demo shopper holds 4).
    #[serde(default)]
    pub card_id: String,
}

impl DemoState {
    pub fn load(path: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text + "\n")
    }
}

/// The OS CSPRNG as the core's `Csprng`.
pub fn os_rng() -> impl FnMut(&mut [u8]) {
    |buf: &mut [u8]| getrandom::getrandom(buf).expect("the OS random generator is available")
}

/// An HTTP answer: status, headers we care about, and the body as JSON (or `Null`).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub text: String,
    headers: Vec<(String, String)>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts this is an error answer with `status` and `code`, showing the body if not.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!((self.status, self.code()), (status, code), "{}", self.text);
    }

    /// The error code of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// A blocking JSON client (ureq) with a timeout; 4xx/5xx are answers, not errors.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    pub base_url: String,
}

impl Client {
    pub fn new(base_url: &str) -> Self {
        Client {
            agent: ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(30))
                .max_idle_connections_per_host(64)
                .build(),
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Sends a request. `headers` are added as given; `body` is sent as JSON when present.
    /// Panics when there is no answer at all (the Worker is down): tests want to know.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Answer {
        self.try_send(method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// [`Client::send`], answering `Err` when the request got no answer (a transport error).
    pub fn try_send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Answer, String> {
        match body {
            Some(b) => {
                let mut h = headers.to_vec();
                h.push(("Content-Type", "application/json"));
                self.exchange(method, path, &h, Some(&b.to_string()))
            }
            None => self.exchange(method, path, headers, None),
        }
    }

    /// Sends `body` exactly as given (for malformed-input tests).
    pub fn send_raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        self.exchange(method, path, headers, Some(body))
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    fn exchange(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<Answer, String> {
        let url = format!("{}{}", self.base_url, path);
        let mut req = self.agent.request(method, &url);
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let result = match body {
            Some(b) => req.send_string(b),
            None => req.call(),
        };
        let resp = match result {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => return Err(format!("transport error: {e}")),
        };
        let status = resp.status();
        let headers = resp
            .headers_names()
            .into_iter()
            .filter_map(|n| resp.header(&n).map(|v| (n.clone(), v.to_owned())))
            .collect();
        // A body cut short (the server died mid-answer) is no answer at all.
        let text = resp
            .into_string()
            .map_err(|e| format!("transport error reading the body: {e}"))?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            body,
            text,
            headers,
        })
    }
}
