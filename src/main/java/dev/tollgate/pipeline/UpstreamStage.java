package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.provider.UpstreamRequest;
import dev.tollgate.route.RouteTarget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream call: the route's targets in order (the chosen one, the model's others, its fallback
 * models'), each behind its circuit breaker, with a provider key from the target's pool. A connection
 * failure, a timeout, a 5xx, 429, 401 or 403 moves on to the next target, which is only possible
 * before the client saw a byte of the answer: that is, always here, since the relay comes after.
 */
final class UpstreamStage implements Stage {
  private static final Logger log = LoggerFactory.getLogger(UpstreamStage.class);

  private final HttpClient client;
  private final Map<String, ProviderAdapter> providers;
  private final TargetBreakers breakers;
  private final GatewayMetrics metrics;
  private final long timeoutMs;

  UpstreamStage(HttpClient client, Map<String, ProviderAdapter> providers, TargetBreakers breakers, GatewayMetrics metrics,
      long timeoutMs) {
    this.client = client;
    this.providers = providers;
    this.breakers = breakers;
    this.metrics = metrics;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    // the upstream call goes on if identical requests follow its answer
    ctx.onClientGone(() -> {
      if (ctx.tap() == null || !ctx.tap().followed()) ctx.attempts().cancel();
    });
    return attempt(ctx, next, 0, null);
  }

  private Future<Void> attempt(RequestContext ctx, Next next, int index, GatewayFailure previous) {
    List<RouteTarget> candidates = ctx.route().candidates();
    if (ctx.clientGone()) return Future.succeededFuture();
    if (index >= candidates.size()) {
      return Future.failedFuture(previous != null ? previous : GatewayFailure.unavailable(
          "Every upstream for model '" + ctx.route().model() + "' is failing; try again shortly."));
    }
    RouteTarget target = candidates.get(index);
    ProviderAdapter provider = providers.get(target.provider());
    if (!provider.dialect().equals(ctx.dialect().name())) {
      return attempt(ctx, next, index + 1, previous != null ? previous : GatewayFailure.badRequest(
          "The model '" + ctx.route().model() + "' is not served in this API's format.", "model"));
    }
    CircuitBreaker breaker = breakers.of(target);
    if (!breaker.tryAcquirePermission()) {
      metrics.upstreamFailure(target.provider(), "circuit_open");
      return attempt(ctx, next, index + 1, previous);
    }
    boolean last = index == candidates.size() - 1;
    ctx.attempts().trying(target);
    int keyIndex = provider.keys().pick();
    long sent = System.nanoTime();
    return send(ctx, provider, target, keyIndex).transform(ar -> {
      if (ar.failed()) {
        if (ctx.clientGone()) {
          breaker.releasePermission(); // the client left: not the target's failure
          return Future.succeededFuture();
        }
        breaker.onError(System.nanoTime() - sent, TimeUnit.NANOSECONDS, ar.cause());
        boolean timeout = isTimeout(ar.cause());
        log.warn("upstream {} ({}) failed for request {}: {}", provider.name(), target.upstreamModel(), ctx.requestId(),
            ar.cause().toString());
        metrics.upstreamFailure(provider.name(), timeout ? "timeout" : "unreachable");
        return attempt(ctx, next, index + 1,
            timeout ? GatewayFailure.upstreamTimeout(provider.name()) : GatewayFailure.upstreamUnreachable(provider.name()));
      }
      HttpClientResponse resp = ar.result();
      long headers = System.nanoTime();
      ctx.attempts().headers(headers);
      int status = resp.statusCode();
      metrics.upstreamLatency(provider.name(), ctx.route().model(), headers - sent);
      if (status >= 500) breaker.onError(headers - sent, TimeUnit.NANOSECONDS, new UpstreamStatus(status));
      else breaker.onSuccess(headers - sent, TimeUnit.NANOSECONDS);
      if (status == 429) provider.keys().coolDown(keyIndex, retryAfterSeconds(resp));
      boolean retryable = status == 429 || status >= 500 || status == 401 || status == 403;
      if (retryable) metrics.upstreamFailure(provider.name(), "status_" + status);
      if (retryable && !last) {
        // drain the refused answer so the connection can be reused, then try the next candidate
        return resp.body().transform(x -> attempt(ctx, next, index + 1, null));
      }
      if (status == 401 || status == 403) {
        log.error("provider {} rejected the gateway's key (HTTP {}); check providers.{}.keys", provider.name(), status,
            provider.name());
        return resp.body().transform(x -> Future.failedFuture(GatewayFailure.upstreamAuth(provider.name())));
      }
      ctx.attempts().answered(resp);
      return next.run(ctx);
    });
  }

  private Future<HttpClientResponse> send(RequestContext ctx, ProviderAdapter provider, RouteTarget target, int keyIndex) {
    UpstreamRequest upstream;
    try {
      upstream = provider.prepare(ctx.api(), target.upstreamModel(), provider.keys().secret(keyIndex), ctx.request().headers());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    upstream.options().setIdleTimeout(timeoutMs).putHeader("x-request-id", ctx.requestId());
    return client.request(upstream.options()).compose(req -> {
      // failures arrive through the response future; without a handler Vert.x would also log each one
      req.exceptionHandler(e -> { });
      if (ctx.clientGone()) {
        req.reset();
        return Future.failedFuture(new ClientGone());
      }
      ctx.attempts().sent(req);
      return req.send(upstream.body());
    });
  }

  static boolean isTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TimeoutException || c.getClass().getSimpleName().contains("Timeout")) return true;
    }
    return false;
  }

  private static long retryAfterSeconds(HttpClientResponse resp) {
    try {
      String v = resp.getHeader("retry-after");
      return v == null ? 10 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return 10;
    }
  }

  /** The client went away before the upstream request was sent. */
  private static final class ClientGone extends RuntimeException {
    ClientGone() {
      super("client gone", null, false, false);
    }
  }

  /** An upstream 5xx, recorded as a failure by the target's circuit breaker. */
  private static final class UpstreamStatus extends RuntimeException {
    UpstreamStatus(int status) {
      super("upstream status " + status, null, false, false);
    }
  }
}
