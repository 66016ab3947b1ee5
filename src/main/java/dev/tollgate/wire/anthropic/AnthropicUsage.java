package dev.tollgate.wire.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.Usage;

/**
 * Anthropic's {@code usage}: {@code input_tokens} counts only the prompt tokens after the last cache
 * breakpoint; tokens read from the prompt cache ({@code cache_read_input_tokens}) and written to it
 * ({@code cache_creation_input_tokens}) come on top. The gateway's prompt tokens are all three.
 */
public final class AnthropicUsage {
  private AnthropicUsage() {}

  /** Null when the node carries no usage. */
  public static Usage read(JsonNode usage) {
    if (usage == null || !usage.isObject() || !(usage.has("input_tokens") || usage.has("output_tokens"))) return null;
    long read = usage.path("cache_read_input_tokens").asLong(0);
    long written = usage.path("cache_creation_input_tokens").asLong(0);
    return new Usage(usage.path("input_tokens").asLong(0) + read + written, usage.path("output_tokens").asLong(0), read, 0, written);
  }

  /**
   * The usage so far after a {@code message_delta}: its counts replace those reported before ({@code output_tokens}
   * always; input and cache counts when it carries them, as newer API versions do).
   */
  static Usage update(Usage before, JsonNode delta) {
    if (delta == null || !delta.isObject()) return before;
    Usage b = before == null ? Usage.ZERO : before;
    long read = delta.hasNonNull("cache_read_input_tokens") ? delta.path("cache_read_input_tokens").asLong(0) : b.cachedTokens();
    long written = delta.hasNonNull("cache_creation_input_tokens") ? delta.path("cache_creation_input_tokens").asLong(0)
        : b.cacheWriteTokens();
    long input = delta.hasNonNull("input_tokens") ? delta.path("input_tokens").asLong(0)
        : b.promptTokens() - b.cachedTokens() - b.cacheWriteTokens();
    long output = delta.hasNonNull("output_tokens") ? delta.path("output_tokens").asLong(0) : b.completionTokens();
    return new Usage(input + read + written, output, read, 0, written);
  }
}
