-- Answers served from the response cache (a hit) or from an identical request in flight (coalesced) are
-- records of their own kind: no upstream tokens, no cost, and what they saved kept apart.
ALTER TABLE usage_records ADD COLUMN cache_status TEXT;
ALTER TABLE usage_records ADD COLUMN saved_prompt_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_records ADD COLUMN saved_completion_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_records ADD COLUMN saved_cost_nano BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_rollups ADD COLUMN cache_hits BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_rollups ADD COLUMN saved_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_rollups ADD COLUMN saved_cost_nano BIGINT NOT NULL DEFAULT 0;
