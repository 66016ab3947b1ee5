package dev.tollgate.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.auth.Caller;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.route.Route;
import dev.tollgate.route.RouteTarget;
import dev.tollgate.support.Http;
import dev.tollgate.support.TestStack;
import dev.tollgate.team.Limits;
import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import dev.tollgate.wire.openai.OpenAiDialect;
import dev.tollgate.wire.openai.OpenAiEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Stages under test on a real HTTP server on port 0. Every request runs the response stage (so a
 * failure comes back as the client would see it), then {@code given} (which fills in what earlier stages
 * would have: caller, request, route), then the stages under test. Contexts are kept for assertions.
 */
final class StageHarness implements AutoCloseable {
  static final OpenAiDialect OPENAI = new OpenAiDialect(new ObjectMapper());

  final Vertx vertx = Vertx.vertx();
  final GatewayMetrics metrics = new GatewayMetrics();
  final HttpClient client = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true));
  /** Every request's context, in arrival order. */
  final List<RequestContext> contexts = new CopyOnWriteArrayList<>();
  /** The contexts that reached {@link #answer200()}. */
  final List<RequestContext> reached = new CopyOnWriteArrayList<>();
  final Http http;
  private final HttpServer server;
  private final List<Runnable> beforeClose = new ArrayList<>();

  private StageHarness(Consumer<RequestContext> given, Function<StageHarness, List<Stage>> stages) {
    List<Stage> all = new ArrayList<>();
    all.add(new RespondStage(metrics, new AccessLog(false)));
    all.add((ctx, next) -> {
      given.accept(ctx);
      return next.run(ctx);
    });
    all.addAll(stages.apply(this));
    Pipeline pipeline = new Pipeline(all);
    server = TestStack.await(vertx.createHttpServer().requestHandler(req -> {
      RequestContext ctx = new RequestContext(req, OPENAI, OpenAiEndpoint.CHAT_COMPLETIONS, null);
      contexts.add(ctx);
      pipeline.run(ctx);
    }).listen(0, "127.0.0.1"));
    http = new Http("http://127.0.0.1:" + server.actualPort());
  }

  static StageHarness start(Consumer<RequestContext> given, Function<StageHarness, List<Stage>> stages) {
    return new StageHarness(given, stages);
  }

  /** A last stage that records the context and answers 200 with an empty JSON object. */
  Stage answer200() {
    return (ctx, next) -> {
      reached.add(ctx);
      return ctx.response().putHeader("content-type", "application/json").end("{}");
    };
  }

  int port() {
    return server.actualPort();
  }

  RequestContext last() {
    return contexts.get(contexts.size() - 1);
  }

  // ---- what earlier stages would have put on the context

  static Team team(String id, Limits limits) {
    return new Team(id, id, null, limits, List.of(), Map.of(), false, Instant.EPOCH, Instant.EPOCH);
  }

  static Caller caller(Team team) {
    return new Caller(team, new TeamKey("key-" + team.id(), team.id(), "main", "hash", "tg-…", null, List.of(), Limits.NONE,
        false, Instant.EPOCH, null));
  }

  static void read(RequestContext ctx, String body) {
    ctx.api(OPENAI.read(OpenAiEndpoint.CHAT_COMPLETIONS, body.getBytes(), null));
  }

  /** Upstream settings for tests: short timeouts and backoff, a breaker that opens after 10 calls for {@code openFor}. */
  static GatewayConfig.Upstream upstream(int maxAttempts, Duration openFor) {
    return new GatewayConfig.Upstream(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ZERO, maxAttempts,
        Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofMinutes(5),
        new GatewayConfig.Breaker(50, 10, 20, openFor, 2, Duration.ZERO), 2000, 32L * 1024 * 1024, 4L * 1024 * 1024);
  }

  static Route route(String model, RouteTarget... targets) {
    return new Route(model, model, List.of(targets), null, null);
  }

  /** Runs {@code stop} when the harness closes, while its Vert.x still runs (for parts a test started on it). */
  void onClose(Runnable stop) {
    beforeClose.add(stop);
  }

  @Override
  public void close() {
    beforeClose.forEach(Runnable::run);
    // Vert.x is closed from the test thread: closing it from one of its own event loops can hang
    TestStack.await(server.close().transform(x -> client.close()));
    TestStack.await(vertx.close());
  }

  static Future<Void> done() {
    return Future.succeededFuture();
  }
}
