package dev.tollgate.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.server.Gateway;
import dev.tollgate.support.Admin;
import dev.tollgate.support.EmbeddedServers;
import dev.tollgate.support.GatewayProcess;
import dev.tollgate.support.Http;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TcpRelay;
import dev.tollgate.support.TempFiles;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Quotas through the real gateway: the budget race, concurrency, leases, SDK behaviour, settle, headers. */
class QuotaGatewayTest {
  /**
   * One request: 8 prompt tokens as OpenAI (and the fake provider) count a one-message chat of "x" (3 framing
   * the message, 1 for its role, 1 for "x", 3 priming the reply) and 10 completion tokens, at $0.50 / $1.50
   * per 1M = 19,000 nano-USD. The gateway's estimate counts the same, so its reservation is exact.
   */
  static final long REQUEST_NANOS = 19_000;
  static final String TEN_TOKENS = "{\"model\":\"gpt-test\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

  static String yaml(int mockPort, String team, String teamBody, String extra) {
    return yaml(mockPort, team, teamBody, "beta", "limits: { rpm: 1000 }", extra);
  }

  /** A config with two teams: {@code team} (key ALPHA_KEY) and {@code second} (key BETA_KEY). */
  static String yaml(int mockPort, String team, String teamBody, String second, String secondBody, String extra) {
    try {
      Path prices = TempFiles.file("prices", ".yaml");
      Files.writeString(prices, "models:\n  upstream-gpt: { input: 0.50, output: 1.50 }\n");
      return """
          server: { port: 0, instances: 2, access-log: false, upstream-timeout: 700ms }
          admin: { token: "${env:ADMIN_TOKEN}" }
          providers:
            up: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
          models:
            gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] }
          prices: "%s"
          teams:
            %s: { %s, keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
            %s: { %s, keys: [ { name: main, secret: "${env:BETA_KEY}" } ] }
          """.formatted(mockPort, prices, team, teamBody, second, secondBody) + (extra == null ? "" : extra + "\n");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String team() {
    return "t" + UUID.randomUUID().toString().substring(0, 8);
  }

  static List<HttpResponse<String>> concurrently(int n, String... baseUrls) {
    java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HttpRequest r = HttpRequest.newBuilder(URI.create(baseUrls[i % baseUrls.length] + "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + TestStack.ALPHA_KEY)
          .header("x-mock-tokens", "10").header("x-mock-latency-ms", "300")
          .POST(HttpRequest.BodyPublishers.ofString(TEN_TOKENS)).build();
      calls.add(client.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
    }
    return calls.stream().map(CompletableFuture::join).toList();
  }

  static long count(List<HttpResponse<String>> responses, int status) {
    return responses.stream().filter(r -> r.statusCode() == status).count();
  }

  @Test
  void a_hundred_parallel_requests_against_a_budget_with_room_for_ten_let_ten_through_on_one_node() {
    String team = team();
    String budget = "budget: { usd: 0.00019, period: monthly }"; // exactly 10 requests
    try (TestStack stack = TestStack.start(port -> yaml(port, team, budget, null))) {
      List<HttpResponse<String>> responses = concurrently(100, stack.baseUrl());

      assertThat(count(responses, 200)).isEqualTo(10);
      assertThat(count(responses, 429)).isEqualTo(90);
      HttpResponse<String> refused = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
      assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("type")).isEqualTo("insufficient_quota");
      assertThat(refused.headers().firstValue("x-should-retry")).hasValue("false");
      assertThat(refused.headers().firstValue("retry-after")).isPresent();
      assertSpentAtMost(stack, team, 10 * REQUEST_NANOS);
    }
  }

  @Test
  void two_gateways_sharing_redis_enforce_one_budget() {
    String team = team();
    String budget = "budget: { usd: 0.00019, period: monthly }";
    // a generous Redis timeout: on a loaded machine 500 ms can pass, and failing open is not what this test is about
    String redis = "redis: " + EmbeddedServers.redisUrl() + "\nquota: { redis-timeout: 5s }";
    try (TestStack stack = TestStack.start(port -> yaml(port, team, budget, redis), Clock.systemUTC(),
        EmbeddedServers.newPostgresStore())) {
      Gateway second = stack.startReplica();
      try {
        List<HttpResponse<String>> responses = concurrently(100, stack.baseUrl(), "http://127.0.0.1:" + second.port());

        assertThat(count(responses, 200)).isEqualTo(10);
        assertThat(count(responses, 429)).isEqualTo(90);
        assertSpentAtMost(stack, team, 10 * REQUEST_NANOS);
      } finally {
        TestStack.await(second.stop());
      }
    }
  }

  /**
   * The budget's promise when the estimate is wrong: a high-detail image costs 765 prompt tokens at the
   * provider, and the gateway, which cannot see its size, reserves its 85-token floor. Past the budget, a
   * team can only have spent what the requests in flight at its last admission cost beyond their
   * reservations: here at most 3 (the concurrency limit) times one request's excess.
   */
  @Test
  void a_wrong_estimate_overspends_a_budget_by_at_most_the_excess_of_the_requests_in_flight() {
    String team = team();
    long tpm = 1_000_000;
    long budgetNanos = 1_000_000; // $0.001
    String body = "budget: { usd: 0.001, period: monthly }, limits: { tpm: " + tpm + ", concurrent: 3 }";
    String image = "{\"model\":\"gpt-test\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"text\",\"text\":\"x\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]}]}";
    try (TestStack stack = TestStack.start(port -> yaml(port, team, body, null))) {
      Admin admin = new Admin(stack);
      HttpResponse<String> first = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, image, "x-mock-tokens", "10");
      assertThat(first.statusCode()).isEqualTo(200);
      // what admission reserved (its estimate plus max_tokens), read back from the rate-limit headers
      long estimatedPrompt = tpm - Long.parseLong(first.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow()) - 10;
      long reportedPrompt = new JsonObject(first.body()).getJsonObject("usage").getLong("prompt_tokens");
      assertThat(reportedPrompt).as("the provider's count").isGreaterThan(estimatedPrompt + 600);
      // nano-USD: $0.50 per 1M input tokens is 500 nano-USD a token, $1.50 per 1M output 1,500
      long excess = (reportedPrompt - estimatedPrompt) * 500;

      int admitted = 1;
      List<HttpResponse<String>> wave = List.of();
      for (int round = 0; round < 5 && count(wave, 429) == 0; round++) {
        wave = concurrentlyWith(3, stack.baseUrl(), image);
        admitted += (int) count(wave, 200);
      }
      assertThat(wave).anySatisfy(r -> assertThat(new JsonObject(r.body()).getJsonObject("error").getString("type"))
          .isEqualTo("insufficient_quota"));

      assertSettled(stack, admin, team, admitted);
      long spent = new java.math.BigDecimal(admin.ok("GET", "/admin/usage?group_by=team&team=" + team, null).getJsonObject("total")
          .getValue("cost_usd").toString()).movePointRight(9).longValueExact();
      assertThat(spent).as("the wrong estimate let the team overspend").isGreaterThan(budgetNanos);
      assertThat(spent).as("by at most the excess of 3 requests in flight").isLessThanOrEqualTo(budgetNanos + 3 * excess);
    }
  }

  static List<HttpResponse<String>> concurrentlyWith(int n, String baseUrl, String body) {
    java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HttpRequest r = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + TestStack.ALPHA_KEY)
          .header("x-mock-tokens", "10").header("x-mock-latency-ms", "300")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      calls.add(client.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
    }
    return calls.stream().map(CompletableFuture::join).toList();
  }

  /** The ledger's total for the team, once every record is in, is within the budget. */
  static void assertSpentAtMost(TestStack stack, String team, long nanos) {
    Admin admin = new Admin(stack);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        admin.ok("GET", "/admin/usage?group_by=team&team=" + team, null).getJsonObject("total").getLong("requests") == 10);
    JsonObject total = admin.ok("GET", "/admin/usage?group_by=team&team=" + team, null).getJsonObject("total");
    assertThat(new java.math.BigDecimal(total.getValue("cost_usd").toString()))
        .isLessThanOrEqualTo(java.math.BigDecimal.valueOf(nanos, 9));
  }

