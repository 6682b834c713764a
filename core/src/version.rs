//! Read-your-writes, and the widget's cache tiers that rely on it. Each wallet keeps a
//! `version` that increases with every write that changes it, in the same transaction as the
//! write; every wallet write answer and `/v1/widget` carry it. A reader that has seen version
//! `N` (the widget remembers the last one; a merchant's backend has it from its write and may
//! put it in the customer token it mints) asks `/v1/widget?…&v=N`, and no answer older than
//! `N` is served to it, however the answer is cached.
//!
//! `/v1/widget` is answered from the first tier that holds a view at least `v` and still
//! fresh: the isolate's memory ([`MEMORY_TTL_MS`]), then the Cache API of the data centre
//! ([`EDGE_TTL_MS`]), then the wallet itself, which is never behind its own writes.

use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorCode};
use crate::time::UnixMillis;

/// How long a view stays in an isolate's memory.
pub const MEMORY_TTL_MS: i64 = 2_000;

/// How long a view stays in the data centre's Cache API.
pub const EDGE_TTL_MS: i64 = 30_000;

/// How long a browser may show a view without asking again (`Cache-Control: private`).
pub const BROWSER_MAX_AGE_S: i64 = 10;

/// Which tier answered, for the `X-Tally-Cache` header and the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// The isolate's memory.
    Memory,
    /// The data centre's Cache API.
    Edge,
    /// The wallet object.
    Wallet,
}

impl Tier {
    /// `memory`, `edge` or `wallet`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Tier::Memory => "memory",
            Tier::Edge => "edge",
            Tier::Wallet => "wallet",
        }
    }
}

/// A cached view's version and when it was read from the wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    /// The wallet version the view shows.
    pub version: u64,
    /// When the wallet answered it.
    pub stored_at: UnixMillis,
}

impl Stored {
    /// Whether this view may answer a reader who asked for at least `min`, at `now`, from a
    /// tier that keeps views for `ttl_ms`: new enough and still fresh (a clock that went
    /// backwards counts as stale).
    pub const fn serves(&self, min: u64, now: UnixMillis, ttl_ms: i64) -> bool {
        satisfies(self.version, min) && now >= self.stored_at && now - self.stored_at < ttl_ms
    }

    /// Until when an isolate keeps this view after taking it at `now` (from the wallet or the
    /// data centre's cache): [`MEMORY_TTL_MS`], and never past [`EDGE_TTL_MS`] after the
    /// wallet answered it, so a copy of a copy is never older than the data centre's own.
    pub fn memory_until(&self, now: UnixMillis) -> UnixMillis {
        now.saturating_add(MEMORY_TTL_MS)
            .min(self.stored_at.saturating_add(EDGE_TTL_MS))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `ETag` of a view: a digest of exactly the bytes served, so it changes with anything
/// the view shows (a balance, a label, a card's name), not only with the wallet's version.
pub fn etag(body: &[u8]) -> String {
    format!("\"{}\"", hex(&Sha256::digest(body)[..8]))
}

/// An opaque name for a shopper's cached view (`<workspace>:<env>:<customer>`): 32 hex
/// digits of its SHA-256, so no id appears in a cache key.
pub fn slot_name(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes())[..16])
}

/// Whether `If-None-Match` names `etag` (a list, weak or strong, or `*`): the browser's copy
/// is current and the answer is a 304.
pub fn not_modified(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|h| {
        h.split(',')
            .map(|t| t.trim())
            .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
    })
}

/// The largest `v` accepted: fifteen digits, exact wherever a number passes through
/// JavaScript.
pub const MAX_VERSION: u64 = 999_999_999_999_999;

/// `v`: absent or empty is 0 (any version will do); otherwise 1 to 15 ASCII digits.
pub fn min_version(raw: Option<&str>) -> Result<u64, ApiError> {
    match raw {
        None | Some("") => Ok(0),
        Some(v) if v.len() <= 15 && v.bytes().all(|b| b.is_ascii_digit()) => {
            v.parse().map_err(|_| invalid())
        }
        Some(_) => Err(invalid()),
    }
}

fn invalid() -> ApiError {
    ApiError::with_message(
        ErrorCode::InvalidRequest,
        "`v` is the `version` of a wallet write: up to 15 digits.",
    )
}

/// Whether an answer of `version` may be served to a reader who asked for at least `min`.
pub const fn satisfies(version: u64, min: u64) -> bool {
    version >= min
}

/// The newest wallet version an isolate has met per slot (a write's answer, a view it read
/// or stored), each kept for the Cache API's lifetime ([`EDGE_TTL_MS`]): a tier's view older
/// than it is not served, and a view older than it is not stored. A read's background fill
/// and the drop of a write right after it land in either order; without the floor a fill
/// landing last would bring an older balance back for the Cache API's half minute.
pub struct Floors {
    seen: crate::cache::Lru<String, u64>,
}

impl Floors {
    /// Floors for at most `capacity` slots (the least recently used go first).
    pub fn new(capacity: usize) -> Self {
        Floors {
            seen: crate::cache::Lru::new(capacity),
        }
    }

    /// The newest version met for `slot` (0 when none, or when it met none for
    /// [`EDGE_TTL_MS`]).
    pub fn get(&mut self, slot: &str, now: UnixMillis) -> u64 {
        self.seen.get(&slot.to_owned(), now).unwrap_or(0)
    }

