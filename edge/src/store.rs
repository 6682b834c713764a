//! Shared storage plumbing: the D1 handle, argument binding and the clock. (Isolate caches
//! are `tally_core::cache::Lru`.)

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
#[derive(Clone, Copy)]
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

/// Runs `write`, then `read` in the same D1 batch (one round trip, one transaction), and
/// answers the first row `read` finds: "insert unless present, then the row that is there".
pub(crate) async fn write_then_first<T: DeserializeOwned>(
    db: &D1Database,
    write: D1PreparedStatement,
    read: D1PreparedStatement,
) -> Result<Option<T>, Failure> {
    let results = db.batch(vec![write, read]).await?;
    Ok(results
        .get(1)
        .map(|r| r.results::<T>())
        .transpose()?
        .and_then(|rows| rows.into_iter().next()))
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
