package dev.tollgate.quota;

import dev.tollgate.core.Ids;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared quotas at in-memory speed (leased mode): for the teams it leases, this replica takes slices of their
 * limits and budget from Redis in one script call (lease.lua), admits and settles in memory against them, tops
 * them up in the background before they run out, and gives back what it did not use: unused requests and tokens
 * at the end of each second, unused slots and budget when the team goes idle or this replica stops. Slices are
 * reservations in Redis, so replicas together never admit past a limit; what they cost is under-use (a request
 * refused while another replica holds an unused slice). Other teams, and a leased team's requests when slices
 * cannot be had (Redis slow or unreachable), are admitted exactly, by {@code exact} (which fails open or closed).
 */
public final class LeasedQuotas implements QuotaBackend {
  private static final Logger log = LoggerFactory.getLogger(LeasedQuotas.class);
  private static final long SYNC_MS = 250;
  /** Lease calls an admission may wait for before it is admitted exactly instead. */
  private static final int ATTEMPTS = 2;

  private final Vertx vertx;
  private final RedisQuotas redis;
  private final QuotaBackend exact;
  private final Predicate<String> leased;
  private final double fraction;
  private final long leaseMillis;
  private final Clock clock;
  private final String leaseId = Ids.random("lease:", 16);
  private final Map<String, TeamLease> teams = new ConcurrentHashMap<>();
  private final long timer;
  /** Set when a lease call failed: admissions go to {@code exact} (which fails open or closed) until Redis answers a ping. */
  private volatile boolean unreachable;

  /**
   * @param exact how teams that are not leased are admitted (and leased ones when slices cannot be had)
   * @param leased which teams are leased
   * @param fraction the share of each limit a slice holds (requests and tokens per second, slots, budget)
   */
  public LeasedQuotas(Vertx vertx, RedisQuotas redis, QuotaBackend exact, Predicate<String> leased, double fraction,
      long leaseMillis, Clock clock) {
    this.vertx = vertx;
    this.redis = redis;
    this.exact = exact;
    this.leased = leased;
    this.fraction = fraction;
    this.leaseMillis = leaseMillis;
    this.clock = clock;
    this.timer = vertx.setPeriodic(SYNC_MS, t -> tick());
  }

  @Override
  public Future<Decision> admit(AdmissionRequest r) {
    if (!leased.test(r.teamId())) return exact.admit(r);
    TeamLease lease = teams.computeIfAbsent(r.teamId(), id -> new TeamLease(id, leaseId, fraction, leaseMillis));
    Future<Decision> decided = attempt(lease, r, 0);
    return decided.isComplete() ? decided : onCaller(Vertx.currentContext(), decided);
  }

  private Future<Decision> attempt(TeamLease lease, AdmissionRequest r, int attempt) {
    long now = clock.millis();
    Decision d = lease.admit(r, now);
    if (d != null) {
      if (d.admitted() && lease.low(now)) sync(lease, null, false);
      return Future.succeededFuture(d);
    }
    if (attempt >= ATTEMPTS || unreachable) return exact.admit(r);
    return onCaller(Vertx.currentContext(), sync(lease, r, false))
        .transform(ar -> ar.succeeded() ? attempt(lease, r, attempt + 1) : exact.admit(r));
  }

  /**
   * {@code f}, completed on {@code caller}'s thread. A lease call is shared by the admissions that wait for it and
   * completes on the event loop of the one that made it (and a Redis reply may come on another loop than the caller's),
   * so without this the next attempt, and the rest of a request admitted on one loop, could run on another loop's thread.
   */
  private static <T> Future<T> onCaller(Context caller, Future<T> f) {
    if (caller == null) return f;
    Promise<T> p = Promise.promise();
    f.onComplete(ar -> {
      if (Vertx.currentContext() == caller) p.handle(ar);
      else caller.runOnContext(v -> p.handle(ar));
    });
    return p.future();
  }

