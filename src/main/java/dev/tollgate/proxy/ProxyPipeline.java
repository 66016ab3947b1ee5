package dev.tollgate.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.auth.Authenticator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.billing.Usage;
import dev.tollgate.billing.UsageMeter;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.route.ModelRouter;
import dev.tollgate.route.Route;
import dev.tollgate.route.RouteTarget;
import dev.tollgate.server.ErrorResponses;
import dev.tollgate.server.GatewayFailure;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request pipeline, top to bottom: authenticate, read, route, admit, forward (with fallback
 * before the first byte), relay, settle. Settle runs exactly once for every admitted request,
 * whatever happened after admission.
 */
public final class ProxyPipeline {
  private static final Logger log = LoggerFactory.getLogger(ProxyPipeline.class);
  private static final Buffer KEEPALIVE = Buffer.buffer(": keepalive\n\n");

  /** Everything the pipeline shares across event loops; one instance per gateway. */
  public record Parts(
      Authenticator authenticator,
      RequestReader reader,
      ModelRouter router,
      Map<String, ProviderAdapter> providers,
      Admission admission,
      List<Settlement> settlements,
      GatewayMetrics metrics,
      AccessLog accessLog,
      ObjectMapper json,
      long maxBodyBytes,
      long upstreamTimeoutMs,
      long keepaliveMs) {}

  private final Vertx vertx;
  private final Parts parts;
  private final UpstreamCall upstream;
  private final TargetBreakers breakers;

  public ProxyPipeline(Vertx vertx, HttpClient client, Parts parts, TargetBreakers breakers) {
    this.vertx = vertx;
    this.parts = parts;
    this.breakers = breakers;
    this.upstream = new UpstreamCall(client, parts.json(), parts.upstreamTimeoutMs());
  }

  /** @param pathModel the model named in the URL (legacy engine and Azure deployment paths), or null */
  public void handle(HttpServerRequest request, Endpoint endpoint, String pathModel) {
    Exchange ex = new Exchange(request, RequestIds.of(request));
    parts.metrics().inFlight().incrementAndGet();
    try {
      ex.caller = parts.authenticator().authenticate(request);
    } catch (GatewayFailure f) {
      refuse(ex, f);
      return;
    }
    BodyReader.read(request, parts.maxBodyBytes())
        .map(body -> {
          ex.api = parts.reader().read(endpoint, body, pathModel);
          ex.route = route(ex);
          return ex;
        })
        .compose(parts.admission()::admit)
        .onComplete(admitted -> {
          if (admitted.failed()) {
            refuse(ex, admitted.cause());
            return;
          }
          forward(ex).onComplete(done -> {
            // a client that left needs no answer, and its leaving is no error of ours
            if (done.failed() && !ex.clientGone) respondError(ex, done.cause());
            settle(ex, admitted.result());
          });
        });
  }

  private Route route(Exchange ex) {
    Route route = parts.router().route(ex.api.model());
    if (route == null) throw GatewayFailure.modelNotFound(ex.api.model());
    if (!ex.caller.mayUse(route.model()) && !ex.caller.mayUse(route.requested())) {
      throw GatewayFailure.modelNotAllowed(ex.api.model());
    }
    return route;
  }

  // ---- forward: try candidates in order until one answers; fall back only before the client saw an event

  private Future<Void> forward(Exchange ex) {
    HttpServerResponse response = ex.response;
    response.closeHandler(v -> {
      if (!response.ended()) {
        ex.clientGone = true;
        ex.cancelUpstream();
        if (ex.relay != null) ex.relay.clientGone();
      }
    });
    long keepalive = ex.streamed() ? startKeepalive(ex) : -1;
    return attempt(ex, 0, null).andThen(ar -> {
      if (keepalive >= 0) vertx.cancelTimer(keepalive);
    });
  }

