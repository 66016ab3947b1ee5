package dev.tollgate.server;

import dev.tollgate.auth.AddressLockout;
import dev.tollgate.auth.Credentials;
import dev.tollgate.auth.KeyHash;
import dev.tollgate.config.Secret;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.pipeline.ErrorReply;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}, in Prometheus' text format: behind {@code server.metrics.token} when one is set (a
 * bearer token, compared in constant time, with wrong guesses slowed per address), open otherwise.
 */
final class MetricsEndpoint {
  private final GatewayMetrics metrics;
  private final Secret token;
  private final AddressLockout lockout;

  /** @param token null: no token needed */
  MetricsEndpoint(GatewayMetrics metrics, Secret token, AddressLockout lockout) {
    this.metrics = metrics;
    this.token = token;
    this.lockout = lockout;
  }

  void mount(Router router) {
    router.get("/metrics").handler(this::scrape);
  }

  private void scrape(RoutingContext ctx) {
    GatewayFailure refused = refusal(ctx);
    if (refused != null) {
      ErrorReply.send(ctx.response(), refused);
      return;
    }
    ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
  }

  private GatewayFailure refusal(RoutingContext ctx) {
    if (token == null) return null;
    GatewayFailure lockedOut = lockout.refusal(ctx.request());
    if (lockedOut != null) return lockedOut;
    String given = Credentials.bearer(ctx.request().getHeader("authorization"));
    if (given != null && KeyHash.same(given, token.reveal())) return null;
    lockout.failed(ctx.request());
    return GatewayFailure.invalidKey("The metrics token is required: 'Authorization: Bearer <metrics token>' (server.metrics.token).")
        .header("www-authenticate", "Bearer");
  }
}
