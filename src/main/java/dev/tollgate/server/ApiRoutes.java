package dev.tollgate.server;

import dev.tollgate.proxy.Endpoint;
import dev.tollgate.proxy.ModelList;
import dev.tollgate.proxy.ProxyPipeline;
import io.vertx.ext.web.Router;

/** The client API: OpenAI's paths. */
final class ApiRoutes {
  private ApiRoutes() {}

  static void mount(Router router, ProxyPipeline pipeline, ModelList models) {
    for (Endpoint e : Endpoint.values()) {
      router.post("/v1" + e.path).handler(ctx -> pipeline.handle(ctx.request(), e, null));
    }
    router.get("/v1/models").handler(ctx -> models.handle(ctx.request()));
  }
}
