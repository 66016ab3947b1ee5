package dev.tollgate.server;

import dev.tollgate.metrics.GatewayMetrics;
import io.vertx.ext.web.Router;

/** Operations endpoints: Prometheus metrics, liveness and readiness. */
final class OpsRoutes {
  private OpsRoutes() {}

  static void mount(Router router, GatewayMetrics metrics, Readiness readiness) {
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.scrape()));
    router.get("/healthz").handler(ctx -> ctx.response()
        .putHeader("content-type", "application/json").end("{\"status\":\"ok\"}"));
    router.get("/readyz").handler(ctx -> {
      boolean ready = readiness.isReady();
      ctx.response().setStatusCode(ready ? 200 : 503)
          .putHeader("content-type", "application/json")
          .end(ready ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
    });
  }
}
