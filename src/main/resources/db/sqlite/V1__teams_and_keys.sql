-- Teams and their keys. Times are epoch milliseconds (UTC); budgets in nano-USD (1e-9 dollars).
CREATE TABLE teams (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  budget_nano   INTEGER,
  budget_period TEXT,
  rpm           INTEGER,
  tpm           INTEGER,
  concurrent    INTEGER,
  models        TEXT NOT NULL,
  metadata      TEXT NOT NULL,
  seeded        BOOLEAN NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

CREATE TABLE team_keys (
  id           TEXT PRIMARY KEY,
  team_id      TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  hash         TEXT NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  expires_at   INTEGER,
  models       TEXT NOT NULL,
  rpm          INTEGER,
  tpm          INTEGER,
  concurrent   INTEGER,
  revoked      BOOLEAN NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX team_keys_team ON team_keys (team_id);

-- One row whose version goes up on every change to teams or keys: replicas poll it to refresh.
CREATE TABLE store_version (id INTEGER PRIMARY KEY, version INTEGER NOT NULL);
INSERT INTO store_version (id, version) VALUES (1, 0);
