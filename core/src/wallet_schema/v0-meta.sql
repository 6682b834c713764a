-- A wallet made from a2db2cd (read-your-writes): the version of its data. Run after
-- v0-programs.sql.
CREATE TABLE IF NOT EXISTS meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL CHECK (version >= 0)
);
