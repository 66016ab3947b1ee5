package dev.tollgate.billing;

import dev.tollgate.core.Usage;

/**
 * One ledger record: everything about one admitted request that finance or an operator may ask.
 * {@code id} is the gateway's own unique id (a client's request id need not be unique). {@code cache}:
 * null for an answer from upstream, {@code hit} or {@code coalesced} for one the cache served, which then
 * used no tokens and cost nothing, and saved {@code saved} tokens worth {@code savedCostNanos}. {@code outcome}:
 * what happened in a word (ok, error, cut, timeout, client_gone, shutdown).
 */
public record UsageEvent(
    String id,
    String requestId,
    long timeMillis,
    String teamId,
    String keyId,
    String modelRequested,
    String model,
    String upstreamModel,
    String provider,
    String endpoint,
    boolean stream,
    Usage usage,
    long costNanos,
    boolean priced,
    boolean estimated,
    String cache,
    Usage saved,
    long savedCostNanos,
    int status,
    String outcome,
    long latencyMillis,
    Long ttftMillis,
    String endUser) {

  public boolean cacheHit() {
    return cache != null;
  }
}
