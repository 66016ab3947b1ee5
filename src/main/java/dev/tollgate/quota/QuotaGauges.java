package dev.tollgate.quota;

import dev.tollgate.core.NanoUsd;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.team.Team;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the per-team budget and quota gauges current: every refresh reads each team's status from the quota
 * backend (memory or Redis, so with Redis every replica exports the shared values) and replaces the gauges
 * whole. A team that disappears (deleted) loses every series labelled with it; requests of it still in flight
 * when it was deleted may add series again, so those are swept again for a while.
 */
public final class QuotaGauges {
  private static final Logger log = LoggerFactory.getLogger(QuotaGauges.class);
  /** How long a deleted team's series keep being swept: longer than any request of it may still run. */
  private static final long SWEEP_MILLIS = Duration.ofMinutes(30).toMillis();

  private final Vertx vertx;
  private final QuotaGate gate;
  private final Supplier<Collection<Team>> teams;
  private final GatewayMetrics metrics;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private final Map<String, Long> deletedAt = new HashMap<>();
  private Set<String> known = Set.of();
  private long timer = -1;

  public QuotaGauges(Vertx vertx, QuotaGate gate, Supplier<Collection<Team>> teams, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.gate = gate;
    this.teams = teams;
    this.metrics = metrics;
  }

  public void start(Duration interval) {
    refresh();
    timer = vertx.setPeriodic(interval.toMillis(), t -> refresh());
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  /** Reads every team's status and replaces the gauges; a refresh still running is not started twice. */
  public Future<Void> refresh() {
    if (!refreshing.compareAndSet(false, true)) return Future.succeededFuture();
    List<Team> current = List.copyOf(teams.get());
    List<Future<GatewayMetrics.TeamUse>> uses = new ArrayList<>();
    for (Team t : current) uses.add(gate.status(t, null, null).map(s -> use(t, s)));
    return Future.all(uses).<Void>map(all -> {
      List<GatewayMetrics.TeamUse> rows = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) rows.add(all.resultAt(i));
      metrics.teamUse(rows);
      sweep(current);
      return null;
    }).onFailure(e -> log.warn("cannot refresh the budget and quota gauges: {}", e.toString()))
        .eventually(() -> {
          refreshing.set(false);
          return Future.succeededFuture();
        });
  }

  private synchronized void sweep(List<Team> current) {
    Set<String> now = new HashSet<>();
    current.forEach(t -> now.add(t.id()));
    long millis = System.currentTimeMillis();
    for (String gone : known) if (!now.contains(gone)) deletedAt.put(gone, millis);
    deletedAt.keySet().removeIf(now::contains);
    deletedAt.values().removeIf(at -> millis - at > SWEEP_MILLIS);
    metrics.forgetTeams(deletedAt.keySet());
    known = now;
  }

  private static GatewayMetrics.TeamUse use(Team t, QuotaStatus s) {
    return new GatewayMetrics.TeamUse(t.id(), t.budget() == null ? null : t.budget().usd().doubleValue(),
        usd(s.spentNanos()), usd(s.reservedNanos()), t.limits().rpm(), s.team().requests(), t.limits().tpm(), s.team().tokens(),
        t.limits().concurrent(), s.team().concurrent());
  }

  private static double usd(long nanos) {
    return NanoUsd.toUsd(nanos).doubleValue();
  }
}
