package dev.tollgate.pipeline;

import io.vertx.core.Future;

/**
 * One named step of the request pipeline. A stage does its work and continues with {@code next}, or
 * answers the request itself without it (a refusal, a cache hit). Work it attaches to the future
 * {@code next} returns is its after-work: it runs exactly when its own work ran, once the stages after
 * it are done, so after-work runs in the reverse order of the stages.
 */
public interface Stage {
  /** Completes when the request has ended as far as this stage is concerned; fails with what the client must be told. */
  Future<Void> handle(RequestContext ctx, Next next);

  /** The rest of the pipeline after a stage. */
  @FunctionalInterface
  interface Next {
    Future<Void> run(RequestContext ctx);
  }
}
