-- The dashboard overview's per-day counters, fed from the write path (edge/src/logs.rs):
-- each request's outcome, coins of new ledger entries, exposures. One row per workspace, UTC
-- day and metric, upserted with `n = n + excluded.n`; read by primary key for the last 30
-- days; pruned after 90.
CREATE TABLE IF NOT EXISTS daily_stats (
  workspace_id TEXT NOT NULL,
  day TEXT NOT NULL,
  metric TEXT NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, day, metric)
) WITHOUT ROWID;

-- The prune's range (every workspace's rows older than 90 days).
CREATE INDEX IF NOT EXISTS daily_stats_day ON daily_stats (day);
