package dev.tollgate.pipeline;

import io.vertx.core.Future;
import java.util.List;

/** Stages run in order, each handed the rest of the pipeline as its {@code next}. */
public final class Pipeline {
  private final Stage[] stages;
  private final Stage.Next[] rest;

  public Pipeline(List<Stage> stages) {
    this.stages = stages.toArray(Stage[]::new);
    this.rest = new Stage.Next[this.stages.length + 1];
    for (int i = 0; i < rest.length; i++) {
      int from = i;
      rest[i] = ctx -> run(from, ctx);
    }
  }

  public Future<Void> run(RequestContext ctx) {
    return run(0, ctx);
  }

  private Future<Void> run(int index, RequestContext ctx) {
    if (index == stages.length) return Future.succeededFuture();
    try {
      return stages[index].handle(ctx, rest[index + 1]);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
