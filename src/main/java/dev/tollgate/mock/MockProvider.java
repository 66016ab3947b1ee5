package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The built-in fake provider: OpenAI's chat/completions, completions, embeddings, responses and models
 * ({@link MockOpenAi}), and Anthropic's messages and count_tokens ({@link MockAnthropic}), with deterministic
 * answers and faults on demand (see {@link MockBehaviour}). It runs in-process for {@code type: mock} providers
 * and tests, or standalone ({@code tollgate mock}).
 */
public final class MockProvider {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final MockBehaviour.Defaults defaults;
  private final MockStats stats = new MockStats();
  private final AtomicLong ids = new AtomicLong();
  private HttpServer server;

  private MockProvider(Vertx vertx, MockBehaviour.Defaults defaults) {
    this.vertx = vertx;
    this.defaults = defaults;
  }

  public static Future<MockProvider> start(Vertx vertx, String host, int port) {
    return start(vertx, host, port, 0, 16, 0, null);
  }

  /**
   * @param fault what every request without an {@code x-mock-fault} header gets ({@code 500}, {@code 429},
   *     {@code hang}, {@code cut:N}...), or null: a provider that is down or overloaded for everyone
   */
  public static Future<MockProvider> start(Vertx vertx, String host, int port, long latencyMs, int tokens, long intervalMs,
      String fault) {
    MockProvider mock = new MockProvider(vertx, new MockBehaviour.Defaults(latencyMs, tokens, intervalMs, fault));
    mock.server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setIdleTimeout(0))
        .requestHandler(mock::handle);
    // its tokenizer's ranks load in about a second: on a worker, not in the first request on an event loop
    return vertx.executeBlocking(() -> MockTokens.count("warm up"))
        .compose(n -> mock.server.listen(port, host)).map(s -> mock);
  }

  public int port() {
    return server.actualPort();
  }

  public MockStats stats() {
    return stats;
  }

  public Future<Void> close() {
    return server.close();
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> dispatch(req, body));
  }

  private void dispatch(HttpServerRequest req, Buffer body) {
    String path = req.path();
    if (path.equals("/_mock/stats")) {
      req.response().putHeader("content-type", "application/json").end(new JsonObject()
          .put("requests", stats.requests()).put("resets", stats.resets()).put("active", stats.active())
          .put("max_active", stats.maxActive()).encode());
      return;
    }
    stats.requests.incrementAndGet();
    stats.record(new MockStats.Seen(req.method().name(), req.uri(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body.toString()));
    MockExchange ex = new MockExchange(vertx, stats, req);
    MockBehaviour b = MockBehaviour.from(req.headers(), defaults);
    String id = "mock-" + ids.incrementAndGet();
    boolean anthropic = MockAnthropic.serves(path);

    if (req.method().name().equals("GET") && path.endsWith("/models")) {
      // Anthropic's SDKs send their API version on every request
      ex.finish(200, req.headers().contains("anthropic-version") ? anthropicModels() : openAiModels());
      return;
    }
    JsonNode request = json(body);
    if (request == null) {
      if (anthropic) MockAnthropic.unreadable(ex, id);
      else ex.finish(400, MockBodies.error("We could not parse the JSON body of your request.", "invalid_request_error", null, null));
      return;
    }
    if (b.hangs()) return;
    vertx.setTimer(Math.max(1, b.latencyMs()), t -> {
      if (ex.closed()) return;
      if (anthropic) MockAnthropic.answer(ex, path, request, b, id);
      else MockOpenAi.answer(ex, path, request, b, id);
    });
  }

  /** The body as a JSON object, or null. */
  private static JsonNode json(Buffer body) {
    try {
      JsonNode request = JSON.readTree(body.getBytes());
      return request != null && request.isObject() ? request : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static JsonObject openAiModels() {
    JsonObject model = new JsonObject().put("id", "mock-gpt").put("object", "model").put("created", 0).put("owned_by", "tollgate");
    return new JsonObject().put("object", "list").put("data", new JsonArray().add(model));
  }

  private static JsonObject anthropicModels() {
    JsonObject model = new JsonObject().put("type", "model").put("id", "mock-claude").put("display_name", "Mock Claude")
        .put("created_at", "2025-01-01T00:00:00Z");
    return new JsonObject().put("data", new JsonArray().add(model)).put("has_more", false)
        .put("first_id", "mock-claude").put("last_id", "mock-claude");
  }
}
