//! The OpenAPI 3.1 document, generated from the route tables (`tally_core::route`,
//! `tally_core::admin`), their `doc` blocks, the error codes and the wire types.
//!
//! `cargo run -p tally-tools --bin tally-openapi` writes it to `edge/openapi.json`, which the
//! build copies into the assets; a test fails when the committed file and this generator
//! disagree. Samples are typed values (`samples.rs`), so they cannot drift from the schemas.

use std::collections::BTreeMap;

use schemars::generate::{Contract, SchemaSettings};
use schemars::SchemaGenerator;
use serde_json::{json, Map, Value};
use tally_core::admin::{Action, AdminOp};
use tally_core::doc::{
    OpDoc, QueryParam, INT_CURSOR_PATTERN, PAIR_CURSOR_PATTERN, STATUS_FILTER_PATTERN,
};
use tally_core::route::{Operation, TokenNeed};
use tally_core::wire::CUSTOMER_ID_PATTERN;
use tally_core::ErrorCode;

use crate::samples;

/// Where the committed document lives, from the workspace root.
pub const PATH: &str = "edge/openapi.json";

const INTRO: &str = "Show shoppers their coin balance and referral link on any storefront, \
without ever putting a write-capable credential on the web.

**Keys** are `<env>_<kind>_<body>`: `test` or `prod`, then `pk` (publishable: read-only, safe \
in a web page) or `sk` (secret: your server only). Send a key as `Authorization: Bearer <key>` \
with `X-Workspace-Id`. A publishable key may instead travel in the query (`key` with `ws`), \
so the widget's request is a simple GET.

**Never ship a secret key to a browser.** A write-capable key used from a browser (a request \
with `Origin`, `Sec-Fetch-Site` or `Sec-Fetch-Dest`) is refused with 403 \
`secret_key_in_browser` on every path, and the exposure is recorded; a secret key in a URL is \
refused with `secret_key_in_url`. Rotate keys periodically and use HTTPS only.

**Customer tokens.** A publishable key reads a shopper's data only with a customer token \
your server mints for that shopper: a JWT signed HS256 with the workspace's identity secret \
exactly as the dashboard shows it (`jwt.sign({ sub: customerId }, secret, { expiresIn: \"1h\" })` \
in any JWT library), or `POST /v1/customer-tokens`. `sub` is the customer id; `exp` is at most \
24 hours ahead; `aud`, when present, includes `tally`.

**Errors** are `{\"error\":{\"code\",\"message\",\"request_id\"}}`; branch on `code`, which \
never changes. Lists answer `{\"data\":[…],\"next_cursor\"}`: pass `next_cursor` as `cursor`.

**The dashboard's API** (`/v1/admin/…`) takes a signed-in session (the `tally_session` \
cookie) and, on every call that changes state, the session's `X-CSRF-Token`; generating, \
rolling and deleting keys also take the member's PIN in `X-Confirm-Pin`. It never accepts an \
API key and only answers the dashboard's own origin.";

/// The customer tokens tag: the minting snippets the README shows, in every language.
const CUSTOMER_TOKENS: &str = r#"Short-lived proofs that a shopper is signed in: a JWT signed HS256 with the workspace's identity secret, exactly as the dashboard shows it (the string is the key). `sub` is the customer id; `exp` at most 24 hours ahead; `aud`, when present, includes `tally`. Mint them on your server with the JWT library you already use.

Node.js (`jsonwebtoken`):
```js
import jwt from "jsonwebtoken";
const token = jwt.sign({ sub: customer.id }, process.env.TALLY_IDENTITY_SECRET, { expiresIn: "1h" });
```

Python (`PyJWT`):
```python
import jwt, os, time
token = jwt.encode({"sub": customer.id, "exp": int(time.time()) + 3600}, os.environ["TALLY_IDENTITY_SECRET"], algorithm="HS256")
```

PHP (`firebase/php-jwt`):
```php
use Firebase\JWT\JWT;
$token = JWT::encode(['sub' => $customer->id, 'exp' => time() + 3600], getenv('TALLY_IDENTITY_SECRET'), 'HS256');
```

