//! Shared storage plumbing: the D1 handle, argument binding, the clock, and a small
//! time-bounded isolate cache.

use std::collections::HashMap;
use std::hash::Hash;

use serde::de::DeserializeOwned;
use tally_core::time::UnixMillis;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Env};

use crate::error::Failure;

/// The D1 binding's name in `wrangler.toml`.
pub(crate) const DB: &str = "DB";

pub(crate) fn db(env: &Env) -> Result<D1Database, Failure> {
    Ok(env.d1(DB)?)
}

/// Now, in Unix milliseconds.
pub(crate) fn now_ms() -> UnixMillis {
    js_sys::Date::now() as UnixMillis
}

/// A value to bind to a `?` placeholder.
pub(crate) enum Arg<'a> {
    Text(&'a str),
    Int(i64),
    Null,
}

impl From<&Arg<'_>> for JsValue {
    fn from(a: &Arg<'_>) -> JsValue {
        match a {
            Arg::Text(s) => JsValue::from_str(s),
            // D1 integers travel as JS numbers; every value we store is below 2^53.
            Arg::Int(i) => JsValue::from_f64(*i as f64),
            Arg::Null => JsValue::NULL,
        }
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(Arg::Null, Arg::Text)
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Arg::Null, Arg::Int)
    }
}

/// Prepares and binds a statement.
pub(crate) fn stmt(
    db: &D1Database,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<D1PreparedStatement, Failure> {
    let values: Vec<JsValue> = args.iter().map(JsValue::from).collect();
    Ok(db.prepare(sql).bind(&values)?)
}

/// The first row of a query, if any.
pub(crate) async fn first<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<Option<T>, Failure> {
    Ok(stmt(db, sql, args)?.first(None).await?)
}

/// Every row of a query.
pub(crate) async fn all<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<Vec<T>, Failure> {
    Ok(stmt(db, sql, args)?.all().await?.results()?)
}

/// Runs a statement and answers how many rows it changed.
pub(crate) async fn changes(
    db: &D1Database,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<usize, Failure> {
    let result = stmt(db, sql, args)?.run().await?;
    Ok(result.meta()?.and_then(|m| m.changes).unwrap_or(0))
}

/// A per-isolate cache whose entries live `ttl_ms`, bounded in size.
///
/// Isolates are single-threaded, so a `RefCell` in a `thread_local!` is the whole story.
/// The bound keeps a flood of distinct keys (valid-checksum garbage, say) from growing
/// memory: when full, the cache is cleared rather than tracking recency.
pub(crate) struct TtlCache<K, V> {
    entries: HashMap<K, (UnixMillis, V)>,
    ttl_ms: UnixMillis,
    max: usize,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub(crate) fn new(ttl_ms: UnixMillis, max: usize) -> Self {
        TtlCache {
            entries: HashMap::new(),
            ttl_ms,
            max,
        }
    }

    pub(crate) fn get(&self, k: &K, now: UnixMillis) -> Option<V> {
        self.entries
            .get(k)
            .filter(|(at, _)| now - *at < self.ttl_ms)
            .map(|(_, v)| v.clone())
    }

    pub(crate) fn put(&mut self, k: K, v: V, now: UnixMillis) {
        if self.entries.len() >= self.max {
            self.entries.clear();
        }
        self.entries.insert(k, (now, v));
    }

    pub(crate) fn remove_where(&mut self, pred: impl Fn(&V) -> bool) {
        self.entries.retain(|_, (_, v)| !pred(v));
    }

    pub(crate) fn remove_key(&mut self, k: &K) {
        self.entries.remove(k);
    }
}
