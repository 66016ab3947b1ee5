package dev.tollgate.quota;

import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.core.GatewayFailure;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis quotas with a plan for when Redis is unreachable: per team, fail open (fall back to this
 * replica's local limits, loudly, with a metric) or fail closed (503). A reservation made locally is
 * settled locally.
 */
public final class FailoverQuotas implements QuotaBackend {
  private static final Logger log = LoggerFactory.getLogger(FailoverQuotas.class);

  private final RedisQuotas redis;
  private final LocalQuotas local;
  private final boolean failOpenByDefault;
  private final Set<String> failClosedTeams;
  private final GatewayMetrics metrics;
  private volatile long lastWarnNanos;

  public FailoverQuotas(RedisQuotas redis, LocalQuotas local, boolean failOpenByDefault, Set<String> failClosedTeams,
      GatewayMetrics metrics) {
    this.redis = redis;
    this.local = local;
    this.failOpenByDefault = failOpenByDefault;
    this.failClosedTeams = failClosedTeams;
    this.metrics = metrics;
  }

  @Override
  public Future<Decision> admit(AdmissionRequest r) {
    return redis.admit(r).recover(e -> {
      boolean open = failOpenByDefault && !failClosedTeams.contains(r.teamId());
      metrics.quotaRedisUnavailable(r.teamId(), open);
      warn(e, open);
      if (!open) {
        return Future.failedFuture(GatewayFailure.unavailable(
            "Quota service unavailable; this team's requests are refused until it is back.").header("retry-after", "1"));
      }
      return local.admit(r);
    });
  }

  private void warn(Throwable e, boolean open) {
    long now = System.nanoTime();
    if (now - lastWarnNanos < 5_000_000_000L) return;
    lastWarnNanos = now;
    log.error("REDIS UNREACHABLE for quotas ({}): {}", e.toString(),
        open ? "failing open: each replica enforces limits on its own until Redis is back" : "failing closed for some teams");
  }

  @Override
  public Future<Void> settle(Reservation r, long actualTokens, long actualCostNanos, long nowMillis) {
    if (r.local()) return local.settle(r, actualTokens, actualCostNanos, nowMillis);
    return redis.settle(r, actualTokens, actualCostNanos, nowMillis).recover(e -> {
      // the lease expires on its own; the spend stays in the ledger
      log.warn("cannot settle reservation {} in Redis ({}); its lease will expire", r.id(), e.toString());
      return Future.succeededFuture();
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
    return redis.close();
  }
}