Rust (`jsonwebtoken`):
```rust
let claims = serde_json::json!({ "sub": customer.id, "exp": now_secs + 3600 });
let key = jsonwebtoken::EncodingKey::from_secret(identity_secret.as_bytes());
let token = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key)?;
```

Or `POST /v1/customer-tokens` with a secret key."#;

const TAGS: &[(&str, &str)] = &[
    (
        "Widget",
        "What the storefront widget reads, with a publishable key.",
    ),
    ("Customers", "The shoppers of a workspace."),
    (
        "Coins",
        "Balances and the immutable, idempotent coin ledger.",
    ),
    ("Referrals", "Referral codes, links and rewards."),
    ("Customer tokens", CUSTOMER_TOKENS),
    ("Meta", "Health, this document and its readable page."),
    (
        "Session",
        "Signing in to the dashboard, and the member's PIN.",
    ),
    ("Workspace", "The workspace's settings."),
    ("Members", "Who may use the dashboard, and with which role."),
    (
        "API keys",
        "Creating, rolling, revoking and deleting API keys.",
    ),
    (
        "Identity secrets",
        "The secrets customer tokens are signed with.",
    ),
    (
        "Logs",
        "The request log, the exposure log and the audit log.",
    ),
    ("Webhooks", "Endpoints, signed deliveries and redelivery."),
];

fn generator(contract: Contract) -> SchemaGenerator {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    settings.meta_schema = None;
    settings.contract = contract;
    settings.into_generator()
}

/// Answers are described as the edge writes them (every field present), bodies as it
/// reads them (optional fields may be left out).
struct Schemas {
    answers: SchemaGenerator,
    bodies: SchemaGenerator,
}

impl Schemas {
    fn components(mut self) -> Map<String, Value> {
        let mut all = Map::new();
        for (name, schema) in self
            .answers
            .take_definitions(true)
            .into_iter()
            .chain(self.bodies.take_definitions(true))
        {
            if let Some(existing) = all.get(&name) {
                assert_eq!(
                    existing, &schema,
                    "{name} reads differently from how it is written: give the body its own type"
                );
            }
            all.insert(name, schema);
        }
        all.insert("Error".into(), error_schema());
        all.into_iter()
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect()
    }
}

fn error_schema() -> Value {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    json!({
        "type": "object",
        "description": "Every error answer.",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "request_id"],
                "properties": {
                    "code": { "type": "string", "enum": codes, "description": "Stable: branch on it." },
                    "message": { "type": "string", "description": "For humans; may improve." },
                    "request_id": { "type": "string", "description": "Also in `X-Request-Id`; quote it to support." }
                }
            }
        }
    })
}

fn error_example(code: ErrorCode) -> Value {
    json!({
        "error": {
            "code": code.as_str(),
            "message": code.default_message(),
            "request_id": samples::REQUEST_ID,
        }
    })
}

/// A documented operation, whichever plane it is on.
struct Op {
    method: &'static str,
    path: &'static str,
    name: &'static str,
    doc: OpDoc,
    security: Value,
    params: Vec<Value>,
    errors: Vec<ErrorCode>,
    extra: Vec<String>,
}

fn header(name: &str, required: bool, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "header", "required": required, "description": description, "schema": schema })
}

fn path_param(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": schema })
}

