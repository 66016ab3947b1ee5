package dev.tollgate.pipeline;

import dev.tollgate.quota.RateView;
import io.vertx.core.MultiMap;

/** The quotas' rate view as OpenAI's rate-limit response headers. */
final class RateLimitHeaders {
  private RateLimitHeaders() {}

  static void set(MultiMap h, RateView v) {
    if (v.limitRequests() != null) {
      h.set("x-ratelimit-limit-requests", Long.toString(v.limitRequests()));
      h.set("x-ratelimit-remaining-requests", Long.toString(Math.max(0, v.limitRequests() - v.usedRequests())));
      h.set("x-ratelimit-reset-requests", duration(v.resetRequestsMillis()));
    }
    if (v.limitTokens() != null) {
      h.set("x-ratelimit-limit-tokens", Long.toString(v.limitTokens()));
      h.set("x-ratelimit-remaining-tokens", Long.toString(Math.max(0, v.limitTokens() - v.usedTokens())));
      h.set("x-ratelimit-reset-tokens", duration(v.resetTokensMillis()));
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
