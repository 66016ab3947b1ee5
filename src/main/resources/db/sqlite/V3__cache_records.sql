-- Answers served from the response cache (a hit) or from an identical request in flight (coalesced) are
-- records of their own kind: no upstream tokens, no cost, and what they saved kept apart.
ALTER TABLE usage_records ADD COLUMN cache_status TEXT;
ALTER TABLE usage_records ADD COLUMN saved_prompt_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_records ADD COLUMN saved_completion_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_records ADD COLUMN saved_cost_nano INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_rollups ADD COLUMN cache_hits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_rollups ADD COLUMN saved_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_rollups ADD COLUMN saved_cost_nano INTEGER NOT NULL DEFAULT 0;
