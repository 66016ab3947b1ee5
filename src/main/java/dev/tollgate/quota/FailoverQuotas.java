package dev.tollgate.quota;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.core.Saturating;
import dev.tollgate.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis quotas with a plan for when Redis is unreachable: per team, fail open (fall back to this
 * replica's local limits, loudly, with a metric) or fail closed (503). A reservation made locally is
 * settled locally. Redis is pinged every second, so readiness knows when it is gone and the spend made
 * while failing open is pushed back to Redis as soon as it is back, and the settlements it did not answer are sent again.
 */
public final class FailoverQuotas implements QuotaBackend {
  private static final Logger log = LoggerFactory.getLogger(FailoverQuotas.class);
  private static final long PROBE_MS = 1_000;

  /**
   * Spend this replica booked locally in one team's budget period while it failed open: not pushed yet, and pushes
   * whose reply did not come (sent again as they were, so that Redis adds each once).
   */
  private record OpenSpend(String teamId, String periodId, AtomicLong nanos, Queue<Push> unconfirmed) {}

  /** Spend pushed back to Redis in one call, under an id of its own, made while failing open since {@code sinceMillis}. */
  private record Push(String id, long nanos, long sinceMillis) {}

  /** A settlement of a reservation made in Redis that got no reply: sent again, one at a time, while Redis answers. */
  private record Unsettled(Reservation reservation, long tokens, long costNanos, long nowMillis, int tries) {}

  /** Settlements kept to send again, at most: those of the requests in flight when Redis went away. */
  private static final int MAX_UNSETTLED = 100_000;
  /** Sendings of one settlement before it is given up (Redis answering pings but refusing it: not an outage). */
  private static final int SETTLE_TRIES = 5;

  private final Vertx vertx;
  private final RedisQuotas redis;
  private final LocalQuotas local;
  private final boolean failOpenByDefault;
  private final Set<String> failClosedTeams;
  private final GatewayMetrics metrics;
  private final SpendHistory history;
  private final Clock clock;
  private final AtomicBoolean down = new AtomicBoolean();
  private final Map<String, OpenSpend> openSpend = new ConcurrentHashMap<>();
  private final Map<String, Future<Void>> localSeeds = new ConcurrentHashMap<>();
  private final Queue<Unsettled> unsettled = new ConcurrentLinkedQueue<>();
  private final AtomicInteger unsettledCount = new AtomicInteger();
  private final AtomicBoolean resending = new AtomicBoolean();
  /**
   * Completes when the settlements being sent again are through: push-backs wait for it, since the ledger's figure they
   * floor Redis's count at already holds those settlements' cost (floored first, then settled, it would count twice).
   */
  private volatile Future<Void> resent = Future.succeededFuture();
  private volatile long lastSettleWarnNanos;
  private volatile long downSinceMillis;
  private volatile long lastWarnNanos;
  private long probeTimer = -1;

  /** @param history what the ledger says each team spent, to start local budgets from (may be null) */
  public FailoverQuotas(Vertx vertx, RedisQuotas redis, LocalQuotas local, boolean failOpenByDefault, Set<String> failClosedTeams,
      GatewayMetrics metrics, SpendHistory history, Clock clock) {
    this.vertx = vertx;
    this.redis = redis;
    this.local = local;
    this.failOpenByDefault = failOpenByDefault;
    this.failClosedTeams = failClosedTeams;
    this.metrics = metrics;
    this.history = history;
    this.clock = clock;
    probeTimer = vertx.setPeriodic(PROBE_MS, t -> redis.ping().onSuccess(v -> {
      reachable();
      settleAgain();
    }).onFailure(this::unreachable));
  }

  /** Whether Redis is unreachable while some team fails closed: those teams' requests are refused (503). */
  public boolean refusingSomeTeams() {
    return down.get() && (!failOpenByDefault || !failClosedTeams.isEmpty());
  }

  /** Why this replica refuses some teams, for readiness; null when it does not. */
  public String refusalReason() {
    if (!refusingSomeTeams()) return null;
    return "redis: unreachable since " + Instant.ofEpochMilli(downSinceMillis) + "; teams that fail closed ("
        + (failOpenByDefault ? "quota.fail-closed-teams: " + failClosedTeams : "quota.redis-fail-mode: closed") + ") are refused";
  }

  @Override
  public Future<Decision> admit(AdmissionRequest r) {
    return redis.admit(r).andThen(ok -> {
      if (ok.succeeded()) reachable();
    }).recover(e -> {
      unreachable(e);
      boolean open = failOpenByDefault && !failClosedTeams.contains(r.teamId());
      metrics.quotaRedisUnavailable(r.teamId(), open);
      if (!open) {
        return Future.failedFuture(GatewayFailure.unavailable(
            "Quota service unavailable; this team's requests are refused until it is back.").header("retry-after", "1"));
      }
      return seedLocally(r).transform(x -> local.admit(r));
    });
  }

  /**
   * A team's local budget starts, at its first local admission of an outage, from what the ledger says it spent
   * (local state knows nothing of what was booked in Redis).
   */
  private Future<Void> seedLocally(AdmissionRequest r) {
    if (history == null || r.budgetNanos() == null) return Future.succeededFuture();
    return localSeeds.computeIfAbsent(r.teamId() + '\u0000' + r.periodId(), k -> history
        .spentSince(r.teamId(), r.period().start(Instant.ofEpochMilli(r.nowMillis())))
        .timeout(2_000, TimeUnit.MILLISECONDS)
        .compose(spent -> local.seedSpend(Map.of(r.teamId(), spent), Map.of(r.teamId(), r.periodId())))
        .onFailure(e -> log.warn("cannot read team {}'s spend from the ledger to fail open on: {}", r.teamId(), e.toString())));
  }

  private void unreachable(Throwable e) {
    if (down.compareAndSet(false, true)) downSinceMillis = clock.millis();
    long now = System.nanoTime();
    if (now - lastWarnNanos < 5_000_000_000L) return;
    lastWarnNanos = now;
    log.error("REDIS UNREACHABLE for quotas ({}): {}", e.toString(), failOpenByDefault
        ? "failing open: each replica enforces limits on its own until Redis is back" + (failClosedTeams.isEmpty() ? ""
            : "; failing closed for " + failClosedTeams)
        : "failing closed: requests of teams with limits or a budget are refused");
  }

  /** Redis answers again: push back what was spent while failing open, so budgets hold across the outage. */
  private void reachable() {
    if (!down.compareAndSet(true, false)) return;
    long since = downSinceMillis;
    log.info("Redis reachable again after {} s: quotas are shared again", (clock.millis() - since) / 1000);
    localSeeds.clear();
    settleAgain(); // first: the push-backs wait for it
    openSpend.values().forEach(s -> pushBack(s, since));
  }

  /**
   * Adds to Redis what the team spent locally (this replica failing open since {@code since}), and makes the spend at
   * least the ledger's; if Redis lost its data meanwhile, the ledger's figure alone. A push that fails is sent again,
   * the same (id, amount and outage), when Redis is back: its reply may be what was lost.
   */
  private void pushBack(OpenSpend s, long since) {
    List<Push> pushes = new ArrayList<>();
    for (Push p; (p = s.unconfirmed().poll()) != null; ) pushes.add(p);
    long nanos = s.nanos().getAndSet(0);
    if (nanos > 0) pushes.add(new Push(UUID.randomUUID().toString(), nanos, since));
    if (pushes.isEmpty()) return;
    Instant start = periodStart(s.periodId());
    // unknown (-1) when it cannot be read: Redis then keeps its figure, and after a loss of its data rebuilds at the next admission
    Future<Long> ledger = resent.transform(x -> history == null || start == null ? Future.succeededFuture(-1L)
        : history.spentSince(s.teamId(), start).timeout(2_000, TimeUnit.MILLISECONDS).recover(e -> Future.succeededFuture(-1L)));
    for (Push p : pushes) {
      ledger.compose(spent -> redis.pushBack(s.teamId(), s.periodId(), p.id(), p.nanos(), p.sinceMillis(), spent, clock.millis()))
          .onSuccess(v -> log.info("pushed back {} nano-USD team {} spent while failing open", p.nanos(), s.teamId()))
          .onFailure(e -> {
            s.unconfirmed().add(p);
            log.warn("cannot push back what team {} spent while failing open ({}); trying again when Redis is back",
                s.teamId(), e.toString());
            down.set(true);
          });
    }
  }

  /** The start of a budget period from its id ({@code monthly:2026-11-01T00:00:00Z}); null for none. */
  private static Instant periodStart(String periodId) {
    int colon = periodId.indexOf(':');
    return colon < 0 ? null : Instant.parse(periodId.substring(colon + 1));
  }

  @Override
  public Future<Void> settle(Reservation r, long actualTokens, long actualCostNanos, long nowMillis) {
    if (r.local()) {
      if (actualCostNanos > 0 && periodStart(r.periodId()) != null) {
        OpenSpend s = openSpend.computeIfAbsent(r.teamId() + '\u0000' + r.periodId(),
            k -> new OpenSpend(r.teamId(), r.periodId(), new AtomicLong(), new ConcurrentLinkedQueue<>()));
        s.nanos().accumulateAndGet(actualCostNanos, Saturating::add);
        // a request admitted locally that ends after Redis is back: its spend goes there at once
        if (!down.get()) pushBack(s, downSinceMillis);
      }
      return local.settle(r, actualTokens, actualCostNanos, nowMillis);
    }
    return redis.settle(r, actualTokens, actualCostNanos, nowMillis).recover(e -> {
      keep(new Unsettled(r, actualTokens, actualCostNanos, nowMillis, 1), e);
      return Future.succeededFuture();
    });
  }

  /**
   * Keeps a settlement Redis did not confirm, to send again once Redis answers. Sent again, it settles the reservation
   * only if Redis still holds it ({@link RedisQuotas#settleAgain}), so it is booked once even if the first sending did
   * reach Redis. What it cannot recover: a reservation whose lease ran out and was tidied away before it is sent again
   * (Redis unreachable longer than {@code quota.lease-time} after the request's last renewal): that spend reaches Redis
   * only through the ledger's floor at a push-back of the team's (a replica that failed open for it) or a rebuild.
   */
  private void keep(Unsettled u, Throwable e) {
    Reservation r = u.reservation();
    if (u.tries() >= SETTLE_TRIES || unsettledCount.incrementAndGet() > MAX_UNSETTLED) {
      if (u.tries() < SETTLE_TRIES) unsettledCount.decrementAndGet();
      log.error("reservation {} of team {} ({} nano-USD) is not settled in Redis after {} sendings ({}): its spend is in "
          + "the ledger only, which Redis's count reaches at a push-back of this team's or a rebuild", r.id(), r.teamId(),
          u.costNanos(), u.tries(), e.toString());
      return;
    }
    unsettled.add(u);
    long now = System.nanoTime();
    if (now - lastSettleWarnNanos > 5_000_000_000L) {
      lastSettleWarnNanos = now;
      log.warn("cannot settle reservation {} in Redis ({}); {} settlements wait to be sent again when Redis answers",
          r.id(), e.toString(), unsettledCount.get());
    }
  }

  /** Sends the kept settlements again, one after the other, until none is left or one fails (then at the next ping). */
  private void settleAgain() {
    if (unsettled.isEmpty() || !resending.compareAndSet(false, true)) return;
    Promise<Void> done = Promise.promise();
    resent = done.future();
    settleNext(0, done);
  }

  private void settleNext(int settled, Promise<Void> done) {
    Unsettled u = unsettled.poll();
    if (u == null) {
      resending.set(false);
      done.complete();
      if (settled > 0) log.info("{} settlements sent to Redis again after it did not answer", settled);
      if (!unsettled.isEmpty()) settleAgain(); // kept meanwhile
      return;
    }
    unsettledCount.decrementAndGet();
    Future<Boolean> sent;
    try {
      sent = redis.settleAgain(u.reservation(), u.tokens(), u.costNanos(), u.nowMillis());
    } catch (RuntimeException e) {
      sent = Future.failedFuture(e);
    }
    sent.onComplete(ar -> {
      if (ar.succeeded()) {
        settleNext(settled + (ar.result() ? 1 : 0), done);
      } else {
        keep(new Unsettled(u.reservation(), u.tokens(), u.costNanos(), u.nowMillis(), u.tries() + 1), ar.cause());
        resending.set(false);
        done.complete();
      }
    });
  }

  @Override
  public Future<Void> renew(Collection<Reservation> live, long nowMillis, long leaseExpiryMillis) {
    var shared = live.stream().filter(r -> !r.local()).toList();
    return redis.renew(shared, nowMillis, leaseExpiryMillis).recover(e -> Future.succeededFuture());
  }

  @Override
  public Future<QuotaStatus> status(StatusRequest r) {
    return redis.status(r).recover(e -> local.status(r));
  }

  @Override
  public Future<Void> seedSpend(Map<String, Long> spent, Map<String, String> periods) {
    return local.seedSpend(spent, periods).compose(v -> redis.seedSpend(spent, periods));
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(probeTimer);
    if (unsettledCount.get() > 0) {
      log.warn("stopping with {} settlements Redis did not confirm: their spend is in the ledger, and reaches Redis at a "
          + "push-back for their team or a rebuild", unsettledCount.get());
    }
    return redis.close();
  }
}