fn query_param(q: QueryParam) -> Value {
    let (name, description, schema) = match q {
        QueryParam::Limit { default, max } => (
            "limit",
            format!("Page size, 1 to {max}; {default} when absent."),
            json!({ "type": "integer", "minimum": 1, "maximum": max, "default": default }),
        ),
        QueryParam::IntCursor => (
            "cursor",
            "`next_cursor` of the previous page.".to_owned(),
            json!({ "type": "string", "pattern": INT_CURSOR_PATTERN }),
        ),
        QueryParam::PairCursor => (
            "cursor",
            "`next_cursor` of the previous page.".to_owned(),
            json!({ "type": "string", "pattern": PAIR_CURSOR_PATTERN }),
        ),
        QueryParam::KeyId => (
            "key_id",
            "Only rows about this key.".to_owned(),
            json!({ "type": "string", "maxLength": 64 }),
        ),
        QueryParam::Status => (
            "status",
            "A status (`403`) or a class (`4xx`).".to_owned(),
            json!({ "type": "string", "pattern": STATUS_FILTER_PATTERN }),
        ),
        QueryParam::RouteName => (
            "route",
            "An operation's name, e.g. `coins.credit`.".to_owned(),
            json!({ "type": "string", "maxLength": 64 }),
        ),
        QueryParam::Since => (
            "since",
            "RFC 3339; rows at or after it.".to_owned(),
            json!({ "type": "string", "format": "date-time" }),
        ),
        QueryParam::Until => (
            "until",
            "RFC 3339; rows before it.".to_owned(),
            json!({ "type": "string", "format": "date-time" }),
        ),
        QueryParam::Environment => (
            "environment",
            "`test` (the default) or `prod`.".to_owned(),
            json!({ "type": "string", "enum": ["test", "prod"] }),
        ),
        QueryParam::MinVersion => (
            "v",
            "Read-your-writes: the `version` of the shopper's last write (a write answer's, or the last widget answer's). The answer's `version` is never lower. Absent: any.".to_owned(),
            json!({ "type": "integer", "minimum": 0, "maximum": tally_core::version::MAX_VERSION }),
        ),
        QueryParam::ClaimStatus => (
            "status",
            "Only claims in this state.".to_owned(),
            json!({ "type": "string", "enum": ["pending", "approved", "rejected"] }),
        ),
    };
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn data_plane(op: Operation) -> Op {
    let doc = op.doc();
    let mut params = Vec::new();
    let mut errors = vec![ErrorCode::SecretKeyInUrl, ErrorCode::SecretKeyInBrowser];
    let mut extra = Vec::new();
    if op.path_template().contains("{id}") {
        params.push(path_param(
            "id",
            "Your id for the customer: 1 to 64 of `A-Z a-z 0-9 . _ : @ -`.",
            json!({ "type": "string", "pattern": CUSTOMER_ID_PATTERN }),
        ));
        errors.push(ErrorCode::InvalidCustomerId);
    }
    if op.path_template().contains("{page}") {
        params.push(path_param(
            "page",
            "A page of the dashboard, e.g. `keys`; the app shows \"not found\" for any other.",
            json!({ "type": "string", "minLength": 1 }),
        ));
    }
    if op.path_template().contains("{claim_id}") {
        params.push(path_param(
            "claim_id",
            "The claim's id, `clm_…`.",
            json!({ "type": "string", "pattern": "^clm_[A-Za-z0-9]{1,40}$" }),
        ));
        errors.push(ErrorCode::ClaimNotFound);
    }
    if op.path_template().contains("{code}") {
        params.push(path_param(
            "code",
            "A referral code, as the shopper typed it.",
            json!({ "type": "string", "pattern": "^[A-Za-z0-9-]{1,64}$" }),
        ));
    }
    let security = if op.needs_key() {
        errors.extend([
            ErrorCode::InvalidApiKey,
            ErrorCode::RevokedApiKey,
            ErrorCode::ExpiredApiKey,
            ErrorCode::WorkspaceMismatch,
            ErrorCode::OriginNotAllowed,
            ErrorCode::InsufficientScope,
            ErrorCode::RateLimited,
        ]);
        let scopes: Vec<&str> = op.required_scopes().iter().map(|s| s.as_str()).collect();
        extra.push(format!(
            "Scopes: {}.",
            scopes
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if op.secret_only() {
            errors.push(ErrorCode::SecretKeyRequired);
            extra.push("Secret keys only, from your server.".into());
        }
        match op.token_need() {
            TokenNeed::Never => json!([{ "secretKey": [], "workspaceHeader": [] }]),
            // A server's key reads any customer; a publishable key only with their token.
            TokenNeed::ForPublishable => json!([
                { "secretKey": [], "workspaceHeader": [] },
                { "publishableKey": [], "workspaceQuery": [], "customerTokenQuery": [] },
                { "secretKey": [], "workspaceHeader": [], "customerToken": [] }
            ]),
            TokenNeed::Always => json!([
                { "publishableKey": [], "workspaceQuery": [], "customerTokenQuery": [] },
                { "secretKey": [], "workspaceHeader": [], "customerToken": [] }
            ]),
        }
    } else {
        json!([])
    };
    if op.token_need() != TokenNeed::Never {
        errors.extend([
            ErrorCode::InvalidCustomerToken,
            ErrorCode::ExpiredCustomerToken,
        ]);
    }
    if doc.errors.contains(&ErrorCode::IdempotencyKeyRequired) {
        params.push(header(
            "Idempotency-Key",
            true,
            "1 to 255 visible ASCII characters, unique per write. A retry with the same key and body answers the first result (`Idempotent-Replayed: true`); the same key with another body is 409 `idempotency_key_reused`.",
            json!({ "type": "string", "pattern": "^[!-~]{1,255}$" }),
        ));
    }
    Op {
        method: op.method(),
        path: op.path_template(),
        name: op.name(),
        doc,
        security,
        params,
        errors,
        extra,
    }
}

fn control_plane(op: AdminOp) -> Op {
    let doc = op.doc();
    let (method, path) = op.endpoint();
    let mut params = Vec::new();
    let mut errors = vec![
        ErrorCode::SecretKeyInUrl,
        ErrorCode::SecretKeyInBrowser,
        ErrorCode::CrossSiteRequest,
    ];
    let mut extra = Vec::new();
    for (name, what) in [
        ("{id}", "The id"),
        ("{kid}", "The identity secret's `kid`"),
        ("{delivery_id}", "The delivery's id"),
    ] {
        if path.contains(name) {
            params.push(path_param(
                name.trim_matches(|c| c == '{' || c == '}'),
                &format!("{what}: 1 to 64 of `A-Z a-z 0-9 _ -`."),
                json!({ "type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$" }),
            ));
            if !errors.contains(&ErrorCode::NotFound) {
                errors.push(ErrorCode::NotFound);
            }
        }
    }
    // The session, its CSRF token and the PIN are credentials, declared as security
    // schemes: every state-changing call sends the token, every guarded one the PIN.
    let mut scheme = Map::new();
    if op != AdminOp::SignIn {
        errors.push(ErrorCode::NotSignedIn);
        scheme.insert("session".into(), json!([]));
    }
    if op.changes_state() {
        errors.push(ErrorCode::CsrfFailed);
        scheme.insert("csrfToken".into(), json!([]));
    }
    if !matches!(op.action(), Action::Own | Action::ViewWorkspace) {
        errors.push(ErrorCode::ForbiddenRole);
    }
    let security = if op.needs_pin() {
        errors.extend([
            ErrorCode::PinRequired,
            ErrorCode::PinInvalid,
            ErrorCode::PinLocked,
        ]);
        let without = Value::Object(scheme.clone());
        scheme.insert("pin".into(), json!([]));
        if op.pin_needed(false) {
            extra.push("PIN-guarded: send your PIN in `X-Confirm-Pin`.".into());
            json!([scheme])
        } else {
            extra.push("Your current PIN in `X-Confirm-Pin` once you have one.".into());
            json!([scheme, without])
        }
    } else if scheme.is_empty() {
        json!([])
    } else {
        json!([scheme])
    };
    if doc.body.is_some() {
        errors.push(ErrorCode::UnsupportedMediaType);
    }
    Op {
        method,
        path,
        name: op.name(),
        doc,
        security,
        params,
        errors,
        extra,
    }
}

fn operation(op: Op, schemas: &mut Schemas, sample: samples::Sample) -> (String, String, Value) {
    let Op {
        method,
        path,
        name,
        doc,
        security,
        mut params,
        mut errors,
        extra,
    } = op;
    params.extend(doc.query.iter().map(|q| query_param(*q)));
    if doc.body.is_some() {
        errors.extend([
            ErrorCode::InvalidJson,
            ErrorCode::PayloadTooLarge,
            ErrorCode::InvalidRequest,
        ]);
    } else if !doc.query.is_empty() {
        errors.push(ErrorCode::InvalidRequest);
    }
    for e in doc.errors {
        if !errors.contains(e) {
            errors.push(*e);
        }
    }
    let mut description = doc
        .description
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
        .replace("  ", " ")
        .trim()
        .to_owned();
    for e in extra {
        description.push_str("\n\n");
        description.push_str(&e);
    }
    let answer_schema = (doc.answer.schema)(&mut schemas.answers);
    let mut ok = json!({ "description": "Success." });
    ok["content"] = json!({ doc.answer.media: { "schema": answer_schema } });
    if let Some(example) = sample.answer {
        ok["content"][doc.answer.media]["example"] = example;
    }
    let mut responses = Map::new();
    responses.insert(doc.answer.status.to_string(), ok);
    let mut by_status: BTreeMap<u16, Vec<ErrorCode>> = BTreeMap::new();
    for e in &errors {
        by_status.entry(e.status()).or_default().push(*e);
    }
    for (status, codes) in by_status {
        let response = if let [one] = codes.as_slice() {
            json!({ "$ref": format!("#/components/responses/{}", one.as_str()) })
        } else {
            let mut examples = Map::new();
            for c in &codes {
                examples.insert(
                    c.as_str().to_owned(),
                    json!({ "$ref": format!("#/components/examples/{}", c.as_str()) }),
                );
            }
            let listed: Vec<String> = codes.iter().map(|c| format!("`{}`", c.as_str())).collect();
            json!({
                "description": listed.join(", "),
                "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Error" },
                    "examples": examples,
                } }
            })
        };
        responses.insert(status.to_string(), response);
    }
    let mut operation = json!({
        "operationId": name,
        "summary": doc.summary,
        "description": description,
        "tags": [doc.tag],
        "security": security,
        "parameters": params,
        "responses": responses,
    });
    if let Some(body) = doc.body {
        let schema = body(&mut schemas.bodies);
        let mut content = json!({ "schema": schema });
        if let Some(example) = sample.body {
            content["example"] = example;
        }
        operation["requestBody"] = json!({
            "required": !doc.body_optional,
            "content": { "application/json": content },
        });
    }
    (path.to_owned(), method.to_ascii_lowercase(), operation)
}

