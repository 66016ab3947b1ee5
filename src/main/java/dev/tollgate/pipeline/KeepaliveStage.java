package dev.tollgate.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * For a streamed request, the dialect's keepalive (an SSE comment, Anthropic's {@code ping} event) every {@code server.sse-keepalive} until the first event
 * reaches the client, so idle timeouts between client and gateway don't fire while the model thinks.
 */
final class KeepaliveStage implements Stage {
  private final Vertx vertx;
  private final long intervalMs;

  KeepaliveStage(Vertx vertx, long intervalMs) {
    this.vertx = vertx;
    this.intervalMs = intervalMs;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    if (!ctx.api().stream()) return next.run(ctx);
    Buffer keepalive = Buffer.buffer(ctx.dialect().keepalive());
    long timer = vertx.setPeriodic(intervalMs, id -> {
      HttpServerResponse out = ctx.response();
      if (ctx.outcome().firstEventNanos() != 0 || ctx.clientGone() || out.ended() || out.closed()) {
        vertx.cancelTimer(id);
        return;
      }
      if (!out.headWritten()) ResponseHeaders.startEventStream(ctx, out);
      out.write(keepalive);
    });
    return next.run(ctx).andThen(done -> vertx.cancelTimer(timer));
  }
}
