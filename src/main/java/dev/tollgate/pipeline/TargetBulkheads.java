package dev.tollgate.pipeline;

import dev.tollgate.route.RouteTarget;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bulkhead per target: at most so many upstream calls at once (a provider's own {@code max-concurrent},
 * else the server's {@code max-concurrent-per-target}), so one slow provider cannot take every connection.
 * A full target is skipped, never waited for.
 */
public final class TargetBulkheads {
  private final BulkheadRegistry registry = BulkheadRegistry.ofDefaults();
  private final int defaultMax;
  private final Map<String, Integer> perProvider;
  private final ConcurrentHashMap<RouteTarget, Bulkhead> byTarget = new ConcurrentHashMap<>();

  public TargetBulkheads(int defaultMax, Map<String, Integer> perProvider) {
    this.defaultMax = defaultMax;
    this.perProvider = perProvider;
  }

  Bulkhead of(RouteTarget target) {
    Bulkhead known = byTarget.get(target);
    return known != null ? known : byTarget.computeIfAbsent(target, this::create);
  }

  /** The target's bulkhead from the registry (targets that differ only in weight share one), made on first use. */
  private Bulkhead create(RouteTarget target) {
    String name = target.provider() + "/" + target.upstreamModel();
    return registry.find(name).orElseGet(() -> registry.bulkhead(name, BulkheadConfig.custom()
        .maxConcurrentCalls(perProvider.getOrDefault(target.provider(), defaultMax))
        .maxWaitDuration(Duration.ZERO)
        .build()));
  }
}
