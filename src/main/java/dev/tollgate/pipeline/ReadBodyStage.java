package dev.tollgate.pipeline;

import io.vertx.core.Future;

/** Reads the body (413 past the limit) and has the client API's dialect read it (400 for what it rejects). */
final class ReadBodyStage implements Stage {
  private final long maxBodyBytes;

  ReadBodyStage(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    return BodyReader.read(ctx.request(), maxBodyBytes).compose(body -> {
      ctx.api(ctx.dialect().read(ctx.operation(), body.getBytes(), ctx.pathModel()));
      return next.run(ctx);
    });
  }
}
