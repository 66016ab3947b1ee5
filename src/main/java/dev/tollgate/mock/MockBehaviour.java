package dev.tollgate.mock;

import io.vertx.core.MultiMap;

/**
 * How the fake provider answers one request, from its {@code x-mock-*} headers or the defaults:
 * latency before anything is sent, number of tokens, interval between streamed events, padding per
 * token, extra usage kinds, no usage at all ({@code x-mock-no-usage: true}), and a fault: {@code 429}, {@code 500}, {@code 401}, {@code cut:N} (drop
 * the connection after N events) or {@code hang} (never answer).
 */
record MockBehaviour(
    long latencyMs, int tokens, long intervalMs, int padChars, int cachedTokens, int reasoningTokens, String fault,
    boolean noUsage, int toolCalls) {

  /** What a request gets when it sends no {@code x-mock-*} header: set when the fake provider starts. */
  record Defaults(long latencyMs, int tokens, long intervalMs, String fault) {
    static final Defaults STANDARD = new Defaults(0, 16, 0, null);
  }

  static MockBehaviour from(MultiMap h, Defaults d) {
    return new MockBehaviour(
        num(h, "x-mock-latency-ms", d.latencyMs()),
        (int) num(h, "x-mock-tokens", d.tokens()),
        num(h, "x-mock-interval-ms", d.intervalMs()),
        (int) num(h, "x-mock-pad", 0),
        (int) num(h, "x-mock-cached-tokens", 0),
        (int) num(h, "x-mock-reasoning-tokens", 0),
        faultFor(h, d),
        "true".equalsIgnoreCase(h.get("x-mock-no-usage")),
        (int) num(h, "x-mock-tool-calls", 1));
  }

  /**
   * The fault asked for ({@code x-mock-fault}, else the default); with {@code x-mock-fault-key: K}, only for a
   * request that carries the key K (a provider with one bad key among good ones).
   */
  private static String faultFor(MultiMap h, Defaults d) {
    String fault = h.get("x-mock-fault") != null ? h.get("x-mock-fault") : d.fault();
    String onlyFor = h.get("x-mock-fault-key");
    if (onlyFor == null) return fault;
    String auth = h.get("authorization");
    return auth != null && auth.equals("Bearer " + onlyFor) ? fault : null;
  }

  /** The event index after which a stream is cut, or -1. */
  int cutAfter() {
    if (fault == null || !fault.startsWith("cut:")) return -1;
    return Integer.parseInt(fault.substring(4).trim());
  }

  boolean hangs() {
    return "hang".equals(fault);
  }

  /** An HTTP status to fail with, or 0. */
  int failStatus() {
    if (fault == null) return 0;
    return switch (fault) {
      case "429", "500", "401", "400", "503" -> Integer.parseInt(fault);
      default -> 0;
    };
  }

  private static long num(MultiMap h, String name, long fallback) {
    String v = h.get(name);
    if (v == null) return fallback;
    try {
      return Math.max(0, Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
