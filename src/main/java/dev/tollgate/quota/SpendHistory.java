package dev.tollgate.quota;

import io.vertx.core.Future;
import java.time.Instant;

/**
 * What a team has spent as the ledger recorded it: quotas' port, implemented by the store. Redis-shared spend
 * is rebuilt from it when Redis has lost it (a restart without persistence), and a replica failing open starts
 * its local budget from it.
 */
public interface SpendHistory {
  /** The team's spend in nano-USD since {@code start} (a budget period's start). */
  Future<Long> spentSince(String teamId, Instant start);
}