/// The whole document.
pub fn document() -> Value {
    let mut schemas = Schemas {
        answers: generator(Contract::Serialize),
        bodies: generator(Contract::Deserialize),
    };
    let mut paths: Map<String, Value> = Map::new();
    let ops = Operation::ALL
        .iter()
        .map(|&op| (data_plane(op), samples::data_plane(op)))
        .chain(
            AdminOp::ALL
                .iter()
                .map(|&op| (control_plane(op), samples::control_plane(op))),
        );
    for (op, sample) in ops {
        let (path, method, operation) = operation(op, &mut schemas, sample);
        let item = paths.entry(path).or_insert_with(|| json!({}));
        item[method] = operation;
    }
    let mut responses = Map::new();
    let mut examples = Map::new();
    for &code in ErrorCode::ALL {
        responses.insert(
            code.as_str().to_owned(),
            json!({
                "description": code.default_message(),
                "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Error" },
                    "example": error_example(code),
                } }
            }),
        );
        examples.insert(
            code.as_str().to_owned(),
            json!({ "summary": code.default_message(), "value": error_example(code) }),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Tally API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": INTRO,
        },
        "servers": [{ "url": "/", "description": "The deployment serving this document" }],
        "tags": TAGS.iter().map(|(name, description)| json!({ "name": name, "description": description })).collect::<Vec<_>>(),
        "paths": paths,
        "components": {
            "schemas": schemas.components(),
            "responses": responses,
            "examples": examples,
            "securitySchemes": {
                "secretKey": {
                    "type": "http", "scheme": "bearer",
                    "description": "A secret (`sk`) or publishable (`pk`) key in `Authorization: Bearer`, from a server. Secret keys are refused from browsers.",
                },
                "workspaceHeader": {
                    "type": "apiKey", "in": "header", "name": "X-Workspace-Id",
                    "description": "The workspace the key belongs to (its App ID), with a key in `Authorization`.",
                },
                "publishableKey": {
                    "type": "apiKey", "in": "query", "name": "key",
                    "description": "A publishable (`pk`) key only: the widget's simple GET.",
                },
                "workspaceQuery": {
                    "type": "apiKey", "in": "query", "name": "ws",
                    "description": "The workspace id, with a key in the query.",
                },
                "customerToken": {
                    "type": "apiKey", "in": "header", "name": "X-Customer-Token",
                    "description": "A customer token for the shopper the request is about, minted by your server.",
                },
                "customerTokenQuery": {
                    "type": "apiKey", "in": "query", "name": "token",
                    "description": "A customer token in the query, with a publishable key in the query.",
                },
                "session": {
                    "type": "apiKey", "in": "cookie", "name": "tally_session",
                    "description": "The dashboard session (`POST /v1/admin/session`). API keys are never accepted on `/v1/admin`.",
                },
                "csrfToken": {
                    "type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                    "description": "The session's `csrf_token`, on every call that changes state.",
                },
                "pin": {
                    "type": "apiKey", "in": "header", "name": "X-Confirm-Pin",
                    "description": "The member's PIN (6 to 12 digits) on guarded calls. Five wrong PINs lock guarded calls for 15 minutes.",
                },
            },
        },
    })
}

