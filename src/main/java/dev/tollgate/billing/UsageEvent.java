package dev.tollgate.billing;

import dev.tollgate.core.Usage;

/**
 * One ledger record: everything about one admitted request that finance or an operator may ask.
 * {@code id} is the gateway's own unique id (a client's request id need not be unique).
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
    boolean cacheHit,
    int status,
    long latencyMillis,
    Long ttftMillis,
    String endUser) {}
