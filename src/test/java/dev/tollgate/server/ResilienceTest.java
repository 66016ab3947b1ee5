package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.support.Admin;
import dev.tollgate.support.Http;
import dev.tollgate.support.LogCapture;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fault matrix, against the fake provider's faults: for each, what the client gets (status, body or
 * events, a clean end), what the breaker and the keys look like, how many attempts were made, and the
 * ledger's record.
 */
class ResilienceTest {
  static final String SECOND_KEY = "sk-second-provider-key-0123456789";
  static TestStack stack;
  static Admin admin;

  @BeforeAll
  static void start() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    stack = TestStack.start(port -> """
        server: { port: 0, instances: 2, sse-keepalive: 100ms, upstream-timeout: 3s, first-byte-timeout: 700ms, idle-timeout: 700ms,
                  retry: { max-attempts: 3, backoff: 50ms, backoff-max: 200ms },
                  breaker: { minimum-calls: 4, window: 8, open-for: 2s, half-open-calls: 1 } }
        admin: { token: "${env:ADMIN_TOKEN}" }
        providers:
          up: { type: openai, base-url: "http://127.0.0.1:%1$d/v1", organization: org-gateway, project: proj-gateway,
                keys: [ { secret: "${env:UP_KEY}" } ] }
          storm: { type: openai, base-url: "http://127.0.0.1:%1$d/v1", keys: [ { secret: "${env:UP_KEY}" }, { secret: "${env:SECOND_KEY:-%2$s}" } ] }
          auth: { type: openai, base-url: "http://127.0.0.1:%1$d/v1", keys: [ { secret: "${env:UP_KEY}" }, { secret: "${env:SECOND_KEY:-%2$s}" } ] }
          down: { type: openai, base-url: "http://127.0.0.1:%3$d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
        # a target each, so that one test's failures never open another's breaker
        models:
          gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] }
          slow: { targets: [ { provider: up, model: upstream-slow } ] }
          slow-stream: { targets: [ { provider: up, model: upstream-slow-stream } ] }
          hang: { targets: [ { provider: up, model: upstream-hang } ] }
          idle: { targets: [ { provider: up, model: upstream-idle } ] }
          cut: { targets: [ { provider: up, model: upstream-cut } ] }
          storm: { targets: [ { provider: storm, model: upstream-storm } ] }
          auth: { targets: [ { provider: auth, model: upstream-auth } ] }
          burst: { targets: [ { provider: up, model: upstream-burst } ] }
          dead: { targets: [ { provider: down, model: x } ] }
        teams:
          alpha: { keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
        """.formatted(port, SECOND_KEY, closedPort));
    admin = new Admin(stack);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @BeforeEach
  void clear() {
    stack.resetMock();
  }

  static String id() {
    return "fault-" + UUID.randomUUID();
  }