/// The document as committed: pretty-printed, one trailing newline.
pub fn render() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn workspace_root() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("tools sits in the workspace")
            .to_path_buf()
    }

    #[test]
    fn the_committed_document_is_the_generated_one() {
        let committed = std::fs::read_to_string(workspace_root().join(PATH)).unwrap_or_default();
        let generated = render();
        assert!(
            committed == generated,
            "{PATH} differs from what the route tables and wire types generate: run \
             `cargo run -p tally-tools --bin tally-openapi` and commit the result"
        );
    }

    #[test]
    fn every_operation_has_samples_an_id_and_each_error_its_status() {
        let doc = document();
        let mut ids = std::collections::HashSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap();
                assert!(ids.insert(id.to_owned()), "{id} twice");
                let responses = op["responses"].as_object().unwrap();
                let ok = responses
                    .iter()
                    .find(|(s, _)| s.starts_with('2'))
                    .unwrap_or_else(|| panic!("{method} {path}: no success"));
                let media = ok.1["content"].as_object().unwrap();
                let (kind, content) = media.iter().next().unwrap();
                if kind == "application/json" {
                    assert!(
                        content.get("example").is_some(),
                        "{method} {path}: no answer sample"
                    );
                }
                if let Some(body) = op.get("requestBody") {
                    assert!(
                        body["content"]["application/json"].get("example").is_some(),
                        "{method} {path}: no request sample"
                    );
                }
                for (status, response) in responses {
                    if let Some(r) = response.get("$ref").and_then(Value::as_str) {
                        let code = r.rsplit('/').next().unwrap();
                        let code = ErrorCode::ALL.iter().find(|c| c.as_str() == code).unwrap();
                        assert_eq!(status, &code.status().to_string(), "{method} {path}");
                    }
                }
            }
        }
        assert_eq!(ids.len(), Operation::ALL.len() + AdminOp::ALL.len());
    }

    #[test]
    fn secret_only_and_write_operations_never_offer_the_query_key() {
        let doc = document();
        for &op in Operation::ALL {
            let security =
                &doc["paths"][op.path_template()][op.method().to_ascii_lowercase()]["security"];
            let offers_query_key = security.to_string().contains("publishableKey");
            let writes = op.required_scopes().iter().any(|s| s.is_write());
            assert!(
                !(offers_query_key && (writes || op.secret_only())),
                "{}",
                op.name()
            );
        }
    }
}
