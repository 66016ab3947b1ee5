package dev.tollgate.pipeline;

import dev.tollgate.quota.RateView;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/** The quotas' rate view as OpenAI's rate-limit response headers. */
final class RateLimitHeaders {
  // names encoded once (Vert.x keeps their bytes and hash), not at every response
  private static final CharSequence LIMIT_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-limit-requests");
  private static final CharSequence REMAINING_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-remaining-requests");
  private static final CharSequence RESET_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-reset-requests");
  private static final CharSequence LIMIT_TOKENS = HttpHeaders.createOptimized("x-ratelimit-limit-tokens");
  private static final CharSequence REMAINING_TOKENS = HttpHeaders.createOptimized("x-ratelimit-remaining-tokens");
  private static final CharSequence RESET_TOKENS = HttpHeaders.createOptimized("x-ratelimit-reset-tokens");

  private RateLimitHeaders() {}

  static void set(MultiMap h, RateView v) {
    if (v.limitRequests() != null) {
      h.set(LIMIT_REQUESTS, Long.toString(v.limitRequests()));
      h.set(REMAINING_REQUESTS, Long.toString(Math.max(0, v.limitRequests() - v.usedRequests())));
      h.set(RESET_REQUESTS, duration(v.resetRequestsMillis()));
    }
    if (v.limitTokens() != null) {
      h.set(LIMIT_TOKENS, Long.toString(v.limitTokens()));
      h.set(REMAINING_TOKENS, Long.toString(Math.max(0, v.limitTokens() - v.usedTokens())));
      h.set(RESET_TOKENS, duration(v.resetTokensMillis()));
    }
  }

  /** {@code 350ms}, {@code 12s}, {@code 1m5s}: the format OpenAI uses. */
  static String duration(long millis) {
    if (millis <= 0) return "0s";
    if (millis < 1000) return millis + "ms";
    long s = (millis + 999) / 1000;
    return s < 60 ? s + "s" : (s / 60) + "m" + (s % 60) + "s";
  }
}
