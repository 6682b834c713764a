//! A wallet's SQLite schema (the wallet Durable Object's storage) and the steps that bring a
//! wallet of any earlier schema to the current one, as data: the edge runs [`STEPS`] in a
//! wallet whose recorded version is below [`VERSION`] (`edge/src/wallet`), and the tests here
//! run the same steps in SQLite on the schemas wallets were made with before, so an upgrade is
//! proven on real storage before any wallet meets it.
//!
//! A change to the schema is a new step (a script of `IF NOT EXISTS` statements, or a column
//! added when missing) and one more [`VERSION`]: every step is idempotent, so a wallet of any
//! earlier version, or a new one, ends with the same tables.

/// The version [`STEPS`] bring a wallet to, recorded in its `schema_version` table.
pub const VERSION: i64 = 1;

/// The coin ledger, the shopper's profile and referrals, the version of the wallet's data
/// (`meta`) and of its schema (`schema_version`).
pub const LEDGER: &str = "
CREATE TABLE IF NOT EXISTS profile (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  customer_id TEXT NOT NULL,
  name TEXT,
  referral_code TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  direction TEXT NOT NULL CHECK (direction IN ('credit', 'debit')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
  reason TEXT,
  idempotency_key TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS entries_immutable BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
CREATE TRIGGER IF NOT EXISTS entries_append_only BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TABLE IF NOT EXISTS referrals (
  referee_id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL CHECK (version >= 0)
);
CREATE TABLE IF NOT EXISTS schema_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  v INTEGER NOT NULL
);
";

/// The programs of seed 001: stamp cards, cashback and claims, next to the coin ledger.
/// Entries are immutable like coins'; a claim changes once, from `pending`, and never again.
pub const PROGRAMS: &str = "
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
";

/// One step of the upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Statements run as one script; each must be idempotent (`IF NOT EXISTS`).
    Script(&'static str),
    /// `ALTER TABLE <table> ADD COLUMN <column> <definition>` when [`column_count`] finds no
    /// such column (SQLite has no `ADD COLUMN IF NOT EXISTS`).
    AddColumn {
        /// The table.
        table: &'static str,
        /// The column's name.
        column: &'static str,
        /// Its type and constraints, as `ADD COLUMN` takes them.
        definition: &'static str,
    },
}

/// Every step, in order.
pub const STEPS: &[Step] = &[
    Step::Script(LEDGER),
    Step::Script(PROGRAMS),
    // Wallets made before members had an email.
    Step::AddColumn {
        table: "profile",
        column: "email",
        definition: "TEXT",
    },
];

/// How many columns named `?2` table `?1` has (0 or 1), as `n`.
pub const COLUMN_COUNT: &str = "SELECT COUNT(*) AS n FROM pragma_table_info(?1) WHERE name = ?2";

/// The wallet's schema version, as `n`; the statement fails on a wallet made before the
/// version was recorded (no table): version 0.
pub const READ_VERSION: &str = "SELECT v AS n FROM schema_version WHERE id = 1";

/// Records the version (`?1`) once every step has run.
pub const RECORD_VERSION: &str = "INSERT INTO schema_version (id, v) VALUES (1, ?1) \
     ON CONFLICT (id) DO UPDATE SET v = excluded.v";

/// What an upgrade needs of a wallet's storage: the Durable Object's SQL in the edge,
/// SQLite in the tests here.
pub trait Storage {
    /// The storage's error.
    type Error;
    /// Runs statements without arguments.
    fn run(&self, sql: &str) -> Result<(), Self::Error>;
    /// How many columns named `column` table `table` has ([`COLUMN_COUNT`]).
    fn column_count(&self, table: &str, column: &str) -> Result<i64, Self::Error>;
    /// Records `version` as the storage's schema version ([`RECORD_VERSION`]).
    fn record_version(&self, version: i64) -> Result<(), Self::Error>;
}

/// Runs every step, then records [`VERSION`]; the first failure stops it before the
/// version is recorded, so the steps run again on the wallet's next waking.
pub fn upgrade<S: Storage>(storage: &S) -> Result<(), S::Error> {
    for step in STEPS {
        match step {
            Step::Script(sql) => storage.run(sql)?,
            Step::AddColumn {
                table,
                column,
                definition,
            } => {
                if storage.column_count(table, column)? == 0 {
                    storage.run(&format!(
                        "ALTER TABLE {table} ADD COLUMN {column} {definition}"
                    ))?;
                }
            }
        }
    }
    storage.record_version(VERSION)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rusqlite::Connection;
    use sha2::{Digest, Sha256};

    /// The schemas wallets were made with before the version was recorded, oldest first;
    /// each builds on the one before.
    const EARLIER: &[(&str, &str)] = &[
        ("ledger", include_str!("wallet_schema/v0-ledger.sql")),
        ("programs", include_str!("wallet_schema/v0-programs.sql")),
        ("meta", include_str!("wallet_schema/v0-meta.sql")),
    ];

    impl Storage for Connection {
        type Error = rusqlite::Error;
        fn run(&self, sql: &str) -> Result<(), rusqlite::Error> {
            self.execute_batch(sql)
        }
        fn column_count(&self, table: &str, column: &str) -> Result<i64, rusqlite::Error> {
            self.query_row(COLUMN_COUNT, (table, column), |r| r.get(0))
        }
        fn record_version(&self, version: i64) -> Result<(), rusqlite::Error> {
            self.execute(RECORD_VERSION, [version]).map(|_| ())
        }
    }

    fn upgrade(db: &Connection) {
        super::upgrade(db).unwrap();
    }

    fn version(db: &Connection) -> i64 {
        db.query_row(READ_VERSION, [], |r| r.get(0)).unwrap_or(0)
    }

    /// Every table, index and trigger with its SQL, and every table's columns: what a wallet's
    /// code can rely on.
    fn shape(db: &Connection) -> Vec<String> {
        let mut out = Vec::new();
        let mut objects = db
            .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
            .unwrap();
        let rows = objects
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .unwrap();
        for row in rows {
            let (kind, name, sql) = row.unwrap();
            if kind == "table" {
                let mut columns = db
                    .prepare(
                        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1)",
                    )
                    .unwrap();
                let cols = columns
                    .query_map([&name], |r| {
                        Ok(format!(
                            "{}:{}:{}:{:?}:{}",
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, Option<String>>(3)?,
                            r.get::<_, i64>(4)?
                        ))
                    })
                    .unwrap()
                    .collect::<Result<Vec<_>, _>>()
                    .unwrap();
                out.push(format!("table {name}: {}", cols.join(", ")));
                // A column added by ALTER TABLE shows in the table's SQL text too; the
                // columns above are what matters, so the text is not compared for tables.
            } else {
                out.push(format!("{kind} {name}: {}", sql.unwrap_or_default()));
            }
        }
        out
    }

    fn new_wallet() -> Connection {
        let db = Connection::open_in_memory().unwrap();
        upgrade(&db);
        db
    }

    /// A wallet of the `n` first earlier schemas, with a shopper's rows in it.
    fn earlier_wallet(n: usize) -> Connection {
        let db = Connection::open_in_memory().unwrap();
        for (_, sql) in &EARLIER[..n] {
            db.execute_batch(sql).unwrap();
        }
        db.execute_batch(
            "INSERT INTO profile (id, customer_id, name, referral_code, created_at, updated_at)
               VALUES (1, 'cus_1', 'Ada', 'CODE', 1, 2);
             INSERT INTO entries (id, direction, amount, balance_after, reason, idempotency_key, created_at)
               VALUES ('le_1', 'credit', 100, 100, 'welcome', 'k1', 3),
                      ('le_2', 'debit', 30, 70, NULL, 'k2', 4);
             INSERT INTO referrals (referee_id, created_at) VALUES ('cus_2', 5);",
        )
        .unwrap();
        if n >= 2 {
            db.execute_batch(
                "INSERT INTO stamp_entries (id, card_id, kind, count, count_after, rewards_after, created_at)
                   VALUES ('se_1', 'card_1', 'add', 2, 2, 0, 6);
                 UPDATE profile SET email = 'ada@example.com';",
            )
            .unwrap();
        }
        if n >= 3 {
            db.execute_batch("INSERT INTO meta (id, version) VALUES (1, 3);")
                .unwrap();
        }
        db
    }

    #[test]
    fn every_earlier_wallet_upgrades_to_a_new_wallets_schema_and_keeps_its_rows() {
        let want = shape(&new_wallet());
        for n in 1..=EARLIER.len() {
            let db = earlier_wallet(n);
            assert_eq!(version(&db), 0, "a wallet of schema {}", EARLIER[n - 1].0);
            upgrade(&db);
            assert_eq!(shape(&db), want, "a wallet of schema {}", EARLIER[n - 1].0);
            assert_eq!(version(&db), VERSION);
            let (balance, entries): (i64, i64) = db
                .query_row(
                    "SELECT (SELECT balance_after FROM entries ORDER BY seq DESC LIMIT 1), COUNT(*) FROM entries",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert_eq!((balance, entries), (70, 2));
            let (name, email): (String, Option<String>) = db
                .query_row("SELECT name, email FROM profile", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .unwrap();
            assert_eq!(name, "Ada");
            assert_eq!(email.is_some(), n >= 2);
            let referrals: i64 = db
                .query_row("SELECT COUNT(*) FROM referrals", [], |r| r.get(0))
                .unwrap();
            assert_eq!(referrals, 1);
        }
    }

    #[test]
    fn upgrading_twice_changes_nothing_more() {
        for n in 0..=EARLIER.len() {
            let db = if n == 0 {
                new_wallet()
            } else {
                earlier_wallet(n)
            };
            upgrade(&db);
            let once = shape(&db);
            upgrade(&db);
            assert_eq!(shape(&db), once);
            assert_eq!(version(&db), VERSION);
        }
    }

    #[test]
    fn an_upgraded_ledger_is_still_append_only() {
        let db = earlier_wallet(1);
        upgrade(&db);
        let update = db.execute("UPDATE entries SET amount = 1", []);
        assert!(update.unwrap_err().to_string().contains("immutable"));
        let delete = db.execute("DELETE FROM entries", []);
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        let overdraft = db.execute(
            "INSERT INTO entries (id, direction, amount, balance_after, idempotency_key, created_at)
               VALUES ('le_3', 'debit', 100, -30, 'k3', 7)",
            [],
        );
        assert!(overdraft.is_err());
    }

    /// The steps' digest, pinned with the version: a change to the schema that does not come
    /// with a new VERSION would reach no wallet that has already recorded this one.
    #[test]
    fn a_changed_schema_comes_with_a_new_version() {
        let mut h = Sha256::new();
        for step in STEPS {
            h.update(format!("{step:?}\n").as_bytes());
        }
        let digest: String = h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            (VERSION, digest.as_str()),
            (1, "3e24b77ec182f272"),
            "the wallet schema's steps changed: add a step (never edit one a wallet has run), \
             raise VERSION, and pin the new (VERSION, digest) here"
        );
    }
}
