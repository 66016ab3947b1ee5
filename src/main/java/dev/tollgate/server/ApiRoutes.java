package dev.tollgate.server;

import dev.tollgate.proxy.Endpoint;
import dev.tollgate.proxy.ModelList;
import dev.tollgate.proxy.ProxyPipeline;
import io.vertx.ext.web.Router;

/**
 * The client API: OpenAI's paths, plus the older shapes existing code still calls — the pre-1.0
 * SDKs' {@code /v1/engines/{engine}/…} and Azure OpenAI's {@code /openai/deployments/{deployment}/…}
 * and {@code /openai/v1/…} (any {@code api-version} accepted) — where the engine or deployment in the
 * path is the model. All of them run the same pipeline.
 */
final class ApiRoutes {
  private static final Endpoint[] LEGACY = {Endpoint.COMPLETIONS, Endpoint.CHAT_COMPLETIONS, Endpoint.EMBEDDINGS};

  private ApiRoutes() {}

  static void mount(Router router, ProxyPipeline pipeline, ModelList models) {
    for (Endpoint e : Endpoint.values()) {
      router.post("/v1" + e.path).handler(ctx -> pipeline.handle(ctx.request(), e, null));
      router.post("/openai/v1" + e.path).handler(ctx -> pipeline.handle(ctx.request(), e, null));
    }
    for (Endpoint e : LEGACY) {
      router.post("/v1/engines/:engine" + e.path).handler(ctx -> pipeline.handle(ctx.request(), e, ctx.pathParam("engine")));
      router.post("/openai/deployments/:deployment" + e.path)
          .handler(ctx -> pipeline.handle(ctx.request(), e, ctx.pathParam("deployment")));
    }
    router.get("/v1/models").handler(ctx -> models.handle(ctx.request()));
    router.get("/openai/v1/models").handler(ctx -> models.handle(ctx.request()));
  }
}
