package dev.tollgate.pipeline;

import dev.tollgate.route.RouteTarget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;

/**
 * A circuit breaker per target (provider + upstream model): when at least half of the last 20 calls
 * (once 10 were made) failed (connection errors, timeouts, 5xx), the target is skipped for a while and
 * requests go to the next candidate; then two trial calls decide whether it is back.
 */
public final class TargetBreakers {
  private final CircuitBreakerRegistry registry;

  public TargetBreakers() {
    this(Duration.ofSeconds(10));
  }

  /** @param openFor how long a failing target is skipped before trial calls */
  TargetBreakers(Duration openFor) {
    this.registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(20)
        .minimumNumberOfCalls(10)
        .failureRateThreshold(50)
        .waitDurationInOpenState(openFor)
        .permittedNumberOfCallsInHalfOpenState(2)
        .build());
  }

  public CircuitBreaker of(RouteTarget target) {
    return registry.circuitBreaker(target.provider() + "/" + target.upstreamModel());
  }
}
