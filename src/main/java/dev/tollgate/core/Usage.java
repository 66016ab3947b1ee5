package dev.tollgate.core;

/**
 * Tokens one request used, by kind. {@code cachedTokens} (read from a provider's prompt cache) and
 * {@code cacheWriteTokens} (written to it) are part of {@code promptTokens}; {@code reasoningTokens} are part
 * of {@code completionTokens}.
 */
public record Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens, long cacheWriteTokens) {
  public static final Usage ZERO = new Usage(0, 0, 0, 0, 0);

  /** Usage without prompt-cache writes (OpenAI reports none). */
  public Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens) {
    this(promptTokens, completionTokens, cachedTokens, reasoningTokens, 0);
  }

  /** Prompt plus completion tokens; saturates rather than wrapping past {@code Long.MAX_VALUE}. */
  public long totalTokens() {
    return Saturating.add(promptTokens, completionTokens);
  }
}
