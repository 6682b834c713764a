//! The request log: one row per decision (key id, route, status, latency, caller class),
//! never the key itself.
//!
//! Rows are written per isolate in batches, never per request: a D1 write on every keyed
//! request cost more than everything else a widget read does (the verifier, the rate limits
//! and a cached view together; BENCHMARKS.md), and a database with one writer should not see
//! one write per page view. The first row buffered schedules a flush [`FLUSH_AFTER_MS`] later
//! in its own request's `wait_until`, so the row is never left in an isolate that may be
//! evicted before some later request flushes it, and every later row joins that flush; a
//! buffer of [`FLUSH_ROWS`] rows is written at once. A flush is one statement whatever the
//! number of rows (the rows travel as one JSON array, `json_each`). Rows older than
//! [`RETENTION_DAYS`] are pruned now and then, so the table cannot grow without bound.
//!
//! The overview's per-day counters ride along: each logged request adds to its outcome's
//! counter, a new ledger entry or an exposure adds to theirs ([`count`]), and the flush folds
//! what the buffered requests counted into one upsert per `(workspace, day, metric)`
//! (`tally_core::stats::Rollup`) in the same D1 batch as their rows.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use tally_core::stats::{self, Metric, Rollup};
use tally_core::time::UnixMillis;
use worker::{Context, Delay, Env};

use crate::store::{self, Arg};

/// Days a row is kept.
pub(crate) const RETENTION_DAYS: i64 = 30;
/// How long the first buffered row waits for others before the flush that writes them all.
pub(crate) const FLUSH_AFTER_MS: u64 = 500;
/// A buffer this long is written at once.
pub(crate) const FLUSH_ROWS: usize = 256;

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

/// A row as the flush sends it: one JSON array per row, in the columns' order.
type RowTuple<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    &'a str,
    u16,
    i64,
    &'a str,
    Option<&'a str>,
    i64,
);

impl LogRow {
    fn as_tuple(&self) -> RowTuple<'_> {
        (
            &self.request_id,
            self.workspace_id.as_deref(),
            self.key_id.as_deref(),
            &self.method,
            self.route,
            self.status,
            self.latency_ms,
            self.caller,
            self.error_code,
            self.created_at,
        )
    }
}

thread_local! {
    static BUFFER: RefCell<Vec<LogRow>> = const { RefCell::new(Vec::new()) };
    static FLUSHES: Cell<u32> = const { Cell::new(0) };
    /// A flush is scheduled (in some request's `wait_until`) and has not yet taken the buffer.
    static SCHEDULED: Cell<bool> = const { Cell::new(false) };
    static COUNTS: RefCell<Rollup> = RefCell::new(Rollup::default());
}

/// Adds `n` to the workspace's overview counter for today. Written with the log row of the
/// request that counted it.
pub(crate) fn count(workspace_id: &str, metric: Metric, n: i64) {
    let now = store::now_ms();
    COUNTS.with(|c| c.borrow_mut().add(workspace_id, now, metric, n));
}

/// Buffers the request's row. The first row of a batch schedules its flush in this
/// request's `wait_until`; a full buffer is written from this request at once.
pub(crate) fn push(row: LogRow, env: &Env, ctx: &Context) {
    if let Some(ws) = &row.workspace_id {
        COUNTS.with(|c| {
            c.borrow_mut()
                .add(ws, row.created_at, Metric::for_status(row.status), 1);
        });
    }
    let buffered = BUFFER.with(|b| {
        let mut b = b.borrow_mut();
        b.push(row);
        b.len()
    });
    if buffered >= FLUSH_ROWS {
        let env = env.clone();
        ctx.wait_until(async move { flush(&env).await });
    } else if !SCHEDULED.with(|s| s.replace(true)) {
        let env = env.clone();
        ctx.wait_until(async move {
            Delay::from(Duration::from_millis(FLUSH_AFTER_MS)).await;
            // No await between these two lines: a row pushed after them schedules the next
            // flush, a row pushed before them is taken by this one.
            SCHEDULED.with(|s| s.set(false));
            flush(&env).await;
        });
    }
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
    let mut statements = Vec::with_capacity(counts.len() + 3);
    if !rows.is_empty() {
        let json = serde_json::to_string(&rows.iter().map(LogRow::as_tuple).collect::<Vec<_>>())
            .map_err(|_| crate::error::Failure::from(tally_core::ErrorCode::Internal))?;
        statements.push(store::stmt(
            &db,
            "INSERT INTO request_logs (request_id, workspace_id, key_id, method, route, status, latency_ms, caller, error_code, created_at) \
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9 \
             FROM json_each(?1) ORDER BY key",
            &[Arg::Text(&json)],
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
