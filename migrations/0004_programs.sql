-- Seed 001's programs (stamp cards, cashback, the catalogue, claims, members). The ledgers
-- themselves live in each shopper's wallet Durable Object; D1 holds what the workspace
-- defines (programs, cards, rewards) and the indexes that list across shoppers (customers,
-- claims). Times are Unix milliseconds.

-- Which programs a workspace runs, per environment. No row: the default (coins on, the
-- workspace's coin label; stamps and cashback off, EUR). The coin label stays on
-- `workspaces`. `currency_locked_at` is set by the first cashback write: from then on the
-- currency cannot change, since amounts are never converted.
CREATE TABLE IF NOT EXISTS programs (
  workspace_id TEXT NOT NULL,
  environment TEXT NOT NULL CHECK (environment IN ('test', 'prod')),
  coins_enabled INTEGER NOT NULL DEFAULT 1 CHECK (coins_enabled IN (0, 1)),
  stamps_enabled INTEGER NOT NULL DEFAULT 0 CHECK (stamps_enabled IN (0, 1)),
  cashback_enabled INTEGER NOT NULL DEFAULT 0 CHECK (cashback_enabled IN (0, 1)),
  currency TEXT NOT NULL DEFAULT 'EUR' CHECK (length(currency) = 3),
  currency_locked_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, environment)
) WITHOUT ROWID;

-- Stamp cards the workspace defines.
CREATE TABLE IF NOT EXISTS cards (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  environment TEXT NOT NULL CHECK (environment IN ('test', 'prod')),
  name TEXT NOT NULL,
  required INTEGER NOT NULL CHECK (required BETWEEN 1 AND 100),
  reward TEXT NOT NULL,
  stamp_expiry_days INTEGER CHECK (stamp_expiry_days IS NULL OR stamp_expiry_days BETWEEN 1 AND 3650),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cards_workspace ON cards (workspace_id, environment, created_at);

-- The rewards catalogue: what coins or a card's stamps buy.
CREATE TABLE IF NOT EXISTS rewards (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  environment TEXT NOT NULL CHECK (environment IN ('test', 'prod')),
  name TEXT NOT NULL,
  description TEXT,
  program TEXT NOT NULL CHECK (program IN ('coins', 'stamps')),
  cost INTEGER NOT NULL CHECK (cost > 0),
  card_id TEXT,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((program = 'stamps') = (card_id IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS rewards_workspace ON rewards (workspace_id, environment, created_at);

-- The claims queue. The wallet holds each claim's truth and closes it in the same
-- transaction as its credit; this row is the copy that lists claims across shoppers,
-- written after the wallet answers (and rewritten by any retry).
CREATE TABLE IF NOT EXISTS claims (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  environment TEXT NOT NULL CHECK (environment IN ('test', 'prod')),
  customer_id TEXT NOT NULL,
  program TEXT NOT NULL CHECK (program IN ('coins', 'stamps', 'cashback')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  card_id TEXT,
  currency TEXT,
  evidence TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  rejection_reason TEXT,
  created_at INTEGER NOT NULL,
  decided_at INTEGER
);
CREATE INDEX IF NOT EXISTS claims_queue ON claims (workspace_id, environment, status, created_at);
CREATE INDEX IF NOT EXISTS claims_all ON claims (workspace_id, environment, created_at);

-- Every shopper a workspace has, for `GET /v1/customers`: written when a customer is
-- created or renamed, and when a wallet write meets a shopper for the first time.
CREATE TABLE IF NOT EXISTS customers (
  workspace_id TEXT NOT NULL,
  environment TEXT NOT NULL CHECK (environment IN ('test', 'prod')),
  id TEXT NOT NULL,
  name TEXT,
  email TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, environment, id)
);
-- Newest first by rowid, which an upsert keeps: the list's cursor.
CREATE INDEX IF NOT EXISTS customers_listed ON customers (workspace_id, environment);
