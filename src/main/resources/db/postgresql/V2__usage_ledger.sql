-- The ledger: one append-only record per admitted request, and rollups per team x key x model per
-- hour and per day (bucket 'hour' or 'day', start_ms the bucket's UTC start). Cost in nano-USD.
-- Records are partitioned by month on ts, so the table stays fast as it grows and retention drops
-- whole partitions; the ledger writer creates each month's partition before writing into it.
CREATE TABLE usage_records (
  id                TEXT NOT NULL,
  request_id        TEXT NOT NULL,
  ts                BIGINT NOT NULL,
  team_id           TEXT NOT NULL,
  key_id            TEXT NOT NULL,
  model_requested   TEXT NOT NULL,
  model             TEXT NOT NULL,
  upstream_model    TEXT,
  provider          TEXT,
  endpoint          TEXT NOT NULL,
  stream            BOOLEAN NOT NULL,
  prompt_tokens     BIGINT NOT NULL,
  completion_tokens BIGINT NOT NULL,
  cached_tokens     BIGINT NOT NULL,
  reasoning_tokens  BIGINT NOT NULL,
  cost_nano         BIGINT NOT NULL,
  priced            BOOLEAN NOT NULL,
  estimated         BOOLEAN NOT NULL,
  cache_hit         BOOLEAN NOT NULL,
  status            INTEGER NOT NULL,
  latency_ms        BIGINT NOT NULL,
  ttft_ms           BIGINT,
  end_user          TEXT,
  PRIMARY KEY (id, ts)
) PARTITION BY RANGE (ts);
CREATE INDEX usage_records_team_ts ON usage_records (team_id, ts);
CREATE INDEX usage_records_request ON usage_records (request_id);

CREATE TABLE usage_rollups (
  bucket            TEXT NOT NULL,
  start_ms          BIGINT NOT NULL,
  team_id           TEXT NOT NULL,
  key_id            TEXT NOT NULL,
  model             TEXT NOT NULL,
  requests          BIGINT NOT NULL,
  prompt_tokens     BIGINT NOT NULL,
  completion_tokens BIGINT NOT NULL,
  cached_tokens     BIGINT NOT NULL,
  reasoning_tokens  BIGINT NOT NULL,
  cost_nano         BIGINT NOT NULL,
  estimated         BIGINT NOT NULL,
  errors            BIGINT NOT NULL,
  PRIMARY KEY (bucket, start_ms, team_id, key_id, model)
);
CREATE INDEX usage_rollups_team ON usage_rollups (bucket, team_id, start_ms);
