-- The ledger: one append-only record per admitted request, and rollups per team x key x model per
-- hour and per day (bucket 'hour' or 'day', start_ms the bucket's UTC start). Cost in nano-USD.
CREATE TABLE usage_records (
  id                TEXT PRIMARY KEY,
  request_id        TEXT NOT NULL,
  ts                INTEGER NOT NULL,
  team_id           TEXT NOT NULL,
  key_id            TEXT NOT NULL,
  model_requested   TEXT NOT NULL,
  model             TEXT NOT NULL,
  upstream_model    TEXT,
  provider          TEXT,
  endpoint          TEXT NOT NULL,
  stream            BOOLEAN NOT NULL,
  prompt_tokens     INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  cached_tokens     INTEGER NOT NULL,
  reasoning_tokens  INTEGER NOT NULL,
  cost_nano         INTEGER NOT NULL,
  priced            BOOLEAN NOT NULL,
  estimated         BOOLEAN NOT NULL,
  cache_hit         BOOLEAN NOT NULL,
  status            INTEGER NOT NULL,
  latency_ms        INTEGER NOT NULL,
  ttft_ms           INTEGER,
  end_user          TEXT
);
CREATE INDEX usage_records_ts ON usage_records (ts);
CREATE INDEX usage_records_team_ts ON usage_records (team_id, ts);
CREATE INDEX usage_records_request ON usage_records (request_id);

CREATE TABLE usage_rollups (
  bucket            TEXT NOT NULL,
  start_ms          INTEGER NOT NULL,
  team_id           TEXT NOT NULL,
  key_id            TEXT NOT NULL,
  model             TEXT NOT NULL,
  requests          INTEGER NOT NULL,
  prompt_tokens     INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  cached_tokens     INTEGER NOT NULL,
  reasoning_tokens  INTEGER NOT NULL,
  cost_nano         INTEGER NOT NULL,
  estimated         INTEGER NOT NULL,
  errors            INTEGER NOT NULL,
  PRIMARY KEY (bucket, start_ms, team_id, key_id, model)
);
CREATE INDEX usage_rollups_team ON usage_rollups (bucket, team_id, start_ms);
