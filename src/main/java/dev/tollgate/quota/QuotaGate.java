package dev.tollgate.quota;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.core.Ids;
import dev.tollgate.core.NanoUsd;
import dev.tollgate.core.Saturating;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.team.Budget;
import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits and budgets: before any upstream call, reserve a request's tokens (estimated input plus its
 * maximum output) and its worst-case cost (capped at {@code quota.max-reservation-usd}) against its
 * team's and its key's limits; settle to the actual usage when the request ends, whatever happened.
 */
public final class QuotaGate {
  private static final Logger log = LoggerFactory.getLogger(QuotaGate.class);
  /**
   * Redis counts in doubles, exact below 2^53; no real request comes near, but a settlement must never
   * carry a number that would lose its meaning there.
   */
  private static final long LARGEST_EXACT = 1L << 53;

  private final Vertx vertx;
  private final QuotaBackend backend;
  private final GatewayConfig.Quota config;
  private final GatewayMetrics metrics;
  private final Clock clock;
  private final long capNanos;
  private final Set<Reservation> live = ConcurrentHashMap.newKeySet();
  private long renewTimer = -1;

  public QuotaGate(Vertx vertx, QuotaBackend backend, GatewayConfig.Quota config, GatewayMetrics metrics, Clock clock) {
    this.vertx = vertx;
    this.backend = backend;
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    this.capNanos = NanoUsd.of(config.maxReservationUsd());
  }

  /** Renews the leases of requests in flight a few times per lease period, so only a dead replica's expire. */
  public void start() {
    long lease = config.leaseTime().toMillis();
    renewTimer = vertx.setPeriodic(Math.max(100, lease / 3), t -> {
      if (!live.isEmpty()) {
        long now = clock.millis();
        backend.renew(live, now, now + lease).onFailure(e -> log.warn("cannot renew quota leases: {}", e.toString()));
      }
    });
  }

  public Future<Void> stop() {
    if (renewTimer >= 0) vertx.cancelTimer(renewTimer);
    return backend.close();
  }

  /** Whether any limit or budget applies: without one, admission needs no estimate and reserves nothing. */
  public boolean applies(Team team, TeamKey key) {
    return team.budget() != null || team.limits().any() || key.limits().any();
  }

  /**
   * Admits or refuses one request of {@code inputTokens} (estimated) that may write up to
   * {@code maxOutputTokens} and cost {@code worstCostNanos} at most (reserved up to the cap). A request
   * larger than a TPM limit fails at once, with a 429 that SDKs are told not to retry; otherwise the
   * admission says whether it was admitted.
   */
  public Future<Admission> admit(Team team, TeamKey key, long inputTokens, long maxOutputTokens, long worstCostNanos) {
    if (!applies(team, key)) return Future.succeededFuture(Admission.UNLIMITED);
    long tokens = Saturating.add(Math.max(0, inputTokens), Math.max(0, maxOutputTokens));
    ScopeLimits teamLimits = ScopeLimits.of(team.limits());
    ScopeLimits keyLimits = ScopeLimits.of(key.limits());
    for (ScopeLimits l : new ScopeLimits[] {teamLimits, keyLimits}) {
      if (l.tpm() != null && tokens > l.tpm()) {
        return Future.failedFuture(new GatewayFailure(429, "rate_limit_exceeded", "rate_limit_exceeded", null,
            "Request too large: it may use " + tokens + " tokens (" + inputTokens + " in, up to " + maxOutputTokens
                + " out), more than the limit of " + l.tpm() + " tokens per minute. Lower max_tokens or the input.")
            .header("x-should-retry", "false"));
      }
    }
    return admit(team, key, teamLimits, keyLimits, team.budget(), tokens, Saturating.clamp(worstCostNanos, 0, capNanos));
  }

  /**
   * Admits or refuses a request the response cache answers: it counts against requests per minute and
   * concurrency, never against tokens or the budget (it uses neither).
   */
  public Future<Admission> admitCached(Team team, TeamKey key) {
    ScopeLimits teamLimits = ScopeLimits.of(team.limits()).withoutTokens();
    ScopeLimits keyLimits = ScopeLimits.of(key.limits()).withoutTokens();
    if (teamLimits.equals(ScopeLimits.NONE) && keyLimits.equals(ScopeLimits.NONE)) return Future.succeededFuture(Admission.UNLIMITED);
    return admit(team, key, teamLimits, keyLimits, null, 0, 0);
  }

  private Future<Admission> admit(Team team, TeamKey key, ScopeLimits teamLimits, ScopeLimits keyLimits, Budget budget,
      long tokens, long costNanos) {
    AdmissionRequest request = new AdmissionRequest(Ids.random("", 32), team.id(), key.id(), teamLimits, keyLimits,
        budget == null ? null : NanoUsd.of(budget.usd()), budget == null ? null : budget.period(), tokens,
        costNanos, clock.millis(), config.leaseTime().toMillis());
    return backend.admit(request).map(decision -> {
      if (!decision.admitted()) {
        metrics.quotaRefusal(team.id(), decision.refusal().metricName());
        return Admission.refused(decision.rates(), refusal(team, request, decision));
      }
      live.add(decision.reservation());
      return Admission.admitted(this, decision.reservation(), decision.rates());
    });
  }

  void settle(Reservation reservation, long actualTokens, long actualCostNanos) {
    live.remove(reservation);
    backend.settle(reservation, Saturating.clamp(actualTokens, 0, LARGEST_EXACT), Saturating.clamp(actualCostNanos, 0, LARGEST_EXACT),
        clock.millis())
        .onFailure(e -> log.warn("cannot settle quota reservation {}: {}", reservation.id(), e.toString()));
  }

  private GatewayFailure refusal(Team team, AdmissionRequest r, Decision d) {
    long retrySeconds = Math.max(1, (d.retryAfterMillis() + 999) / 1000);
    GatewayFailure f;
    if (d.refusal() == Refusal.BUDGET) {
      Instant resets = r.period().end(Instant.ofEpochMilli(r.nowMillis()));
      f = new GatewayFailure(429, "insufficient_quota", "insufficient_quota", null,
          "Team '" + team.id() + "' has used its " + r.period().wireName() + " budget of $" + team.budget().usd().toPlainString()
              + ". It resets at " + resets + ".")
          .header("x-should-retry", "false");
    } else {
      String who = d.refusedScope().equals("team") ? "team '" + team.id() + "'" : "this key";
      f = new GatewayFailure(429, "rate_limit_exceeded", "rate_limit_exceeded", null,
          "Rate limit reached for " + d.refusal().what + " (" + who + "). Please try again in " + retrySeconds + "s.");
    }
    f.header("retry-after", Long.toString(retrySeconds));
    f.header("retry-after-ms", Long.toString(Math.max(1, d.retryAfterMillis())));
    return f;
  }

  /** A team's (and optionally a key's) current use against its limits, for the status views. */
  public Future<QuotaStatus> status(Team team, String keyId, ScopeLimits keyLimits) {
    Budget b = team.budget();
    long now = clock.millis();
    String periodId = b == null ? "none" : b.period().id(Instant.ofEpochMilli(now));
    return backend.status(new StatusRequest(team.id(), keyId, ScopeLimits.of(team.limits()),
        keyLimits == null ? ScopeLimits.NONE : keyLimits, periodId, now));
  }
}
