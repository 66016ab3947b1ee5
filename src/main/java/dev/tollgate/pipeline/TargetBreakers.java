package dev.tollgate.pipeline;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.route.RouteTarget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A circuit breaker per target (provider + upstream model), tuned for LLM traffic: a target is skipped
 * for a while when a large share of a window of calls failed (connection errors, timeouts, 5xx; not a
 * 429, which is a key's rate limit), once enough calls were made; then a few trial calls decide. Each
 * breaker's state is a gauge, and the time it opened is kept to tell clients when to come back.
 */
public final class TargetBreakers {
  private final CircuitBreakerRegistry registry;
  private final Duration openFor;
  private final GatewayMetrics metrics;
  private final ConcurrentHashMap<String, Long> openedAtNanos = new ConcurrentHashMap<>();
  /** Each target's breaker, found without building its name (every call asks). */
  private final ConcurrentHashMap<RouteTarget, CircuitBreaker> byTarget = new ConcurrentHashMap<>();

  public TargetBreakers(GatewayConfig.Breaker config, GatewayMetrics metrics) {
    this.openFor = config.openFor();
    this.metrics = metrics;
    CircuitBreakerConfig.Builder b = CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(config.window())
        .minimumNumberOfCalls(config.minimumCalls())
        .failureRateThreshold(config.failureRate())
        .waitDurationInOpenState(config.openFor())
        .permittedNumberOfCallsInHalfOpenState(config.halfOpenCalls());
    if (config.slowCall().isZero()) b.slowCallRateThreshold(100).slowCallDurationThreshold(Duration.ofDays(1));
    else b.slowCallRateThreshold(config.failureRate()).slowCallDurationThreshold(config.slowCall());
    this.registry = CircuitBreakerRegistry.of(b.build());
  }

  public CircuitBreaker of(RouteTarget target) {
    CircuitBreaker known = byTarget.get(target);
    return known != null ? known : byTarget.computeIfAbsent(target, this::create);
  }

  /** The target's breaker from the registry (targets that differ only in weight share one), made on first use. */
  private CircuitBreaker create(RouteTarget target) {
    String name = target.provider() + "/" + target.upstreamModel();
    CircuitBreaker existing = registry.find(name).orElse(null);
    if (existing != null) return existing;
    CircuitBreaker created = registry.circuitBreaker(name);
    synchronized (this) {
      if (!openedAtNanos.containsKey(name)) {
        openedAtNanos.put(name, 0L);
        created.getEventPublisher().onStateTransition(e -> {
          if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) openedAtNanos.put(name, System.nanoTime());
        });
        metrics.breakerState(target.provider(), target.upstreamModel(), () -> switch (created.getState()) {
          case CLOSED, DISABLED, METRICS_ONLY -> 0;
          case HALF_OPEN -> 1;
          default -> 2;
        });
      }
    }
    return created;
  }

  /** How long until an open target takes trial calls again (at least one second). */
  long secondsUntilHalfOpen(RouteTarget target) {
    Long opened = openedAtNanos.get(target.provider() + "/" + target.upstreamModel());
    long left = opened == null || opened == 0 ? openFor.toNanos() : openFor.toNanos() - (System.nanoTime() - opened);
    return Math.max(1, (left + 999_999_999) / 1_000_000_000);
  }
}
