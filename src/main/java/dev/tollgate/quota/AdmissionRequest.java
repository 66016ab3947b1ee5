package dev.tollgate.quota;

import dev.tollgate.team.BudgetPeriod;

/**
 * What one request asks of the quotas: one request, a number of tokens (estimated input plus the
 * most output it may produce) and a worst-case cost, against its team's and its key's limits.
 * {@code budgetNanos} is null when the team has no budget.
 */
public record AdmissionRequest(
    String reservationId,
    String teamId,
    String keyId,
    ScopeLimits team,
    ScopeLimits key,
    Long budgetNanos,
    BudgetPeriod period,
    long tokens,
    long costNanos,
    long nowMillis,
    long leaseMillis) {

  /** The budget period this request counts in, e.g. {@code monthly:2026-11-01}. */
  public String periodId() {
    return period == null ? "none" : period.id(java.time.Instant.ofEpochMilli(nowMillis));
  }
}
