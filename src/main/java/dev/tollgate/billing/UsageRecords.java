package dev.tollgate.billing;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/** Where the ledger keeps usage records: billing's port, implemented by the store. */
public interface UsageRecords {
  /**
   * Writes a batch in one transaction (records with the rollups they add to); writing a record again
   * adds it once. Blocking: called on the ledger's writer thread. Returns how many records were new.
   */
  int write(List<UsageEvent> batch) throws Exception;

  /** Deletes per-request records older than the cutoff (rollups stay); completes with how many. */
  Future<Long> prune(Instant cutoff);
}
