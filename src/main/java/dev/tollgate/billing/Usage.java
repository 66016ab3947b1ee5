package dev.tollgate.billing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Tokens one request used, by kind. {@code cachedTokens} are part of {@code promptTokens} and
 * {@code reasoningTokens} part of {@code completionTokens}, as the providers report them.
 */
public record Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens) {
  public static final Usage ZERO = new Usage(0, 0, 0, 0);

  public long totalTokens() {
    return promptTokens + completionTokens;
  }

  /**
   * Reads a provider's {@code usage} object in either of OpenAI's shapes: chat/completions/
   * embeddings ({@code prompt_tokens}, {@code completion_tokens}) or responses
   * ({@code input_tokens}, {@code output_tokens}). Null when the node carries no usage.
   */
  public static Usage from(JsonNode usage) {
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