  private Future<Void> attempt(Exchange ex, int index, GatewayFailure previous) {
    List<RouteTarget> candidates = ex.route.candidates();
    if (ex.clientGone) return Future.succeededFuture();
    if (index >= candidates.size()) {
      return Future.failedFuture(previous != null ? previous : GatewayFailure.unavailable(
          "Every upstream for model '" + ex.route.model() + "' is failing; try again shortly."));
    }
    RouteTarget target = candidates.get(index);
    ProviderAdapter provider = parts.providers().get(target.provider());
    CircuitBreaker breaker = breakers.of(target);
    if (!breaker.tryAcquirePermission()) {
      parts.metrics().upstreamFailure(target.provider(), "circuit_open");
      return attempt(ex, index + 1, previous);
    }
    boolean last = index == candidates.size() - 1;
    ex.target = target;
    ex.upstreamAttempts++;
    int keyIndex = provider.keys().pick();
    long sent = System.nanoTime();
    return upstream.send(ex, provider, target, keyIndex).transform(ar -> {
      if (ar.failed()) {
        if (ex.clientGone) {
          breaker.releasePermission(); // the client left: not the target's failure
          return Future.succeededFuture();
        }
        breaker.onError(System.nanoTime() - sent, TimeUnit.NANOSECONDS, ar.cause());
        GatewayFailure failure = UpstreamCall.isTimeout(ar.cause())
            ? GatewayFailure.upstreamTimeout(provider.name())
            : GatewayFailure.upstreamUnreachable(provider.name());
        if (failure.status() == 504) ex.timedOut = true;
        log.warn("upstream {} ({}) failed for request {}: {}", provider.name(), target.upstreamModel(), ex.requestId,
            ar.cause().toString());
        parts.metrics().upstreamFailure(provider.name(), failure.status() == 504 ? "timeout" : "unreachable");
        return attempt(ex, index + 1, failure);
      }
      HttpClientResponse resp = ar.result();
      ex.upstreamHeadersNanos = System.nanoTime();
      int status = resp.statusCode();
      parts.metrics().upstreamLatency(provider.name(), ex.route.model(), ex.upstreamHeadersNanos - sent);
      if (status >= 500) breaker.onError(ex.upstreamHeadersNanos - sent, TimeUnit.NANOSECONDS, new UpstreamStatus(status));
      else breaker.onSuccess(ex.upstreamHeadersNanos - sent, TimeUnit.NANOSECONDS);
      if (status == 429) provider.keys().coolDown(keyIndex, retryAfterSeconds(resp));
      boolean retryable = status == 429 || status >= 500 || status == 401 || status == 403;
      if (retryable) parts.metrics().upstreamFailure(provider.name(), "status_" + status);
      if (retryable && !last) {
        // drain the refused answer so the connection can be reused, then try the next candidate
        return resp.body().transform(x -> attempt(ex, index + 1, null));
      }
      if (status == 401 || status == 403) {
        log.error("provider {} rejected the gateway's key (HTTP {}); check providers.{}.keys", provider.name(), status,
            provider.name());
        return resp.body().transform(x -> Future.failedFuture(GatewayFailure.upstreamAuth(provider.name())));
      }
      if (ex.streamed() && status == 200 && isEventStream(resp)) return relayStream(ex, resp);
      return relayBody(ex, resp);
    });
  }

  private Future<Void> relayBody(Exchange ex, HttpClientResponse resp) {
    return resp.body().compose(body -> {
      if (ex.clientGone) return Future.succeededFuture();
      ex.status = resp.statusCode();
      if (ex.status == 200) readUsage(ex, body);
      HttpServerResponse out = ex.response;
      if (out.headWritten()) {
        // keepalives already committed an event stream: the upstream's answer can only go as an event
        ex.streamBroken = ex.status != 200;
        out.write(Buffer.buffer("data: ").appendBuffer(body).appendString("\n\n"));
        return out.end();
      }
      ResponseHeaders.copyUpstream(resp.headers(), out.headers());
      out.setStatusCode(ex.status);
      ResponseHeaders.gateway(ex, out);
      return out.end(body);
    });
  }

