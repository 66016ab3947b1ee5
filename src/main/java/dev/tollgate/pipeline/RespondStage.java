package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.metrics.GatewayMetrics;
import io.vertx.core.Future;

/**
 * The outermost stage: whatever happens inside, the client gets an answer (a failure becomes the
 * client API's error body, in one place) and the request is counted and logged exactly once.
 */
final class RespondStage implements Stage {
  private final GatewayMetrics metrics;
  private final AccessLog accessLog;

  RespondStage(GatewayMetrics metrics, AccessLog accessLog) {
    this.metrics = metrics;
    this.accessLog = accessLog;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    metrics.inFlight().incrementAndGet();
    return next.run(ctx).transform(ar -> {
      // a client that left needs no answer, and its leaving is no error of ours
      if (ar.failed() && !ctx.clientGone()) respond(ctx, ctx.failed(ar.cause()));
      finish(ctx);
      return Future.succeededFuture();
    });
  }

  private static void respond(RequestContext ctx, GatewayFailure f) {
    if (f.status() == 413) ctx.response().putHeader("connection", "close");
    if (!ctx.response().headWritten()) ResponseHeaders.gateway(ctx, ctx.response());
    ErrorReply.send(ctx.response(), f, ctx.dialect().errorBody(f));
  }

  private void finish(RequestContext ctx) {
    metrics.inFlight().decrementAndGet();
    long nanos = System.nanoTime() - ctx.startNanos();
    metrics.request(ctx.operation().wireName(), ctx.modelOrUnknown(), ctx.status(), nanos);
    accessLog.log(ctx, nanos);
  }
}
