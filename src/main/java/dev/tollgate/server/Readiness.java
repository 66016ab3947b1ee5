package dev.tollgate.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Whether this replica can serve and bill: not before it has started, not once draining for shutdown, and
 * not while one of its checks (the store, the ledger's backlog, Redis for teams that fail closed) names a
 * problem. Each check answers null when all is well, else why not.
 */
public final class Readiness {
  private final List<Supplier<String>> checks = new CopyOnWriteArrayList<>();
  private volatile boolean started;
  private volatile boolean draining;

  public void check(Supplier<String> problem) {
    checks.add(problem);
  }

  /** Why this replica is not ready; empty when it is. */
  public List<String> reasons() {
    List<String> out = new ArrayList<>();
    if (!started) out.add("starting");
    if (draining) out.add("draining: shutting down");
    for (Supplier<String> check : checks) {
      String problem = check.get();
      if (problem != null) out.add(problem);
    }
    return out;
  }

  public boolean isReady() {
    return reasons().isEmpty();
  }

  public void started() {
    started = true;
  }

  public void draining() {
    draining = true;
  }
}
