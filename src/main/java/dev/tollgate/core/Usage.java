package dev.tollgate.core;

/**
 * Tokens one request used, by kind. {@code cachedTokens} are part of {@code promptTokens} and
 * {@code reasoningTokens} part of {@code completionTokens}, as the providers report them.
 */
public record Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens) {
  public static final Usage ZERO = new Usage(0, 0, 0, 0);

  public long totalTokens() {
    return promptTokens + completionTokens;
  }
}
