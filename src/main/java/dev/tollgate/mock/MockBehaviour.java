package dev.tollgate.mock;

import io.vertx.core.MultiMap;

/**
 * How the fake provider answers one request, from its {@code x-mock-*} headers or the defaults:
 * <ul>
 *   <li>{@code x-mock-latency-ms}: wait before anything is sent;
 *   <li>{@code x-mock-tokens}: words in a text answer (each one token);
 *   <li>{@code x-mock-interval-ms}: wait between streamed events;
 *   <li>{@code x-mock-pad}: characters added to each word (bigger bodies, same token count);
 *   <li>{@code x-mock-cached-tokens}, {@code x-mock-reasoning-tokens}: OpenAI's cached prompt and reasoning tokens;
 *   <li>{@code x-mock-cache-read-tokens}, {@code x-mock-cache-write-tokens}: Anthropic's prompt-cache reads and writes;
 *   <li>{@code x-mock-no-usage: true}: an OpenAI answer without usage;
 *   <li>{@code x-mock-tool-calls}: how many tool calls when the request offers tools (default 1);
 *   <li>{@code x-mock-fault}: {@code 400}, {@code 401}, {@code 403}, {@code 404}, {@code 429}, {@code 500},
 *       {@code 503}, {@code 529} (an error of that status), {@code cut:N} (drop the connection after N events)
 *       or {@code hang} (never answer); with {@code x-mock-fault-key: K}, only for a request made with the key K.
 *   <li>{@code x-mock-retry-after}: the seconds a 429 fault asks the caller to wait (default 1).
 * </ul>
 */
record MockBehaviour(
    long latencyMs, int tokens, long intervalMs, int padChars, int cachedTokens, int reasoningTokens, String fault,
    boolean noUsage, int toolCalls, int cacheReadTokens, int cacheWriteTokens) {

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
        (int) num(h, "x-mock-tool-calls", 1),
        (int) num(h, "x-mock-cache-read-tokens", 0),
        (int) num(h, "x-mock-cache-write-tokens", 0));
  }

  /**
   * The fault asked for ({@code x-mock-fault}, else the default); with {@code x-mock-fault-key: K}, only for a
   * request that carries the key K, however its dialect sends it (a provider with one bad key among good ones).
   */
  private static String faultFor(MultiMap h, Defaults d) {
    String fault = h.get("x-mock-fault") != null ? h.get("x-mock-fault") : d.fault();
    String onlyFor = h.get("x-mock-fault-key");
    if (onlyFor == null) return fault;
    boolean match = ("Bearer " + onlyFor).equals(h.get("authorization")) || onlyFor.equals(h.get("x-api-key"))
        || onlyFor.equals(h.get("api-key"));
    return match ? fault : null;
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
      case "400", "401", "403", "404", "429", "500", "503", "529" -> Integer.parseInt(fault);
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
