package dev.tollgate.server;

import dev.tollgate.pipeline.CallerEndpoint;
import dev.tollgate.pipeline.ProxyPipeline;
import dev.tollgate.quota.QuotaView;
import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.anthropic.AnthropicOperation;
import dev.tollgate.wire.openai.OpenAiDialect;
import dev.tollgate.wire.openai.OpenAiEndpoint;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;

/**
 * The client API: OpenAI's paths and Anthropic's Messages API ({@code /v1/messages}, {@code /v1/messages/count_tokens}),
 * plus the older shapes existing code still calls — the pre-1.0
 * SDKs' {@code /v1/engines/{engine}/…} and Azure OpenAI's {@code /openai/deployments/{deployment}/…}
 * and {@code /openai/v1/…} (any {@code api-version} accepted) — where the engine or deployment in the
 * path is the model. All of them run the same pipeline. Beside it, what a team key may read: its
 * models and its own quota.
 */
final class ApiRoutes {
  private static final OpenAiEndpoint[] LEGACY = {OpenAiEndpoint.COMPLETIONS, OpenAiEndpoint.CHAT_COMPLETIONS, OpenAiEndpoint.EMBEDDINGS};

  private ApiRoutes() {}

  static void mount(Router router, ProxyPipeline pipeline, OpenAiDialect openai, AnthropicDialect anthropic, CallerEndpoint callers,
      ModelList models, QuotaView quotas) {
    for (AnthropicOperation op : AnthropicOperation.values()) {
      router.post("/v1" + op.path()).handler(ctx -> pipeline.handle(ctx.request(), anthropic, op, null));
    }
    for (OpenAiEndpoint e : openai.operations()) {
      router.post("/v1" + e.path()).handler(ctx -> pipeline.handle(ctx.request(), openai, e, null));
      router.post("/openai/v1" + e.path()).handler(ctx -> pipeline.handle(ctx.request(), openai, e, null));
    }
    for (OpenAiEndpoint e : LEGACY) {
      router.post("/v1/engines/:engine" + e.path())
          .handler(ctx -> pipeline.handle(ctx.request(), openai, e, ctx.pathParam("engine")));
      router.post("/openai/deployments/:deployment" + e.path())
          .handler(ctx -> pipeline.handle(ctx.request(), openai, e, ctx.pathParam("deployment")));
    }
    router.get("/v1/models").handler(ctx -> callers.handle(ctx.request(), c -> Future.succeededFuture(models.of(c))));
    router.get("/openai/v1/models").handler(ctx -> callers.handle(ctx.request(), c -> Future.succeededFuture(models.of(c))));
    router.get("/tollgate/quota").handler(ctx -> callers.handle(ctx.request(),
        c -> quotas.of(c.team(), c.key()).map(Object::toString)));
  }
}
