package dev.tollgate.server;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.pipeline.ErrorReply;
import dev.tollgate.pipeline.ProxyPipeline;
import dev.tollgate.pipeline.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One event loop's share of the gateway: an HTTP server on the shared port and its own upstream
 * client, so a request and its upstream call stay on one event loop.
 */
final class GatewayVerticle extends VerticleBase {
  private final GatewayParts parts;
  private final int port;
  private final Consumer<Router> extraRoutes;
  private HttpServer server;

  GatewayVerticle(GatewayParts parts, int port, Consumer<Router> extraRoutes) {
    this.parts = parts;
    this.port = port;
    this.extraRoutes = extraRoutes;
  }

  @Override
  public Future<?> start() {
    var cfg = parts.config().server();
    var client = vertx.createHttpClient(
        new HttpClientOptions()
            .setTcpNoDelay(true)
            .setKeepAlive(true)
            .setConnectTimeout((int) cfg.connectTimeout().toMillis())
            .setDecompressionSupported(false),
        new PoolOptions().setHttp1MaxSize(cfg.upstreamConnections()).setMaxWaitQueueSize(100_000));
    ProxyPipeline pipeline = new ProxyPipeline(vertx, client, parts.pipeline());
    Router router = Router.router(vertx);
    // every response carries the request's id, errors of the router's own included
    ConnectionCap.Loop cap = parts.connections().perLoop(vertx);
    router.route().handler(ctx -> {
      RequestIds.of(ctx.request());
      if (!cap.refused(ctx.request())) ctx.next();
    });
    ApiRoutes.mount(router, pipeline, parts.openai(), parts.anthropic(), parts.callers(), parts.models(), parts.quotas());
    OpsRoutes.mount(router, parts);
    extraRoutes.accept(router);
    router.route().last().handler(ctx -> {
      String allowed = MethodsAllowed.on(router, ctx.request().path());
      if (allowed.isEmpty()) {
        ErrorReply.send(ctx.response(),
            GatewayFailure.notFound("Unknown request URL: " + ctx.request().method() + " " + ctx.request().path() + "."));
      } else {
        ErrorReply.send(ctx.response(), new GatewayFailure(405, "invalid_request_error", "method_not_allowed", null,
            "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path() + "; use " + allowed + ".")
            .header("allow", allowed));
      }
    });
    router.errorHandler(400, ctx -> {
      RequestIds.of(ctx.request());
      ErrorReply.send(ctx.response(), badRequest(ctx.failure()));
    });
    router.errorHandler(500, ctx -> ErrorReply.send(ctx.response(), ctx.failure() == null ? GatewayFailure.internal() : ctx.failure()));
    router.errorHandler(405, ctx -> ErrorReply.send(ctx.response(), new GatewayFailure(405, "invalid_request_error",
        "method_not_allowed", null, "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path() + ".")));
    server = vertx.createHttpServer(new HttpServerOptions()
            .setTcpNoDelay(true)
            .setIdleTimeout(300)
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setCompressionSupported(false))
        .connectionHandler(cap::connected)
        .requestHandler(router);
    return server.listen(port, cfg.host());
  }

  /**
   * The router's own 400s: a path it cannot decode (bad percent-encoding; the router then fails without a cause,
   * and its decoder's message, which would quote the path, is not passed on), no Host header, an empty path.
   */
  private static GatewayFailure badRequest(Throwable failure) {
    if (failure instanceof GatewayFailure f) return f;
    if (failure == null || failure instanceof IllegalArgumentException) {
      return GatewayFailure.badRequest("The request path is not validly percent-encoded.", null);
    }
    if (failure instanceof VertxException && failure.getMessage() != null) return GatewayFailure.badRequest(failure.getMessage(), null);
    return GatewayFailure.badRequest("The request is malformed.", null);
  }

  int actualPort() {
    return server.actualPort();
  }

  /** Stops accepting and lets requests in flight finish, up to the grace period. */
  Future<Void> drain(long graceMillis) {
    return server.shutdown(graceMillis, TimeUnit.MILLISECONDS);
  }
}
