package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The built-in fake provider: OpenAI's chat/completions, completions, embeddings, responses and
 * models, with deterministic answers and faults on demand (see {@link MockBehaviour}). It runs
 * in-process for {@code type: mock} providers and tests, or standalone ({@code tollgate mock}).
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
    stats.record(new MockStats.Seen(req.method().name(), req.uri(), io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body.toString()));
    Exchange ex = new Exchange(req);
    MockBehaviour b = MockBehaviour.from(req.headers(), defaults);

    if (req.method().name().equals("GET") && path.endsWith("/models")) {
      ex.finish(200, new JsonObject().put("object", "list").put("data", new JsonArray()
          .add(new JsonObject().put("id", "mock-gpt").put("object", "model").put("created", 0).put("owned_by", "tollgate"))));
      return;
    }
    JsonNode request;
    try {
      request = JSON.readTree(body.getBytes());
      if (request == null || !request.isObject()) throw new IllegalArgumentException();
    } catch (Exception e) {
      ex.finish(400, MockBodies.error("We could not parse the JSON body of your request.", "invalid_request_error", null));
      return;
    }
    if (b.hangs()) return;
    vertx.setTimer(Math.max(1, b.latencyMs()), t -> answer(ex, path, request, b));
  }

  private void answer(Exchange ex, String path, JsonNode request, MockBehaviour b) {
    if (ex.closed) return;
    int fail = b.failStatus();
    if (fail != 0) {
      if (fail == 429) ex.resp.putHeader("retry-after", "1");
      String type = fail == 401 ? "invalid_request_error" : fail == 429 ? "requests" : "server_error";
      String code = fail == 401 ? "invalid_api_key" : fail == 429 ? "rate_limit_exceeded" : null;
      ex.finish(fail, MockBodies.error("mock fault " + fail, type, code));
      return;
    }
    String id = "mock-" + ids.incrementAndGet();
    boolean stream = request.path("stream").asBoolean(false);
    boolean includeUsage = request.path("stream_options").path("include_usage").asBoolean(false) && !b.noUsage();
    if (path.endsWith("/chat/completions")) {
      MockAnswer a = MockAnswer.of(path, request, b.tokens(), b.padChars(), b.toolCalls());
      if (stream) ex.stream(MockStreams.chat("chatcmpl-" + id, a, b, includeUsage, false), b);
      else ex.finish(200, withoutUsage(MockBodies.chat("chatcmpl-" + id, a, b), b));
    } else if (path.endsWith("/completions")) {
      MockAnswer a = MockAnswer.of(path, request, b.tokens(), b.padChars(), b.toolCalls());
      if (stream) ex.stream(MockStreams.chat("cmpl-" + id, a, b, includeUsage, true), b);
      else ex.finish(200, withoutUsage(MockBodies.completion("cmpl-" + id, a, b), b));
    } else if (path.endsWith("/responses")) {
      MockAnswer a = MockAnswer.of(path, request, b.tokens(), b.padChars(), b.toolCalls());
      if (stream) ex.stream(MockStreams.responses("resp_" + id, a, b), b);
      else ex.finish(200, MockBodies.response("resp_" + id, a, b, "completed", true));
    } else if (path.endsWith("/embeddings")) {
      JsonNode input = request.path("input");
      JsonArray inputs = new JsonArray();
      if (input.isArray()) input.forEach(i -> inputs.add(i.isTextual() ? i.asText() : i.toString()));
      else inputs.add(input.asText());
      int tokens = 0;
      for (int i = 0; i < inputs.size(); i++) tokens += MockTokens.count(inputs.getString(i));
      boolean base64 = "base64".equals(request.path("encoding_format").asText());
      int dims = request.path("dimensions").asInt(8);
      ex.finish(200, MockBodies.embeddings(inputs, request.path("model").asText("mock-embed"), base64, dims, tokens));
    } else {
      ex.finish(404, MockBodies.error("Unknown path " + path, "invalid_request_error", "unknown_url"));
    }
  }

  private static JsonObject withoutUsage(JsonObject body, MockBehaviour b) {
    if (b.noUsage()) body.remove("usage");
    return body;
  }

  /** One request's answer; tracks whether the client went away before the answer was complete. */
  private final class Exchange {
    final HttpServerRequest req;
    final HttpServerResponse resp;
    boolean done;
    boolean closed;

    Exchange(HttpServerRequest req) {
      this.req = req;
      this.resp = req.response();
      stats.enter();
      resp.closeHandler(v -> {
        closed = true;
        if (!done) {
          done = true;
          stats.resets.incrementAndGet();
          stats.active.decrementAndGet();
        }
      });
    }

    void complete() {
      if (!done) {
        done = true;
        stats.active.decrementAndGet();
      }
    }

    void finish(int status, JsonObject body) {
      complete();
      resp.setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }

    void stream(MockStreams events, MockBehaviour b) {
      resp.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
      next(events, 0, b);
    }

    private void next(MockStreams events, int i, MockBehaviour b) {
      while (!closed) {
        if (i == events.size()) {
          complete();
          resp.end();
          return;
        }
        if (i == b.cutAfter()) {
          complete();
          req.connection().close();
          return;
        }
        Buffer e = events.event(i++);
        stats.streamBytesWritten.addAndGet(e.length());
        resp.write(e);
        int from = i;
        if (b.intervalMs() > 0 && i < events.size()) {
          vertx.setTimer(b.intervalMs(), t -> next(events, from, b));
          return;
        }
        if (resp.writeQueueFull()) {
          stats.writeStalls.incrementAndGet();
          resp.drainHandler(v -> next(events, from, b));
          return;
        }
      }
    }
  }
}
