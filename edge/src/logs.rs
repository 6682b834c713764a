//! The request log: one row per decision (key id, route, status, latency, caller class),
//! never the key itself.
//!
//! Each request's row is written from that request's own `wait_until`, so logging never
//! delays a response and a row is never left in an isolate that may be evicted before some
//! later request flushes it. Rows of requests that finish while a write is being prepared are
//! taken along in the same D1 batch (batching across requests only while they are in flight):
//! the flush takes the whole buffer, and the other requests' flushes find it empty. Rows
//! older than [`RETENTION_DAYS`] are pruned now and then, so the table cannot grow without
//! bound.
//!
//! The overview's per-day counters ride along: each logged request adds to its outcome's
//! counter, a new ledger entry or an exposure adds to theirs ([`count`]), and the flush folds
//! what the requests in flight counted into one upsert per `(workspace, day, metric)`
//! (`tally_core::stats::Rollup`) in the same D1 batch as their rows.

use std::cell::{Cell, RefCell};

use tally_core::stats::{self, Metric, Rollup};
use tally_core::time::UnixMillis;
use worker::{Context, Env};

use crate::store::{self, Arg};

/// Days a row is kept.
pub(crate) const RETENTION_DAYS: i64 = 30;

/// One logged decision.
#[derive(Debug, Clone)]
pub(crate) struct LogRow {
    pub(crate) request_id: String,
    pub(crate) workspace_id: Option<String>,
    pub(crate) key_id: Option<String>,
    pub(crate) method: String,
    pub(crate) route: &'static str,
    pub(crate) status: u16,
    pub(crate) latency_ms: i64,
    pub(crate) caller: &'static str,
    pub(crate) error_code: Option<&'static str>,
    pub(crate) created_at: UnixMillis,
}

thread_local! {
    static BUFFER: RefCell<Vec<LogRow>> = const { RefCell::new(Vec::new()) };
    static FLUSHES: Cell<u32> = const { Cell::new(0) };
    static COUNTS: RefCell<Rollup> = RefCell::new(Rollup::default());
}

/// Adds `n` to the workspace's overview counter for today. Written with the log row of the
/// request that counted it.
pub(crate) fn count(workspace_id: &str, metric: Metric, n: i64) {
    let now = store::now_ms();
    COUNTS.with(|c| c.borrow_mut().add(workspace_id, now, metric, n));
}

/// Buffers the request's row and writes it (with any other waiting rows) from this
/// request's own `wait_until`.
pub(crate) fn push(row: LogRow, env: &Env, ctx: &Context) {
    if let Some(ws) = &row.workspace_id {
        COUNTS.with(|c| {
            c.borrow_mut()
                .add(ws, row.created_at, Metric::for_status(row.status), 1);
        });
    }
    BUFFER.with(|b| b.borrow_mut().push(row));
    let env = env.clone();
    ctx.wait_until(async move { flush(&env).await });
}

async fn flush(env: &Env) {
    let rows = BUFFER.with(|b| std::mem::take(&mut *b.borrow_mut()));
    let counts = COUNTS.with(|c| c.borrow_mut().take());
    if rows.is_empty() && counts.is_empty() {
        return;
    }
    if let Err(e) = write(env, &rows, &counts).await {
        worker::console_error!(
            "request log: {} rows and {} counters not written: {}",
            rows.len(),
            counts.len(),
            e.error.message
        );
    }
}

async fn write(
    env: &Env,
    rows: &[LogRow],
    counts: &[(String, String, Metric, i64)],
) -> Result<(), crate::error::Failure> {
    let db = store::db(env)?;
    let mut statements = Vec::with_capacity(rows.len() + counts.len() + 3);
    for r in rows {
        statements.push(store::stmt(
            &db,
            "INSERT INTO request_logs (request_id, workspace_id, key_id, method, route, status, latency_ms, caller, error_code, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            &[
                Arg::Text(&r.request_id),
                r.workspace_id.as_deref().into(),
                r.key_id.as_deref().into(),
                Arg::Text(&r.method),
                Arg::Text(r.route),
                Arg::Int(i64::from(r.status)),
                Arg::Int(r.latency_ms),
                Arg::Text(r.caller),
                r.error_code.into(),
                Arg::Int(r.created_at),
            ],
        )?);
    }
    for (workspace, day, metric, n) in counts {
        statements.push(store::stmt(
            &db,
            "INSERT INTO daily_stats (workspace_id, day, metric, n) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (workspace_id, day, metric) DO UPDATE SET n = n + excluded.n",
            &[
                Arg::Text(workspace),
                Arg::Text(day),
                Arg::Text(metric.as_str()),
                Arg::Int(*n),
            ],
        )?);
    }
    // Prune about once every hundred flushes.
    let n = FLUSHES.with(|f| {
        let n = f.get().wrapping_add(1);
        f.set(n);
        n
    });
    if n % 100 == 1 {
        let cutoff = store::now_ms() - RETENTION_DAYS * 86_400_000;
        statements.push(store::stmt(
            &db,
            "DELETE FROM request_logs WHERE created_at < ?1",
            &[Arg::Int(cutoff)],
        )?);
        let oldest_day = stats::day(store::now_ms() - stats::RETENTION_DAYS * 86_400_000);
        statements.push(store::stmt(
            &db,
            "DELETE FROM daily_stats WHERE day < ?1",
            &[Arg::Text(&oldest_day)],
        )?);
    }
    db.batch(statements).await?;
    Ok(())
}
