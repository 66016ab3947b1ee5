package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.metrics.GatewayMetrics;
import io.vertx.core.Future;
import java.util.function.BooleanSupplier;

/**
 * Sheds load (503) while the usage ledger is far behind (past half its buffer), so that no admitted
 * request's record risks being lost.
 */
final class ShedLoadStage implements Stage {
  private final BooleanSupplier ledgerBacklogged;
  private final GatewayMetrics metrics;

  ShedLoadStage(BooleanSupplier ledgerBacklogged, GatewayMetrics metrics) {
    this.ledgerBacklogged = ledgerBacklogged;
    this.metrics = metrics;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    if (ledgerBacklogged.getAsBoolean()) {
      metrics.loadShed();
      throw GatewayFailure.unavailable("The gateway is overloaded (its usage ledger is behind); retry shortly.")
          .header("retry-after", "1");
    }
    return next.run(ctx);
  }
}
