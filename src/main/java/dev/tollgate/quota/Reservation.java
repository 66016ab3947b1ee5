package dev.tollgate.quota;

/**
 * What an admitted request holds until it settles: a concurrency slot in each scope, its tokens in
 * the TPM window's second {@code second}, and its worst-case cost against the budget period.
 */
public record Reservation(
    String id,
    String teamId,
    String keyId,
    long second,
    long tokens,
    long costNanos,
    String periodId,
    boolean local) {}
