package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the body (413 past the limit; 408, and the connection closed, when it has not all arrived within the
 * read timeout, however slowly it trickles) and has the client API's dialect read it (400 for what it rejects).
 * A client that closes or resets the connection before its body is complete has left (499): no error of the gateway's.
 */
final class ReadBodyStage implements Stage {
  private static final Logger log = LoggerFactory.getLogger(ReadBodyStage.class);

  private final long maxBodyBytes;
  private final long timeoutMs;

  ReadBodyStage(long maxBodyBytes, long timeoutMs) {
    this.maxBodyBytes = maxBodyBytes;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    Promise<Buffer> body = Promise.promise();
    Deadlines.Deadline timer = Deadlines.after(timeoutMs, () -> body.tryFail(new GatewayFailure(408, "invalid_request_error",
        "request_timeout", null, "The request body did not arrive within server.body-read-timeout (" + timeoutMs + " ms).")));
    BodyReader.read(ctx.request(), maxBodyBytes).onComplete(ar -> {
      timer.cancel();
      if (ar.succeeded()) body.tryComplete(ar.result());
      else body.tryFail(ar.cause());
    });
    return body.future().compose(read -> {
      ctx.api(ctx.dialect().read(ctx.operation(), read.getBytes(), ctx.pathModel()));
      return next.run(ctx);
    }, failure -> {
      if (ClientConnection.lost(ctx.response(), failure)) {
        log.debug("request {}: the client closed the connection while sending its body", ctx.requestId());
        ctx.clientLeft();
      }
      return Future.failedFuture(failure);
    });
  }
}
