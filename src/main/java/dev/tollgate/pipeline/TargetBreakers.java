package dev.tollgate.pipeline;

import dev.tollgate.route.RouteTarget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;

/**
 * A circuit breaker per target (provider + upstream model): after repeated failures (connection
 * errors, timeouts, 5xx) the target is skipped for a while and requests go to the next candidate.
 */
public final class TargetBreakers {
  private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
      .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
      .slidingWindowSize(20)
      .minimumNumberOfCalls(10)
      .failureRateThreshold(50)
      .waitDurationInOpenState(Duration.ofSeconds(10))
      .permittedNumberOfCallsInHalfOpenState(2)
      .build());

  public CircuitBreaker of(RouteTarget target) {
    return registry.circuitBreaker(target.provider() + "/" + target.upstreamModel());
  }
}
