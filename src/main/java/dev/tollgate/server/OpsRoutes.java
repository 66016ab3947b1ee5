package dev.tollgate.server;

import io.vertx.ext.web.Router;

/** Operations endpoints: liveness and readiness, and Prometheus metrics unless they are served on a port of their own. */
final class OpsRoutes {
  private OpsRoutes() {}

  static void mount(Router router, GatewayParts parts) {
    if (parts.config().server().metrics().port() == null) parts.metricsEndpoint().mount(router);
    router.get("/healthz").handler(ctx -> ctx.response()
        .putHeader("content-type", "application/json").end("{\"status\":\"ok\"}"));
    router.get("/readyz").handler(ctx -> {
      boolean ready = parts.readiness().isReady();
      ctx.response().setStatusCode(ready ? 200 : 503)
          .putHeader("content-type", "application/json")
          .end(ready ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
    });
  }
}