  private Future<Void> relayStream(Exchange ex, HttpClientResponse resp) {
    HttpServerResponse out = ex.response;
    if (!out.headWritten()) {
      ResponseHeaders.copyUpstream(resp.headers(), out.headers());
      out.setStatusCode(200).setChunked(true);
      ResponseHeaders.eventStream(out);
      ResponseHeaders.gateway(ex, out);
    }
    ex.status = 200;
    parts.metrics().activeStreams().incrementAndGet();
    SseRelay relay = new SseRelay(ex, resp, parts.json(),
        () -> parts.metrics().timeToFirstToken(ex.route.model(), ex.firstEventNanos - ex.startNanos));
    ex.relay = relay;
    return relay.run().andThen(x -> parts.metrics().activeStreams().decrementAndGet());
  }

  /** SSE comments while waiting for the first event, so idle-timeouts between client and gateway don't fire. */
  private long startKeepalive(Exchange ex) {
    return vertx.setPeriodic(parts.keepaliveMs(), id -> {
      HttpServerResponse out = ex.response;
      if (ex.firstEventNanos != 0 || ex.clientGone || out.ended() || out.closed()) {
        vertx.cancelTimer(id);
        return;
      }
      if (!out.headWritten()) {
        out.setStatusCode(200).setChunked(true);
        ResponseHeaders.eventStream(out);
        ResponseHeaders.gateway(ex, out);
      }
      out.write(KEEPALIVE);
    });
  }

  /**
   * The provider's usage, read by streaming past everything but the {@code usage} field (no tree of
   * the whole answer); without usage, the answer's text, so billing can estimate.
   */
  private void readUsage(Exchange ex, Buffer body) {
    byte[] bytes = body.getBytes();
    try (JsonParser p = parts.json().createParser(bytes)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          p.nextToken();
          if (field.equals("usage")) {
            ex.reportedUsage = Usage.from(p.readValueAsTree());
          } else {
            p.skipChildren();
          }
        }
      }
      if (ex.reportedUsage == null) ex.relayedText.append(UsageMeter.answerText(parts.json().readTree(bytes)));
    } catch (Exception e) {
      log.warn("upstream answer to {} is not JSON; no usage read", ex.requestId);
    }
  }

  // ---- the end of every request

  /** A request that was refused before admission: no settlement, but counted and logged. */
  private void refuse(Exchange ex, Throwable failure) {
    respondError(ex, failure);
    finish(ex);
  }

  private void respondError(Exchange ex, Throwable failure) {
    GatewayFailure f = ErrorResponses.asFailure(failure);
    ex.status = f.status();
    ex.errorCode = f.code();
    if (f.status() == 413) ex.response.putHeader("connection", "close");
    if (!ex.response.headWritten()) ResponseHeaders.gateway(ex, ex.response);
    ErrorResponses.send(ex.response, f);
  }

  private void settle(Exchange ex, Settlement settlement) {
    if (ex.clientGone && ex.status == 0) ex.status = 499;
    // billing first: the admission's settlement releases its reservation against the charge billing computed
    for (Settlement s : parts.settlements()) {
      try {
        s.settle(ex);
      } catch (RuntimeException e) {
        log.error("settlement of request {} failed", ex.requestId, e);
      }
    }
    try {
      settlement.settle(ex);
    } catch (RuntimeException e) {
      log.error("releasing the quota reservation of request {} failed", ex.requestId, e);
    }
    finish(ex);
  }

  private void finish(Exchange ex) {
    parts.metrics().inFlight().decrementAndGet();
    long nanos = System.nanoTime() - ex.startNanos;
    String endpoint = ex.api != null ? ex.api.endpoint().wireName() : "unknown";
    parts.metrics().request(endpoint, ex.modelOrUnknown(), ex.status, nanos);
    parts.accessLog().log(ex, nanos);
  }

  private static boolean isEventStream(HttpClientResponse resp) {
    String type = resp.getHeader("content-type");
    return type != null && type.startsWith("text/event-stream");
  }

  private static long retryAfterSeconds(HttpClientResponse resp) {
    try {
      String v = resp.getHeader("retry-after");
      return v == null ? 10 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return 10;
    }
  }

  /** An upstream 5xx, recorded as a failure by the target's circuit breaker. */
  private static final class UpstreamStatus extends RuntimeException {
    UpstreamStatus(int status) {
      super("upstream status " + status, null, false, false);
    }
  }
}
