package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;

/**
 * The last stage: the upstream's answer to the client. A successful event stream goes event by
 * event; anything else as the body it is, with the upstream's status.
 */
final class RelayStage implements Stage {
  private final Relay relay;
  private final long idleMs;

  /** @param idleMs the longest silence between a stream's events ({@code server.idle-timeout}) */
  RelayStage(Relay relay, long idleMs) {
    this.relay = relay;
    this.idleMs = idleMs;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    HttpClientResponse answer = ctx.attempts().answer();
    if (ctx.api().stream() && answer.statusCode() == 200 && isEventStream(answer)) {
      return relay.stream(ctx, answer.headers(), answer, idleMs);
    }
    return answer.body().transform(ar -> {
      if (ar.succeeded() && ctx.tap() != null) ctx.tap().body(answer.statusCode(), ar.result());
      if (ctx.clientGone()) return Future.succeededFuture();
      if (ar.failed()) return Future.failedFuture(bodyFailure(ctx, ar.cause()));
      return relay.body(ctx, answer.statusCode(), answer.headers(), ar.result());
    });
  }

  /** The upstream stopped sending its answer's body: silent past the timeout, or the connection broke. */
  private static GatewayFailure bodyFailure(RequestContext ctx, Throwable cause) {
    String provider = ctx.attempts().target().provider();
    if (UpstreamStage.isTimeout(cause)) {
      ctx.outcome().markTimedOut();
      return GatewayFailure.upstreamTimeout(provider);
    }
    return GatewayFailure.upstreamUnreachable(provider);
  }

  private static boolean isEventStream(HttpClientResponse resp) {
    String type = resp.getHeader("content-type");
    return type != null && type.startsWith("text/event-stream");
  }
}
