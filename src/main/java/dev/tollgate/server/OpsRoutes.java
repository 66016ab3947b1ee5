package dev.tollgate.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * Operations endpoints: liveness, readiness (200, or 503 with why not:
 * {@code {"status":"not ready","ready":false,"reasons":[...]}}), and Prometheus metrics unless they are served on a
 * port of their own.
 */
final class OpsRoutes {
  private OpsRoutes() {}

  static void mount(Router router, GatewayParts parts) {
    if (parts.config().server().metrics().port() == null) parts.metricsEndpoint().mount(router);
    router.get("/healthz").handler(ctx -> ctx.response()
        .putHeader("content-type", "application/json").end("{\"status\":\"ok\"}"));
    router.get("/readyz").handler(ctx -> {
      List<String> reasons = parts.readiness().reasons();
      boolean ready = reasons.isEmpty();
      JsonObject body = new JsonObject().put("status", ready ? "ready" : "not ready").put("ready", ready)
          .put("reasons", new JsonArray(reasons));
      ctx.response().setStatusCode(ready ? 200 : 503)
          .putHeader("content-type", "application/json")
          .end(body.encode());
    });
  }
}
