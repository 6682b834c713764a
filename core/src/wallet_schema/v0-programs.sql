-- A wallet made from 2026-12-01 (56c7745): the programs' tables, and the email column
-- added on waking. Run after v0-ledger.sql.
CREATE TABLE IF NOT EXISTS stamp_entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  card_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('add', 'redeem', 'expire')),
  count INTEGER NOT NULL CHECK (count > 0),
  count_after INTEGER NOT NULL CHECK (count_after >= 0),
  rewards_after INTEGER NOT NULL CHECK (rewards_after >= 0),
  reason TEXT,
  idempotency_key TEXT UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stamp_entries_card ON stamp_entries (card_id, seq);
CREATE TRIGGER IF NOT EXISTS stamp_entries_immutable BEFORE UPDATE ON stamp_entries
BEGIN SELECT RAISE(ABORT, 'stamp entries are immutable'); END;
CREATE TRIGGER IF NOT EXISTS stamp_entries_append_only BEFORE DELETE ON stamp_entries
BEGIN SELECT RAISE(ABORT, 'stamp entries are append-only'); END;
CREATE TABLE IF NOT EXISTS cashback_entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  direction TEXT NOT NULL CHECK (direction IN ('credit', 'debit')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  reason TEXT,
  idempotency_key TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS cashback_entries_immutable BEFORE UPDATE ON cashback_entries
BEGIN SELECT RAISE(ABORT, 'cashback entries are immutable'); END;
CREATE TRIGGER IF NOT EXISTS cashback_entries_append_only BEFORE DELETE ON cashback_entries
BEGIN SELECT RAISE(ABORT, 'cashback entries are append-only'); END;
CREATE TABLE IF NOT EXISTS claims (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  program TEXT NOT NULL CHECK (program IN ('coins', 'stamps', 'cashback')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  card_id TEXT,
  currency TEXT,
  evidence TEXT NOT NULL,
  rejection_reason TEXT,
  idempotency_key TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  decided_at INTEGER
);
CREATE TRIGGER IF NOT EXISTS claims_close_once BEFORE UPDATE ON claims WHEN OLD.status <> 'pending'
BEGIN SELECT RAISE(ABORT, 'a closed claim never changes'); END;
CREATE TRIGGER IF NOT EXISTS claims_kept BEFORE DELETE ON claims
BEGIN SELECT RAISE(ABORT, 'claims are kept'); END;
ALTER TABLE profile ADD COLUMN email TEXT;
