package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.config.GatewayConfig.ProviderKey;
import dev.tollgate.config.Secret;
import dev.tollgate.mock.MockProvider;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.provider.openai.OpenAiAdapter;
import dev.tollgate.route.Route;
import dev.tollgate.route.RouteTarget;
import dev.tollgate.support.LogCapture;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TcpRelay;
import dev.tollgate.support.TestStack;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream stage against real upstreams on port 0: fallback to the next target on a 5xx or 429
 * (also after keepalives went out), a key cooling down after a 429, and a failing target's circuit
 * breaker opening, then closing again once the target is back.
 */
class UpstreamStageTest {
  private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
  private final Vertx upstreams = Vertx.vertx();
  private final List<AutoCloseable> closing = new ArrayList<>();

  private static TargetBreakers breakers() {
    return new TargetBreakers(StageHarness.upstream(3, Duration.ofSeconds(30)).breaker(), new dev.tollgate.metrics.GatewayMetrics());
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) c.close();
    TestStack.await(upstreams.close());
  }

  private MockProvider mock(long latencyMs, String fault) {
    return TestStack.await(MockProvider.start(upstreams, "127.0.0.1", 0, latencyMs, 4, 0, fault));
  }

  private static ProviderAdapter provider(String name, int port, String... keys) {
    List<ProviderKey> pool = new ArrayList<>();
    for (String k : keys) pool.add(new ProviderKey(new Secret(k, "test"), 1));
    if (pool.isEmpty()) pool.add(new ProviderKey(new Secret("sk-" + name, "test"), 1));
    return new OpenAiAdapter(name, URI.create("http://127.0.0.1:" + port + "/v1"), new ProviderKeyPool(pool));
  }

  private StageHarness harness(TargetBreakers breakers, String body, ProviderAdapter... providers) {
    return harness(breakers, StageHarness.upstream(3, Duration.ofSeconds(30)), new TargetBulkheads(2000, Map.of()), body, providers);
  }

  /** The upstream and relay stages (with keepalives every 50 ms for streams) over providers tried in the given order. */
  private StageHarness harness(TargetBreakers breakers, dev.tollgate.config.GatewayConfig.Upstream upstream,
      TargetBulkheads bulkheads, String body, ProviderAdapter... providers) {
    Map<String, ProviderAdapter> byName = new LinkedHashMap<>();
    List<RouteTarget> targets = new ArrayList<>();
    for (ProviderAdapter p : providers) {
      byName.put(p.name(), p);
      targets.add(new RouteTarget(p.name(), "upstream-" + p.name(), 1));
    }
    StageHarness h = StageHarness.start(ctx -> {
      StageHarness.read(ctx, body);
      ctx.route(new Route("m", "m", targets, null, null));
    }, x -> List.of(new KeepaliveStage(x.vertx, 50),
        new UpstreamStage(x.vertx, x.client, byName, dev.tollgate.wire.Translator.NONE, breakers, bulkheads, x.metrics, upstream),
        new RelayStage(new Relay(x.metrics, new OpenStreams()), 2000, 32L * 1024 * 1024, 4L * 1024 * 1024)));
    closing.add(h);
    return h;
  }

  @Test
  void a_5xx_or_429_from_one_target_falls_back_to_the_next() {
    for (String fault : new String[] {"500", "503", "429"}) {
      MockProvider failing = mock(0, fault);
      MockProvider healthy = mock(0, null);
      StageHarness h = harness(breakers(), CHAT, provider("a", failing.port()), provider("b", healthy.port()));

      HttpResponse<String> r = h.http.get("/");

      assertThat(r.statusCode()).as(fault).isEqualTo(200);
      assertThat(new JsonObject(r.body()).getString("model")).isEqualTo("upstream-b");
      assertThat(failing.stats().requests()).isEqualTo(1);
      assertThat(h.last().attempts().count()).isEqualTo(2);
      assertThat(h.metrics.scrape()).contains("tollgate_upstream_failures_total{provider=\"a\",reason=\"status_" + fault + "\"} 1.0");
    }
  }

  @Test
  void a_stream_falls_back_after_keepalives_went_out_since_no_answer_byte_had() {
    MockProvider slowThenFailing = mock(300, "500");
    MockProvider healthy = mock(0, null);
    StageHarness h = harness(breakers(), CHAT.replace("{\"model\"", "{\"stream\":true,\"model\""),
        provider("a", slowThenFailing.port()), provider("b", healthy.port()));

    HttpResponse<String> r = h.http.get("/");
    List<String> lines = r.body().lines().filter(l -> !l.isEmpty()).toList();

    assertThat(r.statusCode()).isEqualTo(200);
    int firstData = lines.indexOf(lines.stream().filter(l -> l.startsWith("data:")).findFirst().orElseThrow());
    assertThat(lines.subList(0, firstData)).hasSizeGreaterThanOrEqualTo(2).allMatch(l -> l.equals(": keepalive"));
    assertThat(lines.get(firstData)).contains("upstream-b");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("data: [DONE]");
    assertThat(r.body()).doesNotContain("\"error\"");
    assertThat(slowThenFailing.stats().requests()).isEqualTo(1);
  }

  @Test
  void a_key_answered_with_429_cools_down_and_the_request_goes_on_with_the_other_key() {
    Map<String, AtomicInteger> byKey = new ConcurrentHashMap<>();
    MockProvider healthy = mock(0, null);
    // answers 429 (retry in 30 s) to the key "sk-limited", and passes every other key on to the fake provider
    HttpServer keyed = TestStack.await(upstreams.createHttpServer().requestHandler(req -> {
      String key = req.getHeader("authorization").substring(7);
      byKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      if (key.equals("sk-limited")) {
        req.response().setStatusCode(429).putHeader("retry-after", "30").putHeader("content-type", "application/json")
            .end("{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
      } else {
        req.body().compose(body -> upstreams.createHttpClient().request(io.vertx.core.http.HttpMethod.POST, healthy.port(),
                "127.0.0.1", req.uri())
            .compose(up -> up.send(body)).compose(resp -> resp.body().map(b -> {
              req.response().setStatusCode(resp.statusCode()).putHeader("content-type", "application/json").end(b);
              return null;
            })));
      }
    }).listen(0, "127.0.0.1"));
    StageHarness h = harness(breakers(), CHAT, provider("a", keyed.actualPort(), "sk-limited", "sk-fine"));

    // keys are picked at random by weight: go on until the limited one was used once
    int statusWhenLimited = 0;
    for (int i = 0; i < 100 && byKey.getOrDefault("sk-limited", new AtomicInteger()).get() == 0; i++) {
      statusWhenLimited = h.http.get("/").statusCode();
    }
    assertThat(byKey.get("sk-limited")).hasValue(1);
    assertThat(statusWhenLimited).as("the same provider's other key answered at once").isEqualTo(200);
    assertThat(h.last().attempts().count()).isEqualTo(2);

    for (int i = 0; i < 20; i++) assertThat(h.http.get("/").statusCode()).isEqualTo(200);
    assertThat(byKey.get("sk-limited")).as("a cooling key is skipped").hasValue(1);
  }

  @Test
  void a_target_at_its_bulkhead_limit_is_skipped_for_the_next() {
    MockProvider slow = mock(600, null);
    MockProvider fast = mock(0, null);
    StageHarness h = harness(breakers(), StageHarness.upstream(3, Duration.ofSeconds(30)),
        new TargetBulkheads(2000, Map.of("a", 1)), CHAT, provider("a", slow.port()), provider("b", fast.port()));
    CompletableFuture<HttpResponse<String>> first = h.http.client().sendAsync(
        java.net.http.HttpRequest.newBuilder(URI.create(h.http.base() + "/")).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).until(() -> slow.stats().active() == 1);

    HttpResponse<String> second = h.http.get("/");

    assertThat(new JsonObject(second.body()).getString("model")).as("a's one slot is taken").isEqualTo("upstream-b");
    assertThat(new JsonObject(first.join().body()).getString("model")).isEqualTo("upstream-a");
    assertThat(h.metrics.scrape()).contains("tollgate_upstream_failures_total{provider=\"a\",reason=\"bulkhead_full\"} 1.0");
  }

  @Test
  void a_stream_longer_than_the_total_timeout_ends_with_a_timeout_event() {
    MockProvider paced = mock(0, null);
    var upstream = StageHarness.upstream(3, Duration.ofSeconds(30));
    upstream = new dev.tollgate.config.GatewayConfig.Upstream(upstream.firstByteTimeout(), upstream.idleTimeout(),
        Duration.ofMillis(500), 3, upstream.maxRetryTime(), upstream.backoff(), upstream.backoffMax(), upstream.keyPause(),
        upstream.breaker(), 2000, upstream.maxAnswerBytes(), upstream.maxEventBytes());
    StageHarness h = harness(breakers(), upstream, new TargetBulkheads(2000, Map.of()),
        CHAT.replace("{\"model\"", "{\"stream\":true,\"model\""), provider("a", paced.port()));

    HttpResponse<String> r = h.http.get("/", "x-mock-tokens", "20", "x-mock-interval-ms", "100");
    List<String> lines = r.body().lines().filter(l -> !l.isEmpty()).toList();

    assertThat(lines.stream().filter(l -> l.contains("\"content\"")).count()).isBetween(2L, 8L);
    assertThat(lines.get(lines.size() - 1)).contains("upstream_timeout");
    await().atMost(Duration.ofSeconds(5)).until(() -> paced.stats().resets() == 1);
  }

  @Test
  void a_failing_targets_breaker_opens_then_half_opens_and_closes_once_the_target_is_back() {
    MockProvider first = mock(0, null);
    MockProvider second = mock(0, null);
    TcpRelay relay = new TcpRelay(first.port());
    closing.add(relay);
    TargetBreakers breakers = new TargetBreakers(StageHarness.upstream(3, Duration.ofMillis(500)).breaker(), new dev.tollgate.metrics.GatewayMetrics());
    StageHarness h = harness(breakers, CHAT, provider("a", relay.port()), provider("b", second.port()));
    CircuitBreaker breaker = breakers.of(new RouteTarget("a", "upstream-a", 1));

    relay.cut();
    for (int i = 0; i < 10; i++) assertThat(h.http.get("/").statusCode()).isEqualTo(200);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    for (int i = 0; i < 5; i++) assertThat(h.http.get("/").statusCode()).isEqualTo(200);
    String metrics = h.metrics.scrape();
    assertThat(metrics).contains("tollgate_upstream_failures_total{provider=\"a\",reason=\"unreachable\"} 10.0");
    assertThat(metrics).contains("tollgate_upstream_failures_total{provider=\"a\",reason=\"circuit_open\"} 5.0");
    assertThat(first.stats().requests()).isZero();

    relay.restore();
    // past the open period, trial calls go to the target again, and two successes close the breaker
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
      h.http.get("/");
      return breaker.getState() == CircuitBreaker.State.CLOSED;
    });
    int before = first.stats().requests();
    assertThat(h.http.get("/").statusCode()).isEqualTo(200);
    assertThat(first.stats().requests()).isEqualTo(before + 1);
  }

  @Test
  void a_client_gone_before_the_upstream_stage_listens_is_never_sent_upstream_and_is_a_499() throws Exception {
    MockProvider upstream = mock(0, null);
    ProviderAdapter a = provider("a", upstream.port());
    // a stage that holds the request until its connection has closed, as a slow admission or cache lookup would
    StageHarness h = StageHarness.start(ctx -> {
      StageHarness.read(ctx, CHAT);
      ctx.route(new Route("m", "m", List.of(new RouteTarget("a", "upstream-a", 1)), null, null));
    }, x -> List.of(
        (ctx, next) -> {
          io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
          x.vertx.setPeriodic(5, id -> {
            if (ctx.response().closed()) {
              x.vertx.cancelTimer(id);
              closed.complete();
            }
          });
          return closed.future().compose(v -> next.run(ctx));
        },
        new UpstreamStage(x.vertx, x.client, Map.of("a", a), dev.tollgate.wire.Translator.NONE, breakers(),
            new TargetBulkheads(2000, Map.of()), x.metrics, StageHarness.upstream(3, Duration.ofSeconds(30))),
        new RelayStage(new Relay(x.metrics, new OpenStreams()), 2000, 32L * 1024 * 1024, 4L * 1024 * 1024)));
    closing.add(h);
    try (LogCapture logs = new LogCapture()) {
      new RawHttp(h.port(), "/", "unused", CHAT).close();

      await().atMost(Duration.ofSeconds(5)).until(() -> h.metrics.scrape()
          .contains("tollgate_requests_seconds_count{endpoint=\"chat_completions\",model=\"m\",status=\"499\"} 1"));
      assertThat(h.last().clientGone()).isTrue();
      assertThat(h.last().outcomeName()).isEqualTo("client_gone");
      assertThat(upstream.stats().requests()).as("nothing is sent for a client that has gone").isZero();
      assertThat(logs.lines(ch.qos.logback.classic.Level.ERROR)).isEmpty();
    }
  }
}
