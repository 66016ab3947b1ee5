package dev.tollgate.pipeline;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.core.BenchSwitches;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.provider.UpstreamRequest;
import dev.tollgate.route.RouteTarget;
import dev.tollgate.wire.Translation;
import dev.tollgate.wire.Translator;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream call, with retries before the client has a byte of the answer (always, here: the relay
 * comes after). The route's targets are tried in order (the chosen one, the model's others, its fallback
 * models'), each behind its circuit breaker and bulkhead, with a key from its provider's pool. A 429 or
 * 401/403 moves to another key of the same provider at once (the key cools down, or is paused and
 * logged); a connection failure, a timeout, a 5xx or a 429 moves to the next target; when every target
 * was tried, the targets are tried again after an exponential, jittered backoff (resilience4j's Retry),
 * within a budget of attempts and time. The last attempt's error is passed on as the upstream gave it.
 */
final class UpstreamStage implements Stage {
  private static final Logger log = LoggerFactory.getLogger(UpstreamStage.class);

  private final Vertx vertx;
  private final HttpClient client;
  private final Map<String, ProviderAdapter> providers;
  private final Translator translator;
  private final TargetBreakers breakers;
  private final TargetBulkheads bulkheads;
  private final GatewayMetrics metrics;
  private final GatewayConfig.Upstream config;
  private final Retry rounds;

  UpstreamStage(Vertx vertx, HttpClient client, Map<String, ProviderAdapter> providers, Translator translator,
      TargetBreakers breakers, TargetBulkheads bulkheads, GatewayMetrics metrics, GatewayConfig.Upstream config) {
    this.vertx = vertx;
    this.client = client;
    this.providers = providers;
    this.translator = translator;
    this.breakers = breakers;
    this.bulkheads = bulkheads;
    this.metrics = metrics;
    this.config = config;
    this.rounds = Retry.of("upstream", RetryConfig.custom()
        .maxAttempts(config.maxAttempts())
        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(config.backoff(), 2.0, 0.5, config.backoffMax()))
        .retryOnException(e -> true)
        .build());
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    // the upstream call goes on if identical requests follow its answer
    ctx.onClientGone(() -> {
      if (ctx.tap() == null || !ctx.tap().followed()) ctx.attempts().cancel();
    });
    Plan plan = new Plan(ctx, ctx.startNanos() + config.maxRetryTime().toNanos());
    long total = config.totalTimeout().toNanos();
    if (total == 0) return attempt(ctx, next, plan, 0);
    Deadlines.Deadline timer = Deadlines.after((total - (System.nanoTime() - ctx.startNanos())) / 1_000_000, () -> {
      plan.totalExpired = true;
      ctx.attempts().abort(new TimeoutException("the request took longer than server.total-timeout"));
    });
    return attempt(ctx, next, plan, 0).andThen(x -> timer.cancel());
  }

  private Future<Void> attempt(RequestContext ctx, Next next, Plan plan, int index) {
    if (ctx.clientGone()) return Future.succeededFuture();
    List<RouteTarget> candidates = ctx.route().candidates();
    if (index >= candidates.size()) return nextRound(ctx, next, plan);
    if (!plan.mayAttempt()) return Future.failedFuture(plan.giveUp());
    RouteTarget target = candidates.get(index);
    ProviderAdapter provider = providers.get(target.provider());
    Translation translation = null;
    if (!provider.dialect().equals(ctx.dialect().name())) {
      try {
        translation = translator.translate(ctx.api(), provider.dialect());
      } catch (GatewayFailure cannot) {
        plan.failed(cannot);
        return attempt(ctx, next, plan, index + 1);
      }
      if (translation == null) {
        plan.failed(GatewayFailure.badRequest("The model '" + ctx.route().model() + "' is not served in this API's format.", "model"));
        return attempt(ctx, next, plan, index + 1);
      }
    }
    CircuitBreaker breaker = breakers.of(target);
    if (!breaker.tryAcquirePermission()) {
      metrics.upstreamFailure(target.provider(), "circuit_open");
      plan.open(breakers.secondsUntilHalfOpen(target));
      return attempt(ctx, next, plan, index + 1);
    }
    Bulkhead bulkhead = bulkheads.of(target);
    if (!bulkhead.tryAcquirePermission()) {
      breaker.releasePermission();
      metrics.upstreamFailure(target.provider(), "bulkhead_full");
      plan.busy = true;
      return attempt(ctx, next, plan, index + 1);
    }
    long tried = plan.triedKeys(index);
    int key = tried == 0 ? provider.keys().pick() : provider.keys().next(tried);
    if (key < 0) {
      breaker.releasePermission();
      bulkhead.onComplete();
      metrics.upstreamFailure(target.provider(), "no_key");
      plan.failed(GatewayFailure.upstreamAuth(provider.name()));
      return attempt(ctx, next, plan, index + 1);
    }
    plan.tried(index, key);
    ctx.attempts().trying(target);
    long sent = System.nanoTime();
    Translation carried = translation;
    return send(ctx, provider, target, key, translation == null ? ctx.api() : translation.upstream()).transform(ar -> {
      if (ar.failed()) {
        bulkhead.onComplete();
        if (ctx.clientGone()) {
          breaker.releasePermission(); // the client left: not the target's failure
          return Future.succeededFuture();
        }
        breaker.onError(System.nanoTime() - sent, TimeUnit.NANOSECONDS, ar.cause());
        boolean timeout = isTimeout(ar.cause());
        log.warn("upstream {} ({}) failed for request {}: {}", provider.name(), target.upstreamModel(), ctx.requestId(),
            ar.cause().toString());
        metrics.upstreamFailure(provider.name(), timeout ? "timeout" : "unreachable");
        metrics.upstreamAttempt(provider.name(), timeout ? "timeout" : "unreachable");
        plan.failed(timeout ? GatewayFailure.upstreamTimeout(provider.name()) : GatewayFailure.upstreamUnreachable(provider.name()));
        return attempt(ctx, next, plan, index + 1);
      }
      return answered(ctx, next, plan, index, provider, key, breaker, bulkhead, sent, ar.result(), carried);
    });
  }

  private Future<Void> answered(RequestContext ctx, Next next, Plan plan, int index, ProviderAdapter provider, int key,
      CircuitBreaker breaker, Bulkhead bulkhead, long sent, HttpClientResponse resp, Translation translation) {
    long headers = System.nanoTime();
    ctx.attempts().headers(headers);
    int status = resp.statusCode();
    metrics.upstreamLatency(provider.name(), ctx.route().model(), headers - sent);
    metrics.upstreamAttempt(provider.name(), status >= 400 ? "status_" + status : "ok");
    if (status >= 500) breaker.onError(headers - sent, TimeUnit.NANOSECONDS, new UpstreamStatus(status));
    else breaker.onSuccess(headers - sent, TimeUnit.NANOSECONDS);
    boolean keyRejected = status == 401 || status == 403;
    if (status == 429) provider.keys().coolDown(key, retryAfterSeconds(resp));
    if (keyRejected) {
      provider.keys().pause(key, config.keyPause());
      log.error("provider {} rejected its key #{} (HTTP {}) for request {}: the key is out of the rotation for {}; "
          + "check providers.{}.keys[{}]", provider.name(), key, status, ctx.requestId(), config.keyPause(), provider.name(), key);
    }
    boolean retryable = status == 429 || status >= 500 || keyRejected;
    if (!retryable) {
      ctx.attempts().answered(resp, translation);
      return next.run(ctx).andThen(done -> bulkhead.onComplete());
    }
    metrics.upstreamFailure(provider.name(), "status_" + status);
    boolean anotherKey = (status == 429 || keyRejected) && provider.keys().next(plan.triedKeys(index)) >= 0;
    if (plan.mayAttempt()) {
      plan.failed(keyRejected ? GatewayFailure.upstreamAuth(provider.name()) : refused(provider.name(), status));
      // drain the refused answer so its connection can be reused, then try again: this target with another key,
      // else the next target
      return resp.body().transform(x -> {
        bulkhead.onComplete();
        return attempt(ctx, next, plan, anotherKey ? index : index + 1);
      });
    }
    if (keyRejected) {
      return resp.body().transform(x -> {
        bulkhead.onComplete();
        return Future.failedFuture(GatewayFailure.upstreamAuth(provider.name()));
      });
    }
    // the last attempt: its error goes to the client as the upstream gave it
    ctx.attempts().answered(resp, translation);
    return next.run(ctx).andThen(done -> bulkhead.onComplete());
  }

  /** Every target was tried: once more after the backoff, if the budget allows and some target could be tried. */
  private Future<Void> nextRound(RequestContext ctx, Next next, Plan plan) {
    if (!plan.triedThisRound) return Future.failedFuture(plan.giveUp());
    if (plan.rounds == null) plan.rounds = rounds.asyncContext();
    long delay = plan.rounds.onError(plan.last != null ? plan.last : new IllegalStateException("upstream failed"));
    if (delay < 0 || !plan.mayAttempt() || System.nanoTime() + delay * 1_000_000 - plan.deadlineNanos > 0) {
      return Future.failedFuture(plan.giveUp());
    }
    plan.newRound();
    Promise<Void> wait = Promise.promise();
    vertx.setTimer(Math.max(1, delay), id -> wait.complete());
    return wait.future().compose(v -> attempt(ctx, next, plan, 0));
  }

  /** @param api the request in the provider's dialect (the client's own, or its translation) */
  private Future<HttpClientResponse> send(RequestContext ctx, ProviderAdapter provider, RouteTarget target, int keyIndex,
      dev.tollgate.wire.ApiRequest api) {
    UpstreamRequest upstream;
    try {
      upstream = provider.prepare(api, target.upstreamModel(), provider.keys().secret(keyIndex), ctx.request().headers());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    long firstByte = config.firstByteTimeout().toMillis();
    // a safety net: the gateway's own timers below and in the relay are the ones meant to fire
    upstream.options().setIdleTimeout(Math.max(firstByte, config.idleTimeout().toMillis()) + 1000);
    if (!BenchSwitches.IDS.off()) upstream.options().putHeader("x-request-id", ctx.requestId());
    return client.request(upstream.options()).compose(req -> {
      // failures arrive through the response future; without a handler Vert.x would also log each one
      req.exceptionHandler(e -> { });
      if (ctx.clientGone()) {
        req.reset();
        return Future.failedFuture(new ClientGone());
      }
      ctx.attempts().sent(req);
      Deadlines.Deadline timer = Deadlines.after(firstByte, () -> req.reset(0,
          new TimeoutException("no response from the upstream within server.first-byte-timeout")));
      return req.send(upstream.body()).andThen(x -> timer.cancel());
    });
  }

  /** What the client is told of a 429 or 5xx that a later attempt could not make good. */
  private static GatewayFailure refused(String provider, int status) {
    if (status == 429) {
      return new GatewayFailure(429, "rate_limit_exceeded", "rate_limit_exceeded", null,
          "The upstream provider '" + provider + "' is rate limiting the gateway; try again shortly.").header("retry-after", "1");
    }
    return new GatewayFailure(502, "server_error", "upstream_error", null,
        "The upstream provider '" + provider + "' failed (HTTP " + status + ").");
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

  /** One request's way through its targets: the budget, what was tried, the last failure. */
  private final class Plan {
    final RequestContext ctx;
    final long deadlineNanos;
    /** resilience4j's count of rounds and their backoff; made only when a first round failed */
    Retry.AsyncContext<Object> rounds;
    final long[] triedKeys;
    int attempts;
    boolean triedThisRound;
    boolean totalExpired;
    boolean busy;
    long openSeconds = Long.MAX_VALUE;
    GatewayFailure last;

    Plan(RequestContext ctx, long deadlineNanos) {
      this.ctx = ctx;
      this.deadlineNanos = deadlineNanos;
      this.triedKeys = new long[ctx.route().candidates().size()];
    }

    boolean mayAttempt() {
      return attempts < config.maxAttempts() && System.nanoTime() - deadlineNanos < 0 && !totalExpired;
    }

    long triedKeys(int index) {
      return triedKeys[index];
    }

    void tried(int index, int key) {
      if (key < 64) triedKeys[index] |= 1L << key;
      attempts++;
      triedThisRound = true;
    }

    void newRound() {
      java.util.Arrays.fill(triedKeys, 0);
      triedThisRound = false;
    }

    void failed(GatewayFailure f) {
      if (f != null) last = f;
    }

    void open(long secondsUntilHalfOpen) {
      openSeconds = Math.min(openSeconds, secondsUntilHalfOpen);
    }

    /** Why the request gets no answer: a total timeout; else open breakers (with when to come back); else the last failure. */
    GatewayFailure giveUp() {
      if (totalExpired) return GatewayFailure.upstreamTimeout(ctx.attempts().target() == null ? ctx.route().model()
          : ctx.attempts().target().provider());
      if (openSeconds != Long.MAX_VALUE) {
        return GatewayFailure.unavailable("Every upstream for model '" + ctx.route().model() + "' is failing; try again in "
            + openSeconds + "s.").header("retry-after", Long.toString(openSeconds));
      }
      if (last != null) return last;
      if (busy) {
        return GatewayFailure.unavailable("Every upstream for model '" + ctx.route().model() + "' is at its limit of calls at once; "
            + "try again shortly.").header("retry-after", "1");
      }
      return GatewayFailure.unavailable("No upstream for model '" + ctx.route().model() + "' could be tried; try again shortly.");
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
