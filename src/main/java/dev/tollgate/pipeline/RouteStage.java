package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.route.ModelRouter;
import dev.tollgate.route.Route;
import io.vertx.core.Future;

/**
 * The model asked for (or its alias) to its targets: 404 for an unknown model, 403 for one the key may not use. The
 * warm-up's synthetic requests are routed by a router of their own.
 */
final class RouteStage implements Stage {
  private final ModelRouter router;
  private final ModelRouter synthetic;

  RouteStage(ModelRouter router) {
    this(router, new ModelRouter(java.util.Map.of()));
  }

  RouteStage(ModelRouter router, ModelRouter synthetic) {
    this.router = router;
    this.synthetic = synthetic;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    String model = ctx.api().model();
    Route route = (ctx.caller().synthetic() ? synthetic : router).route(model);
    if (route == null) throw GatewayFailure.modelNotFound(model);
    if (!ctx.caller().mayUse(route.model()) && !ctx.caller().mayUse(route.requested())) {
      throw GatewayFailure.modelNotAllowed(model);
    }
    ctx.route(route);
    return next.run(ctx);
  }
}