  /**
   * One lease call for the team at a time: an admission that needs one while another is in flight waits for
   * that one, then looks again.
   */
  private Future<Void> sync(TeamLease lease, AdmissionRequest need, boolean end) {
    Promise<Void> done = Promise.promise();
    TeamLease.Call call;
    synchronized (lease) {
      if (lease.syncing != null) return lease.syncing;
      AdmissionRequest basis = need != null ? need : lease.last;
      boolean budgeted = basis != null && basis.budgetNanos() != null;
      Future<Void> reseeding = budgeted ? redis.reseeding(basis) : Future.succeededFuture();
      if (reseeding != null && !reseeding.isComplete()) return reseeding.transform(x -> Future.succeededFuture());
      call = lease.prepare(clock.millis(), need, end, reseeding == null);
      lease.syncing = done.future();
    }
    redis.lease(lease.teamId, call.period, call.keyIds, call.args).onComplete(ar -> {
      Future<Void> next = Future.succeededFuture();
      if (ar.failed()) {
        unreachable = true;
        lease.failed(call);
        log.debug("lease call for team {} failed: {}", lease.teamId, ar.cause().toString());
      } else if (!lease.answered(call, ar.result())) {
        AdmissionRequest basis = need != null ? need : lease.last;
        next = redis.reseed(basis).recover(e -> Future.succeededFuture());
      }
      synchronized (lease) {
        lease.syncing = null;
      }
      if (ar.failed()) done.fail(ar.cause());
      else next.onComplete(x -> done.complete());
    });
    return done.future();
  }

  /** Gives back, books and renews what is due, for teams no admission is asking about. */
  private void tick() {
    if (unreachable) {
      redis.ping().onSuccess(v -> unreachable = false);
      return;
    }
    long now = clock.millis();
    for (TeamLease lease : teams.values()) {
      if (lease.syncing == null && lease.due(now)) sync(lease, null, false);
    }
  }

  @Override
  public Future<Void> settle(Reservation r, long actualTokens, long actualCostNanos, long nowMillis) {
    if (!r.leased()) return exact.settle(r, actualTokens, actualCostNanos, nowMillis);
    TeamLease lease = teams.get(r.teamId());
    if (lease != null && lease.settle(r, actualTokens, actualCostNanos)) return Future.succeededFuture();
    // its budget period ended while it ran: book its cost in that period directly
    Reservation booking = new Reservation(r.id(), r.teamId(), r.keyId(), r.second(), r.tokens(), 0, r.periodId(), false);
    return redis.settle(booking, r.tokens(), actualCostNanos, nowMillis);
  }

  @Override
  public Future<Void> renew(Collection<Reservation> live, long nowMillis, long leaseExpiryMillis) {
    List<Reservation> exactOnes = live.stream().filter(r -> !r.leased()).toList();
    return exactOnes.isEmpty() ? Future.succeededFuture() : exact.renew(exactOnes, nowMillis, leaseExpiryMillis);
  }

  @Override
  public Future<QuotaStatus> status(StatusRequest r) {
    return exact.status(r);
  }

  @Override
  public Future<Void> seedSpend(Map<String, Long> spentNanosByTeam, Map<String, String> periodIdByTeam) {
    return exact.seedSpend(spentNanosByTeam, periodIdByTeam);
  }

  /** Gives back every slice and books the spend not yet booked, then closes Redis. */
  @Override
  public Future<Void> close() {
    vertx.cancelTimer(timer);
    List<Future<Void>> ends = new ArrayList<>();
    for (TeamLease lease : teams.values()) {
      Future<Void> running;
      synchronized (lease) {
        running = lease.syncing == null ? Future.succeededFuture() : lease.syncing;
      }
      ends.add(running.transform(x -> sync(lease, null, true)).recover(e -> {
        log.warn("cannot give back team {}'s leases ({}); they expire in {} ms", lease.teamId, e.toString(), leaseMillis);
        return Future.succeededFuture();
      }));
    }
    return Future.join(ends).timeout(5, TimeUnit.SECONDS).transform(x -> exact.close());
  }
}
