package dev.tollgate.pipeline;

import dev.tollgate.auth.Authenticator;
import io.vertx.core.Future;

/** Who is calling: the team key's team and key, or 401 for a missing, unknown, revoked or expired key. */
final class AuthenticateStage implements Stage {
  private final Authenticator authenticator;

  AuthenticateStage(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    ctx.caller(authenticator.authenticate(ctx.request()));
    return next.run(ctx);
  }
}