  @Test
  void concurrency_is_never_exceeded_at_the_provider_even_across_two_gateways() {
    String team = team();
    String limits = "limits: { concurrent: 3 }";
    try (TestStack stack = TestStack.start(port -> yaml(port, team, limits, "redis: " + EmbeddedServers.redisUrl() + "\nquota: { redis-timeout: 5s }"))) {
      Gateway second = stack.startReplica();
      try {
        List<HttpResponse<String>> responses = concurrently(40, stack.baseUrl(), "http://127.0.0.1:" + second.port());

        assertThat(stack.mock.stats().maxActive()).isBetween(1, 3);
        assertThat(count(responses, 200)).isGreaterThanOrEqualTo(3);
        HttpResponse<String> refused = responses.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
        assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("type")).isEqualTo("rate_limit_exceeded");
        assertThat(refused.headers().firstValue("x-should-retry")).isEmpty();
      } finally {
        TestStack.await(second.stop());
      }
    }
  }

  @Test
  void a_killed_gateways_concurrency_slot_is_freed_within_the_lease_time() throws Exception {
    String team = team();
    String lease = "quota: { lease-time: 2s }";
    String redis = "redis: " + EmbeddedServers.redisUrl();
    try (TestStack stack = TestStack.start(port -> yaml(port, team, "limits: { concurrent: 1 }", redis + "\n" + lease));
         GatewayProcess doomed = new GatewayProcess(yaml(stack.mock.port(), team, "limits: { concurrent: 1 }", redis + "\n" + lease)
             .replace("upstream-timeout: 700ms", "upstream-timeout: 60s") + "store: \"" + TestStack.newSqliteStore() + "\"\n")) {
      // the doomed replica holds the team's only slot with a request that never ends
      HttpRequest hang = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + doomed.port() + "/v1/chat/completions"))
          .header("authorization", "Bearer " + TestStack.ALPHA_KEY).header("x-mock-fault", "hang")
          .POST(HttpRequest.BodyPublishers.ofString(TEN_TOKENS)).build();
      CompletableFuture<HttpResponse<String>> held = stack.http.client().sendAsync(hang, HttpResponse.BodyHandlers.ofString());
      // admitted and at the provider: only then ask the other replica (asking earlier could take the slot first)
      await().atMost(Duration.ofSeconds(10)).until(() -> stack.mock.stats().active() == 1 || held.isDone());
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
          stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, TEN_TOKENS, "x-mock-tokens", "10").statusCode())
          .as(() -> doomed.output() + (held.isDone() ? held.join().statusCode() + " " + held.join().body() : "pending"))
          .isEqualTo(429));

      doomed.kill();
      long killed = System.nanoTime();
      await().atMost(Duration.ofSeconds(5)).until(() ->
          stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, TEN_TOKENS, "x-mock-tokens", "10").statusCode() == 200);
      assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofMillis(2000 + 1000));
    }
  }

  @Test
  void the_openai_sdk_gets_the_429s_error_type_and_does_not_retry_an_exhausted_budget() {
    String team = team();
    try (TestStack stack = TestStack.start(port -> yaml(port, team, "budget: { usd: 0.000015, period: daily }", null))) {
      OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(stack.baseUrl() + "/v1").apiKey(TestStack.ALPHA_KEY).build();
      ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("gpt-test").addUserMessage("x")
          .maxTokens(10).build();
      // 19,000 nano-USD needed, 15,000 in the budget: refused at once, and the SDK (2 retries by default) does not retry
      assertThatThrownBy(() -> sdk.chat().completions().create(params))
          .isInstanceOfSatisfying(RateLimitException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(429);
            assertThat(e.type()).hasValue("insufficient_quota");
            assertThat(e.code()).hasValue("insufficient_quota");
          });
      assertThat(stack.http.get("/metrics").body())
          .contains("tollgate_quota_refusals_total{reason=\"budget\",team=\"" + team + "\"} 1.0");
      sdk.close();
    }
    String limited = team();
    try (TestStack stack = TestStack.start(port -> yaml(port, limited, "limits: { rpm: 1 }", null))) {
      OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(stack.baseUrl() + "/v1").apiKey(TestStack.ALPHA_KEY)
          .maxRetries(0).build();
      ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("gpt-test").addUserMessage("x").build();
      sdk.chat().completions().create(params);
      assertThatThrownBy(() -> sdk.chat().completions().create(params))
          .isInstanceOfSatisfying(RateLimitException.class, e -> {
            assertThat(e.type()).hasValue("rate_limit_exceeded");
            assertThat(e.headers().values("retry-after")).isNotEmpty();
          });
      sdk.close();
    }
  }

  @Test
  void settle_runs_once_on_success_upstream_error_client_cancel_and_timeout_leaving_nothing_reserved() throws Exception {
    String team = team();
    String body = "budget: { usd: 5, period: monthly }, limits: { rpm: 1000, tpm: 1000000, concurrent: 5 }";
    try (TestStack stack = TestStack.start(port -> yaml(port, team, body, null))) {
      Admin admin = new Admin(stack);
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, TEN_TOKENS, "x-mock-tokens", "10").statusCode())
          .isEqualTo(200);
      assertSettled(stack, admin, team, 1);
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, TEN_TOKENS, "x-mock-fault", "500").statusCode())
          .isEqualTo(500);
      assertSettled(stack, admin, team, 2);
      try (RawHttp client = new RawHttp(stack.gateway.port(), "/v1/chat/completions", TestStack.ALPHA_KEY,
          Http.chat("gpt-test", "cancel me", true), "x-mock-tokens", "100", "x-mock-interval-ms", "100")) {
        client.readUntil("\"content\"");
      }
      assertSettled(stack, admin, team, 3);
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, TEN_TOKENS, "x-mock-fault", "hang").statusCode())
          .isEqualTo(504);
      assertSettled(stack, admin, team, 4);
    }
  }

  /** Nothing in flight, nothing reserved; tokens used and spend equal what the ledger recorded. */
  static void assertSettled(TestStack stack, Admin admin, String team, int requests) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonObject usage = admin.ok("GET", "/admin/usage?group_by=team&team=" + team, null).getJsonObject("total");
      assertThat(usage.getLong("requests")).isEqualTo(requests);
      JsonObject quota = admin.ok("GET", "/admin/keys/cfg-" + team + "-main/quota", null);
      JsonObject teamLimits = quota.getJsonObject("team_limits");
      assertThat(teamLimits.getJsonObject("concurrent").getLong("in_use")).isZero();
      assertThat(quota.getJsonObject("key_limits").getJsonObject("concurrent").getLong("in_use")).isZero();
      assertThat(teamLimits.getJsonObject("requests_per_minute").getLong("used")).isEqualTo(requests);
      assertThat(teamLimits.getJsonObject("tokens_per_minute").getLong("used"))
          .isEqualTo(usage.getLong("prompt_tokens") + usage.getLong("completion_tokens"));
      JsonObject budget = quota.getJsonObject("budget");
      assertThat(new java.math.BigDecimal(budget.getValue("reserved_usd").toString())).isZero();
      assertThat(new java.math.BigDecimal(budget.getValue("spent_usd").toString()))
          .isEqualByComparingTo(new java.math.BigDecimal(usage.getValue("cost_usd").toString()));
    });
  }

  @Test
  void every_response_carries_rate_limit_headers_and_a_key_reads_only_its_own_teams_quota() {
    String team = team();
    try (TestStack stack = TestStack.start(port -> yaml(port, team, "limits: { rpm: 3, tpm: 100000 }", null))) {
      List<HttpResponse<String>> responses = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        responses.add(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, TEN_TOKENS, "x-mock-tokens", "10"));
      }
      assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(200, 200, 200, 429);
      assertThat(responses.get(0).headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
      assertThat(responses.get(0).headers().firstValue("x-ratelimit-remaining-requests")).hasValue("2");
      assertThat(responses.get(2).headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
      assertThat(responses.get(3).headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
      assertThat(responses.get(0).headers().firstValue("x-ratelimit-limit-tokens")).hasValue("100000");
      assertThat(responses.get(0).headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("99982");
      assertThat(responses.get(3).headers().firstValue("x-ratelimit-reset-requests")).hasValueSatisfying(v -> assertThat(v).endsWith("s"));
      assertThat(responses.get(3).headers().firstValue("retry-after")).isPresent();

      JsonObject own = new JsonObject(stack.http.get("/tollgate/quota", "authorization", "Bearer " + TestStack.ALPHA_KEY).body());
      assertThat(own.getString("team")).isEqualTo(team);
      assertThat(own.getJsonObject("team_limits").getJsonObject("requests_per_minute").getLong("remaining")).isZero();
      JsonObject beta = new JsonObject(stack.http.get("/tollgate/quota", "authorization", "Bearer " + TestStack.BETA_KEY).body());
      assertThat(beta.getString("team")).isEqualTo("beta");
      assertThat(beta.encode()).doesNotContain(team);
      assertThat(stack.http.get("/tollgate/quota").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void with_redis_unreachable_teams_fail_open_or_closed_as_configured() {
    String open = team();
    String closed = team();
    try (TcpRelay relay = new TcpRelay(EmbeddedServers.redisPort());
         TestStack stack = TestStack.start(port -> yaml(port, open, "limits: { rpm: 100 }", closed, "limits: { rpm: 100 }",
             "redis: redis://127.0.0.1:" + relay.port() + "\nquota: { redis-timeout: 300ms, fail-closed-teams: [ " + closed + " ] }"))) {
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, TEN_TOKENS).statusCode()).isEqualTo(200);
      relay.cut();

      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, TEN_TOKENS).statusCode()).isEqualTo(200);
      HttpResponse<String> refused = stack.http.post("/v1/chat/completions", TestStack.BETA_KEY, TEN_TOKENS);
      assertThat(refused.statusCode()).isEqualTo(503);
      String metrics = stack.http.get("/metrics").body();
      assertThat(metrics).contains("tollgate_quota_redis_unavailable_total{mode=\"fail_open\",team=\"" + open + "\"}");
      assertThat(metrics).contains("tollgate_quota_redis_unavailable_total{mode=\"fail_closed\",team=\"" + closed + "\"}");

      relay.restore();
      await().atMost(Duration.ofSeconds(10)).until(() ->
          stack.http.post("/v1/chat/completions", TestStack.BETA_KEY, TEN_TOKENS).statusCode() == 200);
    }
  }

  /**
   * Issue 20, defect 4: a max_tokens near 2^63 overflowed the reservation (8 prompt tokens + 2^63 - 1 wrapped
   * negative), was admitted, and left the TPM window at -9.2e18, so the limit no longer held. It is refused with
   * a 400 naming the field, in each API's field, and the limit holds for the requests after it.
   */
  @Test
  void a_max_tokens_near_2_to_the_63_is_refused_naming_the_field_and_the_tpm_limit_still_holds() {
    String team = team();
    try (TestStack stack = TestStack.start(port -> yaml(port, team, "limits: { tpm: 100 }", null))) {
      String huge = "9223372036854775807";
      for (String[] call : List.of(
          new String[] {"/v1/chat/completions", "max_tokens", "{\"model\":\"gpt-test\",\"max_tokens\":" + huge
              + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"},
          new String[] {"/v1/chat/completions", "max_completion_tokens", "{\"model\":\"gpt-test\",\"max_completion_tokens\":" + huge
              + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"},
          new String[] {"/v1/responses", "max_output_tokens", "{\"model\":\"gpt-test\",\"max_output_tokens\":" + huge + ",\"input\":\"x\"}"},
          new String[] {"/v1/completions", "max_tokens", "{\"model\":\"gpt-test\",\"max_tokens\":2147483648,\"prompt\":\"x\"}"},
          new String[] {"/v1/messages", "max_tokens", "{\"model\":\"gpt-test\",\"max_tokens\":" + huge
              + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"})) {
        HttpResponse<String> r = stack.http.post(call[0], TestStack.ALPHA_KEY, call[2], "x-mock-tokens", "10");
        assertThat(r.statusCode()).as(call[0] + " " + call[1] + ": " + r.body()).isEqualTo(400);
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");
        assertThat(error.getString("message")).as(call[0]).contains(call[1]).contains("2147483647");
        if (!call[0].equals("/v1/messages")) assertThat(error.getString("param")).isEqualTo(call[1]);
      }

      // 8 prompt tokens + max_tokens 10 = 18 reserved, settled to 18 used: five fit in 100, the rest wait
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        statuses.add(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, TEN_TOKENS, "x-mock-tokens", "10").statusCode());
      }
      assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429, 429, 429);
      JsonObject quota = new Admin(stack).ok("GET", "/admin/keys/cfg-" + team + "-main/quota", null);
      assertThat(quota.getJsonObject("team_limits").getJsonObject("tokens_per_minute").getLong("used")).isEqualTo(90);
    }
  }
}
