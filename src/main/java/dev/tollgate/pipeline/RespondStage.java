package dev.tollgate.pipeline;

import dev.tollgate.core.BenchSwitches;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * The outermost stage: whatever happens inside, the client gets an answer (a failure becomes the
 * client API's error body, in one place) and the request is counted and logged exactly once — unless it is one of
 * the warm-up's synthetic requests, which are neither.
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
    ctx.watchClient();
    return next.run(ctx).transform(ar -> {
      // a client that left needs no answer, and its leaving is no error of ours
      if (ar.failed() && !ctx.clientGone()) respond(ctx, ctx.failed(ar.cause()));
      finish(ctx);
      return Future.succeededFuture();
    });
  }

  private static void respond(RequestContext ctx, GatewayFailure f) {
    HttpServerResponse out = ctx.response();
    if (out.headWritten() && ctx.streamed() && !out.ended() && !out.closed()) {
      // keepalives committed an event stream: the failure can only go as the stream's error event, then a clean end
      out.write(Buffer.buffer(ctx.dialect().errorEvent(ctx.api(), f)));
      out.end();
      return;
    }
    // a body too large or too slow was not read to its end: the connection cannot carry another request
    if (f.status() == 413 || f.status() == 408) ErrorReply.closeAfterDraining(ctx.request());
    if (!out.headWritten()) ResponseHeaders.gateway(ctx, out);
    ErrorReply.send(out, f, ctx.dialect().errorBody(f));
  }

  private void finish(RequestContext ctx) {
    boolean synthetic = ctx.synthetic();
    if (synthetic) metrics.syntheticInFlight().decrementAndGet();
    metrics.inFlight().decrementAndGet();
    if (BenchSwitches.METRICS.off() || synthetic) return;
    long nanos = System.nanoTime() - ctx.startNanos();
    metrics.request(ctx.operation().wireName(), ctx.modelOrUnknown(), ctx.status(), nanos);
    accessLog.log(ctx, nanos);
  }
}
