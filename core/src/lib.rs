//! Tally's pure core: everything that decides, nothing that does I/O.
//!
//! The edge Worker (`tally-edge`) and the widget are thin glue around this crate:
//! they turn platform types (a `worker::Request`, a D1 row, a DOM attribute) into the
//! plain values defined here, call a function, and turn the answer back. Every rule a
//! security reviewer cares about therefore lives here and is tested natively with
//! `cargo test`:
//!
//! - [`key`]: the API key format (`<env>_<kind>_<body>` with a CRC32 checksum),
//!   generation from a CSPRNG, SHA-256 hashing, redacted display.
//! - [`scope`]: scopes, access types and which wallets a key reaches.
//! - [`caller`]: classifying a request as coming from a browser or a server.
//! - [`route`]: the API's routes and what each one requires.
//! - [`verifier`]: the ordered decision of spec section 2.
//! - [`token`]: customer tokens (HMAC-SHA256, expiry, key ids).
//! - [`ledger`]: amounts, balances and idempotency rules of the coin ledger.
//! - [`wire`]: the JSON shapes of the API.
//! - [`error`]: stable error codes and their HTTP status.
//! - [`admin`]: the control plane's roles, sessions, CSRF, PIN lockout and key rules.
//! - [`password`]: PBKDF2 password and PIN hashes.
//! - [`webhook`]: webhook events, signatures and the retry schedule.
//! - [`stats`]: the overview's per-day counters, fed from the write path.
//! - [`programs`], [`stamps`], [`money`], [`claims`]: seed 001's programs (stamp cards,
//!   cashback in integer minor units, claims the merchant approves once).
#![warn(missing_docs)]

pub mod admin;
pub mod base62;
pub mod cache;
pub mod caller;
pub mod claims;
pub mod doc;
pub mod error;
pub mod ids;
pub mod key;
pub mod ledger;
pub mod money;
pub mod page;
pub mod password;
pub mod programs;
pub mod referral;
pub mod rng;
pub mod route;
pub mod scope;
pub mod screen;
pub mod seal;
pub mod stamps;
pub mod stats;
pub mod target;
pub mod time;
pub mod token;
pub mod verifier;
pub mod version;
pub mod wallet_schema;
pub mod webhook;
pub mod wire;

pub use error::{ApiError, ErrorCode};
