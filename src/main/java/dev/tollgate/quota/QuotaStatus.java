package dev.tollgate.quota;

/**
 * A scope's current use: requests and tokens in the minute window, concurrent requests, and for a
 * team its spend and in-flight reservations in the budget period (nano-USD).
 */
public record QuotaStatus(ScopeUse team, ScopeUse key, long spentNanos, long reservedNanos) {
  public record ScopeUse(long requests, long resetRequestsMillis, long tokens, long resetTokensMillis, long concurrent) {
    public static final ScopeUse EMPTY = new ScopeUse(0, 0, 0, 0, 0);
  }
}
