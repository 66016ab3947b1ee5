package dev.tollgate.pipeline;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the body (413 past the limit) and has the client API's dialect read it (400 for what it rejects). A
 * client that closes the connection before its body is complete has left (499): no error of the gateway's.
 */
final class ReadBodyStage implements Stage {
  private static final Logger log = LoggerFactory.getLogger(ReadBodyStage.class);

  private final long maxBodyBytes;

  ReadBodyStage(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    return BodyReader.read(ctx.request(), maxBodyBytes).compose(body -> {
      ctx.api(ctx.dialect().read(ctx.operation(), body.getBytes(), ctx.pathModel()));
      return next.run(ctx);
    }, failure -> {
      if (failure instanceof HttpClosedException || failure instanceof StreamResetException) {
        log.debug("request {}: the client closed the connection while sending its body", ctx.requestId());
        ctx.clientLeft();
      }
      return Future.failedFuture(failure);
    });
  }
}
