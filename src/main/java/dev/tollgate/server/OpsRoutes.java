package dev.tollgate.server;

import dev.tollgate.metrics.GatewayMetrics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * Operations endpoints: Prometheus metrics, liveness, and readiness: 200, or 503 with why not
 * ({@code {"status":"not ready","ready":false,"reasons":[...]}}).
 */
final class OpsRoutes {
  private OpsRoutes() {}

  static void mount(Router router, GatewayMetrics metrics, Readiness readiness) {
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.scrape()));
    router.get("/healthz").handler(ctx -> ctx.response()
        .putHeader("content-type", "application/json").end("{\"status\":\"ok\"}"));
    router.get("/readyz").handler(ctx -> {
      List<String> reasons = readiness.reasons();
      boolean ready = reasons.isEmpty();
      JsonObject body = new JsonObject().put("status", ready ? "ready" : "not ready").put("ready", ready)
          .put("reasons", new JsonArray(reasons));
      ctx.response().setStatusCode(ready ? 200 : 503)
          .putHeader("content-type", "application/json")
          .end(body.encode());
    });
  }
}
