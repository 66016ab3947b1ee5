package dev.tollgate.pipeline;

import dev.tollgate.cache.AnswerStore;
import dev.tollgate.cache.CacheKeys;
import dev.tollgate.cache.CachedAnswer;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.route.Route;
import dev.tollgate.route.RouteTarget;
import io.vertx.core.Future;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For a model whose answers are cached: the request's key (its scope, endpoint, upstream target and
 * canonical body), and whether a stored answer fresh enough for it exists. It runs before admission, so
 * that a hit is admitted as what it is: a request, without tokens or cost. A store that cannot be reached
 * makes the request bypass the cache, never fail.
 */
final class CacheLookupStage implements Stage {
  private static final Logger log = LoggerFactory.getLogger(CacheLookupStage.class);

  private final AnswerStore store;
  private final GatewayMetrics metrics;
  private final Clock clock;
  private volatile long lastWarnNanos;

  CacheLookupStage(AnswerStore store, GatewayMetrics metrics, Clock clock) {
    this.store = store;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    Route route = ctx.route();
    GatewayConfig.ModelCache rule = route.cache();
    if (rule == null || ctx.operation().countsTokens()) return next.run(ctx);
    CacheControl control = CacheControl.of(ctx.request().getHeader("cache-control"));
    RouteTarget target = route.candidates().get(0);
    String key = CacheKeys.of(rule.shared() ? null : ctx.caller().team().id(), ctx.operation().wireName(),
        target.provider() + "/" + target.upstreamModel(), ctx.api().body().tree(), ctx.dialect().answerNeutralFields());
    if (control.noCache()) {
      ctx.cache(new CacheState(key, CacheState.Found.BYPASS, null, control, rule));
      return next.run(ctx);
    }
    return store.get(key).transform(ar -> {
      if (ar.failed()) {
        unavailable(ar.cause());
        ctx.cache(new CacheState(key, CacheState.Found.BYPASS, null, control, rule));
      } else if (ar.result() != null && freshEnough(ar.result(), control)) {
        ctx.cache(new CacheState(key, CacheState.Found.HIT, ar.result(), control, rule));
      } else {
        ctx.cache(new CacheState(key, CacheState.Found.MISS, null, control, rule));
      }
      return next.run(ctx);
    });
  }

  private boolean freshEnough(CachedAnswer answer, CacheControl control) {
    return control.maxAgeSeconds() == null || clock.millis() - answer.storedAtMillis() <= control.maxAgeSeconds() * 1000;
  }

  private void unavailable(Throwable cause) {
    metrics.cacheStoreUnavailable();
    long now = System.nanoTime();
    if (now - lastWarnNanos < 10_000_000_000L) return;
    lastWarnNanos = now;
    log.error("RESPONSE CACHE UNREACHABLE ({}): requests bypass the cache until it is back; see tollgate_cache_store_unavailable_total",
        cause.toString());
  }
}