    /// Notes that `slot`'s wallet reached `version`; false, with nothing noted, when a newer
    /// version was met already (the caller then drops what it was about to keep).
    pub fn meet(&mut self, slot: &str, version: u64, now: UnixMillis) -> bool {
        if version < self.get(slot, now) {
            return false;
        }
        self.seen.put(slot.to_owned(), version, now + EDGE_TTL_MS);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v_is_absent_or_digits() {
        assert_eq!(min_version(None).ok(), Some(0));
        assert_eq!(min_version(Some("")).ok(), Some(0));
        assert_eq!(min_version(Some("0")).ok(), Some(0));
        assert_eq!(min_version(Some("17")).ok(), Some(17));
        assert_eq!(min_version(Some("007")).ok(), Some(7));
        assert_eq!(min_version(Some("999999999999999")).ok(), Some(MAX_VERSION));
        for bad in ["-1", "+1", "1.0", "1e3", " 1", "x", "1000000000000000"] {
            let e = min_version(Some(bad)).expect_err(bad);
            assert_eq!(e.code, ErrorCode::InvalidRequest, "{bad}");
        }
    }

    #[test]
    fn an_answer_is_served_only_at_or_after_the_version_asked() {
        assert!(satisfies(5, 5));
        assert!(satisfies(6, 5));
        assert!(!satisfies(4, 5));
        assert!(satisfies(0, 0));
    }

    #[test]
    fn a_cached_view_serves_only_while_fresh_and_new_enough() {
        let s = Stored {
            version: 7,
            stored_at: 1_000,
        };
        assert!(s.serves(7, 1_000, MEMORY_TTL_MS));
        assert!(s.serves(0, 1_000 + MEMORY_TTL_MS - 1, MEMORY_TTL_MS));
        assert!(!s.serves(0, 1_000 + MEMORY_TTL_MS, MEMORY_TTL_MS), "stale");
        assert!(
            !s.serves(8, 1_000, MEMORY_TTL_MS),
            "older than the reader's write"
        );
        assert!(!s.serves(0, 999, MEMORY_TTL_MS), "stored in the future");
        assert!(s.serves(0, 1_000 + EDGE_TTL_MS - 1, EDGE_TTL_MS));
    }

    #[test]
    fn memory_keeps_a_view_two_seconds_but_never_past_its_edge_life() {
        let fresh = Stored {
            version: 1,
            stored_at: 10_000,
        };
        assert_eq!(fresh.memory_until(10_000), 10_000 + MEMORY_TTL_MS);
        // Taken from the data centre's cache 29 s after the wallet answered: 1 s left.
        assert_eq!(fresh.memory_until(39_000), 10_000 + EDGE_TTL_MS);
        assert_eq!(fresh.memory_until(20_000), 20_000 + MEMORY_TTL_MS);
    }

    #[test]
    fn a_views_etag_follows_its_bytes() {
        let a = etag(b"{\"coins\":1}");
        assert_eq!(a.len(), 18);
        assert!(a.starts_with('"') && a.ends_with('"'));
        assert_eq!(a, etag(b"{\"coins\":1}"));
        assert_ne!(a, etag(b"{\"coins\":2}"));
    }

    #[test]
    fn a_slots_name_is_opaque_and_stable() {
        let a = slot_name("ws_1:test:cus_ada");
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(!a.contains("ada"));
        assert_eq!(a, slot_name("ws_1:test:cus_ada"));
        assert_ne!(a, slot_name("ws_1:prod:cus_ada"));
    }

    #[test]
    fn if_none_match_is_a_list_of_weak_or_strong_tags() {
        let tag = "\"0011223344556677\"";
        assert!(not_modified(Some(tag), tag));
        assert!(not_modified(Some("W/\"0011223344556677\""), tag));
        assert!(not_modified(Some("\"aa\", \"0011223344556677\""), tag));
        assert!(not_modified(Some("*"), tag));
        assert!(!not_modified(Some("\"aa\""), tag));
        assert!(!not_modified(Some(""), tag));
        assert!(!not_modified(None, tag));
    }

    #[test]
    fn tiers_are_named() {
        assert_eq!(
            [Tier::Memory, Tier::Edge, Tier::Wallet].map(Tier::as_str),
            ["memory", "edge", "wallet"]
        );
    }

    #[test]
    fn a_floor_only_rises_and_refuses_what_is_older() {
        let mut f = Floors::new(8);
        assert_eq!(f.get("ws:test:cus_1", 0), 0);
        assert!(f.meet("ws:test:cus_1", 4, 0));
        assert!(
            f.meet("ws:test:cus_1", 4, 1),
            "the same version again is kept"
        );
        assert!(!f.meet("ws:test:cus_1", 3, 2), "an older view is refused");
        assert_eq!(f.get("ws:test:cus_1", 2), 4);
        assert!(f.meet("ws:test:cus_1", 6, 3));
        assert_eq!(f.get("ws:test:cus_1", 3), 6);
        assert_eq!(f.get("ws:test:cus_2", 3), 0, "one floor per slot");
    }

    #[test]
    fn a_floor_lasts_as_long_as_a_cache_api_copy() {
        let mut f = Floors::new(8);
        assert!(f.meet("s", 9, 1_000));
        assert_eq!(f.get("s", 1_000 + EDGE_TTL_MS - 1), 9);
        assert_eq!(f.get("s", 1_000 + EDGE_TTL_MS), 0);
        assert!(f.meet("s", 2, 1_000 + EDGE_TTL_MS));
    }
}
