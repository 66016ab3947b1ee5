-- Input tokens written to a provider's prompt cache (Anthropic's cache_creation_input_tokens): part of the prompt,
-- priced apart (prices.yaml: cache-write).
ALTER TABLE usage_records ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_rollups ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0;
