package dev.tollgate.pipeline;

import dev.tollgate.auth.Authenticator;
import dev.tollgate.auth.Caller;
import io.vertx.core.Future;

/** Who is calling: the team key's team and key, or 401 for a missing, unknown, revoked or expired key. */
final class AuthenticateStage implements Stage {
  private final Authenticator authenticator;

  AuthenticateStage(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  private Caller first; // BenchSwitches.AUTH_OFF only

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    if (BenchSwitches.AUTH_OFF && first != null) {
      ctx.caller(first);
      return next.run(ctx);
    }
    ctx.caller(authenticator.authenticate(ctx.request()));
    if (BenchSwitches.AUTH_OFF) first = ctx.caller();
    return next.run(ctx);
  }
}
