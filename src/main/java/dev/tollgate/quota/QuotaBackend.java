package dev.tollgate.quota;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.Map;

/**
 * Where quota state lives: one contract, two implementations — in memory (one node) and Redis
 * (several replicas, atomic Lua scripts, one round trip per admission). Admission checks every limit
 * of both scopes and reserves, all or nothing.
 */
public interface QuotaBackend {
  Future<Decision> admit(AdmissionRequest request);

  /** Settles to actual usage: frees the concurrency slots, corrects the tokens, books the actual cost. */
  Future<Void> settle(Reservation reservation, long actualTokens, long actualCostNanos, long nowMillis);

  /** Extends the leases of reservations still in flight (Redis; a no-op in memory). */
  Future<Void> renew(Collection<Reservation> live, long nowMillis, long leaseExpiryMillis);

  /** Current use of a team (and optionally one of its keys), for status views and headers. */
  Future<QuotaStatus> status(StatusRequest request);

  /** Spend already booked per team for the given periods (rebuilt from the ledger at start-up); keeps larger values. */
  Future<Void> seedSpend(Map<String, Long> spentNanosByTeam, Map<String, String> periodIdByTeam);

  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