  static HttpResponse<String> chat(String model, boolean stream, String id, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "x-request-id";
    all[1] = id;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat(model, "fault matrix " + id, stream), all);
  }

  static JsonObject record(String requestId) {
    JsonObject[] found = new JsonObject[1];
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      var data = admin.ok("GET", "/admin/usage/records?team=alpha&request_id=" + requestId, null).getJsonArray("data");
      found[0] = data.isEmpty() ? null : data.getJsonObject(0);
      return found[0] != null;
    });
    return found[0];
  }

  static String metrics() {
    return stack.http.get("/metrics").body();
  }

  static List<String> lines(HttpResponse<String> r) {
    return r.body().lines().filter(l -> !l.isEmpty()).toList();
  }

  @Test
  void upstream_down_is_a_502_after_the_retries() {
    String id = id();
    HttpResponse<String> r = chat("dead", false, id);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("upstream_unreachable");
    assertThat(metrics()).contains("tollgate_upstream_attempts_total{outcome=\"unreachable\",provider=\"down\"}");
    JsonObject rec = record(id);
    assertThat(rec.getInteger("status")).isEqualTo(502);
    assertThat(rec.getString("outcome")).isEqualTo("error");
    assertThat(rec.getLong("cost_nano_usd")).isZero();
  }

  @Test
  void a_slow_first_byte_is_a_504_and_a_streamed_one_an_error_event_after_the_keepalives() {
    String plain = id();
    HttpResponse<String> r = chat("slow", false, plain, "x-mock-latency-ms", "1500");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("upstream_timeout");
    assertThat(record(plain).getString("outcome")).isEqualTo("timeout");
    HttpResponse<String> hang = chat("hang", false, id(), "x-mock-fault", "hang");
    assertThat(hang.statusCode()).isEqualTo(504);
    assertThat(new JsonObject(hang.body()).getJsonObject("error").getString("code")).isEqualTo("upstream_timeout");

    String streamed = id();
    HttpResponse<String> s = chat("slow-stream", true, streamed, "x-mock-fault", "hang");
    List<String> lines = lines(s);
    assertThat(s.statusCode()).isEqualTo(200);
    assertThat(lines.get(0)).isEqualTo(": keepalive");
    assertThat(lines.get(lines.size() - 1)).startsWith("data: {\"error\"").contains("upstream_timeout");
    JsonObject rec = record(streamed);
    assertThat(rec.getInteger("status")).isEqualTo(504);
    assertThat(rec.getString("outcome")).isEqualTo("timeout");
    // three attempts each, each given up at the first-byte timeout
    assertThat(stack.mock.stats().requests()).isEqualTo(9);
  }

  @Test
  void a_stream_silent_past_the_idle_timeout_ends_with_an_error_event() {
    String id = id();
    HttpResponse<String> r = chat("idle", true, id, "x-mock-tokens", "4", "x-mock-interval-ms", "1500");
    List<String> lines = lines(r);

    assertThat(lines.stream().filter(l -> l.contains("\"content\""))).hasSize(1);
    assertThat(lines.get(lines.size() - 1)).contains("upstream_timeout");
    JsonObject rec = record(id);
    assertThat(rec.getInteger("status")).isEqualTo(504);
    assertThat(rec.getString("outcome")).isEqualTo("timeout");
    assertThat(rec.getBoolean("estimated")).isTrue();
  }

  @Test
  void a_stream_longer_than_the_idle_timeout_whose_events_come_within_it_is_not_cut() {
    // 8 tokens, each event 300 ms after the last: ~3 s in all, four idle timeouts (700 ms), never 700 ms of silence
    String id = id();
    HttpResponse<String> r = chat("idle", true, id, "x-mock-tokens", "8", "x-mock-interval-ms", "300");
    List<String> lines = lines(r);

    assertThat(lines.stream().filter(l -> l.contains("\"content\""))).hasSize(8);
    assertThat(lines.get(lines.size() - 1)).isEqualTo("data: [DONE]");
    JsonObject rec = record(id);
    assertThat(rec.getInteger("status")).isEqualTo(200);
    assertThat(rec.getString("outcome")).isEqualTo("ok");
  }

  @Test
  void a_429_storm_on_one_key_goes_to_the_other_key_which_takes_the_next_requests() {
    // keys are picked at random by weight: send until the first key has been tried (and limited, for 30 s) once
    for (int i = 0; i < 60 && seenWithKey(TestStack.PROVIDER_KEY) == 0; i++) {
      HttpResponse<String> r = chat("storm", false, id(), "x-mock-fault", "429", "x-mock-fault-key", TestStack.PROVIDER_KEY,
          "x-mock-retry-after", "30");
      assertThat(r.statusCode()).isEqualTo(200);
    }
    // twenty more: with the cooling key still in the rotation, all twenty would miss it one time in a million
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = chat("storm", false, id(), "x-mock-fault", "429", "x-mock-fault-key", TestStack.PROVIDER_KEY);
      assertThat(r.statusCode()).isEqualTo(200);
    }
    assertThat(seenWithKey(TestStack.PROVIDER_KEY)).as("the cooling key is skipped after its 429").isEqualTo(1);
    assertThat(metrics()).contains("tollgate_provider_key_state{key=\"0\",provider=\"storm\"} 1.0");
  }

  @Test
  void a_401_on_one_key_takes_it_out_of_the_rotation_and_says_so() throws Exception {
    try (LogCapture logs = new LogCapture()) {
      // keys are picked at random by weight: send until the second key has been tried (and refused) once,
      // every request answered 200 by a retry on the first key, then twenty more that must never try it
      // again (were it still in the rotation, all twenty would miss it one time in a million)
      for (int i = 0; i < 60 && seenWithKey(SECOND_KEY) == 0; i++) {
        HttpResponse<String> r = chat("auth", false, id(), "x-mock-fault", "401", "x-mock-fault-key", SECOND_KEY);
        assertThat(r.statusCode()).isEqualTo(200);
      }
      assertThat(seenWithKey(SECOND_KEY)).as("the second key was tried").isEqualTo(1);
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> r = chat("auth", false, id(), "x-mock-fault", "401", "x-mock-fault-key", SECOND_KEY);
        assertThat(r.statusCode()).isEqualTo(200);
      }
      assertThat(seenWithKey(SECOND_KEY)).as("a refused key is out of the rotation").isEqualTo(1);
      assertThat(logs.lines()).anyMatch(l -> l.contains("provider auth rejected its key #1 (HTTP 401)"));
      assertThat(logs.lines()).noneMatch(l -> l.contains(SECOND_KEY) || l.contains(TestStack.PROVIDER_KEY));
      assertThat(metrics()).contains("tollgate_provider_key_state{key=\"1\",provider=\"auth\"} 2.0");
    }
  }

  /** Requests the fake provider received with this key. */
  private static long seenWithKey(String key) {
    return stack.mock.stats().recent().stream()
        .filter(s -> ("Bearer " + key).equals(s.headers().get("authorization"))).count();
  }

  @Test
  void a_500_burst_opens_the_breaker_503_with_retry_after_then_it_closes_when_the_target_is_back() {
    String[] fail = {"x-mock-fault", "500"};
    HttpResponse<String> first = chat("burst", false, id(), fail);
    assertThat(first.statusCode()).as("the last attempt's error, as given").isEqualTo(500);
    assertThat(stack.mock.stats().requests()).as("three attempts").isEqualTo(3);
    // the fourth failed call opens the breaker (4 of a window of 8): this request's retries find it open
    HttpResponse<String> second = chat("burst", false, id(), fail);
    assertThat(second.statusCode()).isEqualTo(503);
    assertThat(stack.mock.stats().requests()).isEqualTo(4);

    String openId = id();
    HttpResponse<String> open = chat("burst", false, openId);
    assertThat(open.statusCode()).isEqualTo(503);
    assertThat(open.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 2));
    assertThat(stack.mock.stats().requests()).as("an open breaker spares the upstream").isEqualTo(4);
    assertThat(metrics()).contains("tollgate_breaker_state{model=\"upstream-burst\",provider=\"up\"} 2.0");
    assertThat(record(openId).getInteger("status")).isEqualTo(503);

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .until(() -> chat("burst", false, id()).statusCode() == 200);
    assertThat(metrics()).contains("tollgate_breaker_state{model=\"upstream-burst\",provider=\"up\"} 0.0");
  }

  @Test
  void a_stream_cut_mid_way_ends_with_an_error_event_and_is_recorded_as_cut() {
    String id = id();
    HttpResponse<String> r = chat("cut", true, id, "x-mock-tokens", "10", "x-mock-fault", "cut:3");
    List<String> lines = lines(r);

    assertThat(lines.get(lines.size() - 1)).contains("upstream_stream_broken");
    JsonObject rec = record(id);
    assertThat(rec.getInteger("status")).isEqualTo(502);
    assertThat(rec.getString("outcome")).isEqualTo("cut");
    JsonObject total = admin.ok("GET", "/admin/usage?group_by=team&team=alpha", null).getJsonObject("total");
    assertThat(total.getLong("errors")).isPositive();
  }

  @Test
  void a_client_gone_before_the_first_byte_or_mid_stream_resets_the_upstream_and_is_recorded() throws Exception {
    String before = id();
    try (RawHttp client = new RawHttp(stack.gateway.port(), "/v1/chat/completions", TestStack.ALPHA_KEY,
        Http.chat("gpt-test", "leave before", true), "x-request-id", before, "x-mock-latency-ms", "600")) {
      await().atMost(Duration.ofSeconds(5)).until(() -> stack.mock.stats().active() == 1);
    }
    String mid = id();
    try (RawHttp client = new RawHttp(stack.gateway.port(), "/v1/chat/completions", TestStack.ALPHA_KEY,
        Http.chat("gpt-test", "leave mid", true), "x-request-id", mid, "x-mock-tokens", "50", "x-mock-interval-ms", "50")) {
      client.readUntil("\"content\"");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> stack.mock.stats().resets() == 2);
    for (String id : List.of(before, mid)) {
      JsonObject rec = record(id);
      assertThat(rec.getInteger("status")).isEqualTo(499);
      assertThat(rec.getString("outcome")).isEqualTo("client_gone");
    }
  }

  @Test
  void the_clients_account_headers_never_reach_the_provider_and_the_providers_own_do() {
    HttpResponse<String> r = chat("gpt-test", false, id(), "OpenAI-Organization", "org-client", "OpenAI-Project", "proj-client",
        "OpenAI-Beta", "assistants=v2", "Cookie", "session=1");

    assertThat(r.statusCode()).isEqualTo(200);
    var seen = stack.mock.stats().last().headers();
    assertThat(seen.getAll("openai-organization")).containsExactly("org-gateway");
    assertThat(seen.getAll("openai-project")).containsExactly("proj-gateway");
    assertThat(seen.get("openai-beta")).isEqualTo("assistants=v2");
    assertThat(seen.get("cookie")).isNull();
    assertThat(seen.get("authorization")).doesNotContain(TestStack.ALPHA_KEY);
  }

  @Test
  void every_response_has_a_request_id_and_a_wrong_method_is_405_with_allow() {
    HttpResponse<String> wrong = stack.http.get("/v1/chat/completions", "authorization", "Bearer " + TestStack.ALPHA_KEY);
    assertThat(wrong.statusCode()).isEqualTo(405);
    assertThat(wrong.headers().firstValue("allow")).hasValue("POST");
    assertThat(new JsonObject(wrong.body()).getJsonObject("error").getString("code")).isEqualTo("method_not_allowed");
    for (HttpResponse<String> r : List.of(wrong, stack.http.get("/nowhere"), stack.http.get("/metrics"), stack.http.get("/healthz"),
        stack.http.get("/v1/models", "authorization", "Bearer " + TestStack.ALPHA_KEY), stack.http.get("/v1/models"))) {
      assertThat(r.headers().firstValue("x-request-id")).as(r.uri() + " " + r.statusCode()).isPresent();
    }
    HttpRequest given = HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/nowhere")).header("x-request-id", "mine-42").build();
    assertThat(stack.http.send(given).headers().firstValue("x-request-id")).hasValue("mine-42");
  }
}
