package dev.tollgate.quota;

import dev.tollgate.billing.Price;
import dev.tollgate.billing.PriceBook;
import dev.tollgate.billing.PromptText;
import dev.tollgate.billing.TokenCounter;
import dev.tollgate.billing.Usage;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.proxy.Admission;
import dev.tollgate.proxy.Endpoint;
import dev.tollgate.proxy.Exchange;
import dev.tollgate.proxy.Settlement;
import dev.tollgate.route.RouteTarget;
import dev.tollgate.server.GatewayFailure;
import dev.tollgate.team.Budget;
import dev.tollgate.team.Team;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission stage: before any upstream call, reserve the request's tokens (estimated input plus
 * its maximum output) and its worst-case cost (capped), against the team's and the key's limits;
 * settle to actual usage when the request ends, whatever happened. Sets OpenAI-style rate-limit
 * headers on every response and refuses with 429s the SDKs understand.
 */
public final class QuotaGate implements Admission {
  private static final Logger log = LoggerFactory.getLogger(QuotaGate.class);
  private static final Settlement NOTHING = ex -> { };

  private final Vertx vertx;
  private final QuotaBackend backend;
  private final PriceBook prices;
  private final GatewayConfig.Quota config;
  private final GatewayMetrics metrics;
  private final Clock clock;
  private final long capNanos;
  private final Set<Reservation> live = ConcurrentHashMap.newKeySet();
  private long renewTimer = -1;

  public QuotaGate(Vertx vertx, QuotaBackend backend, PriceBook prices, GatewayConfig.Quota config, GatewayMetrics metrics,
      Clock clock) {
    this.vertx = vertx;
    this.backend = backend;
    this.prices = prices;
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    this.capNanos = config.maxReservationUsd().multiply(BigDecimal.valueOf(1_000_000_000L)).longValueExact();
  }

  public QuotaBackend backend() {
    return backend;
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

  @Override
  public Future<Settlement> admit(Exchange ex) {
    Team team = ex.caller.team();
    ScopeLimits teamLimits = ScopeLimits.of(team.limits());
    ScopeLimits keyLimits = ScopeLimits.of(ex.caller.key().limits());
    Budget budget = team.budget();
    if (teamLimits.none() && keyLimits.none() && budget == null) return Future.succeededFuture(NOTHING);

    RouteTarget first = ex.route.candidates().get(0);
    long input = TokenCounter.countPieces(first.upstreamModel(), PromptText.pieces(ex.api.body()));
    long maxOutput = maxOutputTokens(ex);
    long tokens = input + maxOutput;
    for (ScopeLimits l : new ScopeLimits[] {teamLimits, keyLimits}) {
      if (l.tpm() != null && tokens > l.tpm()) {
        throw new GatewayFailure(429, "rate_limit_exceeded", "rate_limit_exceeded", null,
            "Request too large: it may use " + tokens + " tokens (" + input + " in, up to " + maxOutput
                + " out), more than the limit of " + l.tpm() + " tokens per minute. Lower max_tokens or the input.")
            .header("x-should-retry", "false");
      }
    }
    Price price = prices.find(first.provider(), first.upstreamModel(), ex.route.model());
    long cost = price == null ? 0 : Math.min(capNanos, prices.cost(price, new Usage(input, maxOutput, 0, 0)));
    long now = clock.millis();
    AdmissionRequest request = new AdmissionRequest(newId(), team.id(), ex.caller.key().id(), teamLimits, keyLimits,
        budget == null ? null : budget.usd().multiply(BigDecimal.valueOf(1_000_000_000L)).longValueExact(),
        budget == null ? null : budget.period(), tokens, cost, now, config.leaseTime().toMillis());
    return backend.admit(request).map(decision -> {
      RateHeaders.set(ex.response.headers(), decision.rates());
      if (!decision.admitted()) {
        metrics.count("tollgate_quota_refusals", "Requests refused by quotas, by team and reason",
            "team", team.id(), "reason", decision.refusal().metricName());
        throw refusal(team, request, decision);
      }
      Reservation reservation = decision.reservation();
      live.add(reservation);
      return (Settlement) done -> settle(reservation, done);
    });
  }

  private long maxOutputTokens(Exchange ex) {
    if (ex.api.endpoint() == Endpoint.EMBEDDINGS) return 0;
    if (ex.api.maxOutputTokens() != null) return ex.api.maxOutputTokens();
    if (ex.route.maxOutputTokens() != null) return ex.route.maxOutputTokens();
    return config.defaultMaxOutputTokens();
  }

  private void settle(Reservation reservation, Exchange ex) {
    live.remove(reservation);
    Usage used = ex.charge == null ? Usage.ZERO : ex.charge.usage();
    long cost = ex.charge == null ? 0 : ex.charge.costNanos();
    backend.settle(reservation, used.totalTokens(), cost, clock.millis())
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

  private static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong());
  }

  /** OpenAI's rate-limit response headers. */
  static final class RateHeaders {
    private RateHeaders() {}

    static void set(MultiMap h, RateView v) {
      if (v.limitRequests() != null) {
        h.set("x-ratelimit-limit-requests", Long.toString(v.limitRequests()));
        h.set("x-ratelimit-remaining-requests", Long.toString(Math.max(0, v.limitRequests() - v.usedRequests())));
        h.set("x-ratelimit-reset-requests", duration(v.resetRequestsMillis()));
      }
      if (v.limitTokens() != null) {
        h.set("x-ratelimit-limit-tokens", Long.toString(v.limitTokens()));
        h.set("x-ratelimit-remaining-tokens", Long.toString(Math.max(0, v.limitTokens() - v.usedTokens())));
        h.set("x-ratelimit-reset-tokens", duration(v.resetTokensMillis()));
      }
    }

    /** {@code 350ms}, {@code 12s}, {@code 1m5s}: the format OpenAI uses. */
    static String duration(long millis) {
      if (millis <= 0) return "0s";
      if (millis < 1000) return millis + "ms";
      long s = (millis + 999) / 1000;
      return s < 60 ? s + "s" : (s / 60) + "m" + (s % 60) + "s";
    }
  }
}
