package dev.tollgate.quota;

/**
 * Requests and tokens used in the current minute window against their limits, and how long until the
 * window is clear; what OpenAI-style {@code x-ratelimit-*} headers report. Limits are null when none
 * applies.
 */
public record RateView(Long limitRequests, long usedRequests, long resetRequestsMillis,
    Long limitTokens, long usedTokens, long resetTokensMillis) {
  public static final RateView NONE = new RateView(null, 0, 0, null, 0, 0);

  /** The tighter of two views: the one with less room left, for each of requests and tokens. */
  static RateView tighter(RateView a, RateView b) {
    boolean reqA = room(a.limitRequests, a.usedRequests) <= room(b.limitRequests, b.usedRequests);
    boolean tokA = room(a.limitTokens, a.usedTokens) <= room(b.limitTokens, b.usedTokens);
    return new RateView(
        reqA ? a.limitRequests : b.limitRequests, reqA ? a.usedRequests : b.usedRequests,
        reqA ? a.resetRequestsMillis : b.resetRequestsMillis,
        tokA ? a.limitTokens : b.limitTokens, tokA ? a.usedTokens : b.usedTokens,
        tokA ? a.resetTokensMillis : b.resetTokensMillis);
  }

  private static long room(Long limit, long used) {
    return limit == null ? Long.MAX_VALUE : limit - used;
  }
}
