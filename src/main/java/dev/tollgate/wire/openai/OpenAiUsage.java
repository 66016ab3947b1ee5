package dev.tollgate.wire.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.Usage;

/** OpenAI's {@code usage} object, in either of its shapes. */
final class OpenAiUsage {
  private OpenAiUsage() {}

  /**
   * chat/completions/embeddings ({@code prompt_tokens}, {@code completion_tokens}) or responses
   * ({@code input_tokens}, {@code output_tokens}). Null when the node carries no usage.
   */
  static Usage read(JsonNode usage) {
    if (usage == null || !usage.isObject()) return null;
    if (usage.has("input_tokens") || usage.has("output_tokens")) {
      return new Usage(
          usage.path("input_tokens").asLong(0),
          usage.path("output_tokens").asLong(0),
          usage.path("input_tokens_details").path("cached_tokens").asLong(0),
          usage.path("output_tokens_details").path("reasoning_tokens").asLong(0));
    }
    if (!usage.has("prompt_tokens") && !usage.has("completion_tokens")) return null;
    return new Usage(
        usage.path("prompt_tokens").asLong(0),
        usage.path("completion_tokens").asLong(0),
        usage.path("prompt_tokens_details").path("cached_tokens").asLong(0),
        usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
  }
}
