-- Tally control and index data (D1). Coin ledgers live in Durable Objects, not here.
-- Times are Unix milliseconds unless a column says otherwise.

CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
  exposure_action TEXT NOT NULL DEFAULT 'alert' CHECK (exposure_action IN ('alert', 'alert_and_revoke')),
  coin_label TEXT NOT NULL DEFAULT 'coins',
  referral_url TEXT NOT NULL DEFAULT '',
  referral_reward_coins INTEGER NOT NULL DEFAULT 0 CHECK (referral_reward_coins >= 0),
  referral_reward_text TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);

-- Keys are stored as SHA-256 only (key_hash, hex); last4 is for display (prod_sk_…wxyz).
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  environment TEXT NOT NULL CHECK (environment IN ('test', 'prod')),
  kind TEXT NOT NULL CHECK (kind IN ('publishable', 'secret')),
  key_hash TEXT NOT NULL UNIQUE CHECK (length(key_hash) = 64),
  last4 TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  access TEXT NOT NULL CHECK (access IN ('read_only', 'full_access', 'custom')),
  scopes TEXT NOT NULL,
  allowed_origins TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  created_by TEXT,
  expires_at INTEGER,
  last_used_at INTEGER,
  revoked_at INTEGER,
  -- A publishable key never holds a write scope, whatever writes the row.
  CHECK (kind = 'secret' OR scopes NOT LIKE '%_write%')
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id, environment);

-- HMAC keys for customer tokens; retires_at (Unix seconds) ends a rolled secret's overlap.
CREATE TABLE identity_secrets (
  workspace_id TEXT NOT NULL REFERENCES workspaces (id),
  environment TEXT NOT NULL CHECK (environment IN ('test', 'prod')),
  kid TEXT NOT NULL,
  secret TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retires_at INTEGER,
  PRIMARY KEY (workspace_id, environment, kid)
);

CREATE TABLE referral_codes (
  workspace_id TEXT NOT NULL,
  environment TEXT NOT NULL,
  code TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, environment, code)
);
CREATE UNIQUE INDEX referral_codes_customer ON referral_codes (workspace_id, environment, customer_id);

-- One row per referee: a customer is referred once.
CREATE TABLE referrals (
  workspace_id TEXT NOT NULL,
  environment TEXT NOT NULL,
  referee_id TEXT NOT NULL,
  referrer_id TEXT NOT NULL,
  code TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, environment, referee_id)
);
CREATE INDEX referrals_referrer ON referrals (workspace_id, environment, referrer_id);

CREATE TABLE exposures (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('browser', 'url')),
  origin TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  route TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  count INTEGER NOT NULL DEFAULT 1,
  UNIQUE (key_id, kind, origin, ip, user_agent)
);
CREATE INDEX exposures_workspace ON exposures (workspace_id, last_seen);

CREATE TABLE request_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL,
  workspace_id TEXT,
  key_id TEXT,
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  status INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL,
  caller TEXT NOT NULL,
  error_code TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX request_logs_workspace ON request_logs (workspace_id, created_at);
CREATE INDEX request_logs_key ON request_logs (key_id, created_at);
CREATE INDEX request_logs_created ON request_logs (created_at);
