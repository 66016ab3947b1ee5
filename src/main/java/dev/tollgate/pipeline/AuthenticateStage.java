package dev.tollgate.pipeline;

import dev.tollgate.auth.Authenticator;
import dev.tollgate.auth.Caller;
import dev.tollgate.core.BenchSwitches;
import dev.tollgate.metrics.GatewayMetrics;
import io.vertx.core.Future;

/**
 * Who is calling: the team key's team and key, or 401 for a missing, unknown, revoked or expired key. A warm-up's
 * synthetic request is counted apart from here on, so that the in-flight gauge shows clients' requests only
 * ({@link RespondStage} uncounts it).
 */
final class AuthenticateStage implements Stage {
  private final Authenticator authenticator;
  private final GatewayMetrics metrics;

  AuthenticateStage(Authenticator authenticator, GatewayMetrics metrics) {
    this.authenticator = authenticator;
    this.metrics = metrics;
  }

  private Caller first; // BenchSwitches.AUTH.off() only

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    if (BenchSwitches.AUTH.off() && first != null) {
      ctx.caller(first);
    } else {
      ctx.caller(authenticator.authenticate(ctx.request()));
      if (BenchSwitches.AUTH.off()) first = ctx.caller();
    }
    if (ctx.synthetic()) metrics.syntheticInFlight().incrementAndGet();
    return next.run(ctx);
  }
}
