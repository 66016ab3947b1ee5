package dev.tollgate.cache;

import dev.tollgate.core.Usage;

/**
 * A complete, successful answer as a non-streamed request gets it (a streamed one is replayed from it),
 * with what it cost upstream ({@code usage} at {@code provider}/{@code upstreamModel}) and when it was made.
 */
public record CachedAnswer(byte[] body, Usage usage, String provider, String upstreamModel, long storedAtMillis) {
  /** Bytes it holds, roughly: the body and the fields around it. */
  public int weight() {
    return body.length + 256;
  }
}
