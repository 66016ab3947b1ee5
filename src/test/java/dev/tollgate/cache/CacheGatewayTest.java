package dev.tollgate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.tollgate.support.Admin;
import dev.tollgate.support.EmbeddedServers;
import dev.tollgate.support.Http;
import dev.tollgate.support.MutableClock;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TcpRelay;
import dev.tollgate.support.TempFiles;
import dev.tollgate.support.TestStack;
import dev.tollgate.server.Gateway;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The response cache through the real gateway and the fake provider (counting the upstream calls it gets). */
class CacheGatewayTest {
  static String yaml(int mockPort, String teamBodies, String extra) {
    try {
      Path prices = TempFiles.file("prices", ".yaml");
      Files.writeString(prices, "models:\n  upstream-gpt: { input: 0.50, output: 1.50 }\n  upstream-shared: { input: 0.50, output: 1.50 }\n");
      return """
          server: { port: 0, instances: 2, access-log: false, upstream-timeout: 3s, sse-keepalive: 100ms }
          admin: { token: "${env:ADMIN_TOKEN}" }
          providers:
            up: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
          models:
            gpt-test: { targets: [ { provider: up, model: upstream-gpt } ], cache: { ttl: 1h } }
            gpt-shared: { targets: [ { provider: up, model: upstream-shared } ], cache: { ttl: 1h, scope: shared } }
            embed-test: { targets: [ { provider: up, model: upstream-embed } ], cache: { ttl: 1h } }
            gpt-plain: { targets: [ { provider: up, model: upstream-plain } ] }
          prices: "%s"
          teams:
            alpha: { %s keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
            beta: { keys: [ { name: main, secret: "${env:BETA_KEY}" } ] }
          """.formatted(mockPort, prices, teamBodies == null ? "" : teamBodies + ",") + (extra == null ? "" : extra + "\n");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static TestStack stack() {
    return TestStack.start(port -> yaml(port, null, null));
  }

  static String chat(String model, String prompt) {
    return Http.chat(model, prompt, false);
  }

  static String cacheHeader(HttpResponse<String> r) {
    return r.headers().firstValue("x-tollgate-cache").orElse("none");
  }

  static String unique() {
    return "prompt " + UUID.randomUUID();
  }

  @Test
  void a_repeated_request_is_a_hit_with_its_age_and_one_upstream_call() {
    try (TestStack stack = stack()) {
      String body = chat("gpt-test", unique());
      HttpResponse<String> first = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body);
      HttpResponse<String> second = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body);

      assertThat(cacheHeader(first)).isEqualTo("miss");
      assertThat(cacheHeader(second)).isEqualTo("hit");
      assertThat(second.headers().firstValue("age")).hasValueSatisfying(a -> assertThat(Long.parseLong(a)).isBetween(0L, 5L));
      assertThat(new JsonObject(second.body())).isEqualTo(new JsonObject(first.body()));
      assertThat(stack.mock.stats().requests()).isEqualTo(1);
      // a model without cache: none of it
      HttpResponse<String> plain = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, chat("gpt-plain", "x"));
      assertThat(plain.headers().firstValue("x-tollgate-cache")).isEmpty();
    }
  }

  @Test
  void spelling_does_not_change_the_key_and_any_other_field_does() {
    try (TestStack stack = stack()) {
      String p = unique();
      stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY,
          "{\"model\":\"gpt-test\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"" + p + "\"}]}");
      HttpResponse<String> reordered = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY,
          "{\"messages\":[{\"content\":\"" + p + "\",\"role\":\"user\"}],\"temperature\":5.0e-1,\"user\":\"someone\",\"model\":\"gpt-test\"}");
      HttpResponse<String> other = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY,
          "{\"model\":\"gpt-test\",\"temperature\":0.5,\"seed\":7,\"messages\":[{\"role\":\"user\",\"content\":\"" + p + "\"}]}");

      assertThat(cacheHeader(reordered)).isEqualTo("hit");
      assertThat(cacheHeader(other)).isEqualTo("miss");
      assertThat(stack.mock.stats().requests()).isEqualTo(2);
    }
  }

  @Test
  void no_store_no_cache_and_max_age_do_what_http_says_and_answers_expire_after_their_ttl() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    try (TestStack stack = TestStack.start(port -> yaml(port, null, null), clock)) {
      String body = chat("gpt-test", unique());
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body, "cache-control", "no-store")))
          .isEqualTo("miss");
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body))).as("not stored").isEqualTo("miss");
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body))).isEqualTo("hit");
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body, "cache-control", "no-cache")))
          .isEqualTo("bypass");
      assertThat(stack.mock.stats().requests()).isEqualTo(3);

      clock.advance(Duration.ofSeconds(30));
      HttpResponse<String> young = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body, "cache-control", "max-age=60");
      assertThat(cacheHeader(young)).isEqualTo("hit");
      assertThat(young.headers().firstValue("age")).hasValue("30");
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body, "cache-control", "max-age=10")))
          .isEqualTo("miss");

      clock.advance(Duration.ofMinutes(59));
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body))).isEqualTo("hit");
      clock.advance(Duration.ofMinutes(2));
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body))).as("past the 1h ttl").isEqualTo("miss");
    }
  }

  @Test
  void a_team_never_gets_another_teams_answer_unless_the_route_is_shared() {
    try (TestStack stack = stack()) {
      String p = unique();
      stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, chat("gpt-test", p));
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.BETA_KEY, chat("gpt-test", p)))).isEqualTo("miss");

      stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, chat("gpt-shared", p));
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.BETA_KEY, chat("gpt-shared", p)))).isEqualTo("hit");
      assertThat(stack.mock.stats().requests()).isEqualTo(3);
    }
  }

  // ---- one stored answer for both modes, as the official SDK sees it

  private static ChatCompletionCreateParams toolRequest(String prompt) {
    return ChatCompletionCreateParams.builder().model("gpt-test").addUserMessage(prompt)
        .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name("lookup")
            .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object")).build()).build()).build())
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .build();
  }

  private static ChatCompletion accumulate(OpenAIClient sdk, ChatCompletionCreateParams params, int[] chunks) {
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(params)) {
      stream.stream().forEach(c -> {
        chunks[0]++;
        acc.accumulate(c);
      });
    }
    return acc.chatCompletion();
  }

  private static void assertSameAnswer(ChatCompletion a, ChatCompletion b) {
    assertThat(b.id()).isEqualTo(a.id());
    assertThat(b.model()).isEqualTo(a.model());
    assertThat(b.choices()).hasSameSizeAs(a.choices());
    for (int i = 0; i < a.choices().size(); i++) {
      var x = a.choices().get(i);
      var y = b.choices().get(i);
      assertThat(y.finishReason()).isEqualTo(x.finishReason());
      assertThat(y.message().content()).isEqualTo(x.message().content());
      assertThat(y.message()._role()).isEqualTo(x.message()._role());
      assertThat(y.message().toolCalls().orElse(List.of()).toString()).isEqualTo(x.message().toolCalls().orElse(List.of()).toString());
    }
    assertThat(b.usage().map(Object::toString)).isEqualTo(a.usage().map(Object::toString));
  }

  @Test
  void a_streamed_answer_with_tool_calls_serves_a_non_streamed_request_and_a_stream_exactly() {
    try (TestStack stack = stack()) {
      OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(stack.baseUrl() + "/v1").apiKey(TestStack.ALPHA_KEY)
          .putHeader("x-mock-tool-calls", "2").build();
      ChatCompletionCreateParams params = toolRequest(unique());
      int[] liveChunks = {0};
      ChatCompletion live = accumulate(sdk, params, liveChunks);
      assertThat(live.choices().get(0).message().toolCalls().orElseThrow()).hasSize(2);

      ChatCompletion hit = sdk.chat().completions().create(params);
      int[] replayChunks = {0};
      ChatCompletion replayed = accumulate(sdk, params, replayChunks);

      assertSameAnswer(live, hit);
      assertSameAnswer(live, replayed);
      assertThat(replayChunks[0]).as("the replay comes in several events").isGreaterThan(3);
      assertThat(stack.mock.stats().requests()).isEqualTo(1);
      sdk.close();
    }
  }

  @Test
  void a_non_streamed_answer_serves_a_stream_in_several_events_with_its_usage() {
    try (TestStack stack = stack()) {
      OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(stack.baseUrl() + "/v1").apiKey(TestStack.ALPHA_KEY).build();
      ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("gpt-test").addUserMessage(unique())
          .logprobs(true).topLogprobs(2).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
      ChatCompletion original = sdk.chat().completions().create(params);
      int[] chunks = {0};
      ChatCompletion replayed = accumulate(sdk, params, chunks);

      assertSameAnswer(original, replayed);
      assertThat(replayed.choices().get(0).logprobs().orElseThrow().content().orElseThrow().toString())
          .isEqualTo(original.choices().get(0).logprobs().orElseThrow().content().orElseThrow().toString());
      assertThat(chunks[0]).isGreaterThan(10);
      assertThat(stack.mock.stats().requests()).isEqualTo(1);
      sdk.close();
    }
  }

  @Test
  void a_stored_response_streams_the_full_event_sequence_the_sdk_adds_up_to_the_same_response() {
    try (TestStack stack = stack()) {
      OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(stack.baseUrl() + "/v1").apiKey(TestStack.ALPHA_KEY).build();
      com.openai.models.responses.ResponseCreateParams params = com.openai.models.responses.ResponseCreateParams.builder()
          .model("gpt-test").input(unique()).build();
      com.openai.models.responses.Response original = sdk.responses().create(params);
      com.openai.helpers.ResponseAccumulator acc = com.openai.helpers.ResponseAccumulator.create();
      int[] events = {0};
      try (StreamResponse<com.openai.models.responses.ResponseStreamEvent> stream = sdk.responses().createStreaming(params)) {
        stream.stream().forEach(e -> {
          events[0]++;
          acc.accumulate(e);
        });
      }
      com.openai.models.responses.Response replayed = acc.response();

      assertThat(replayed.id()).isEqualTo(original.id());
      assertThat(replayed.output().toString()).isEqualTo(original.output().toString());
      assertThat(replayed.usage().map(Object::toString)).isEqualTo(original.usage().map(Object::toString));
      assertThat(events[0]).as("created, in progress, item added, part added, deltas, done...").isGreaterThan(6);
      assertThat(stack.mock.stats().requests()).isEqualTo(1);
      sdk.close();
    }
  }

  @Test
  void a_streamed_hit_hides_the_usage_event_from_a_client_that_did_not_ask_for_it() {
    try (TestStack stack = stack()) {
      String body = Http.chat("gpt-test", unique(), true);
      String live = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body).body();
      HttpResponse<String> hit = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body);

      assertThat(cacheHeader(hit)).isEqualTo("hit");
      assertThat(hit.body()).doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");
      assertThat(content(hit.body())).isEqualTo(content(live)).isNotEmpty();
    }
  }

  static String content(String sse) {
    StringBuilder sb = new StringBuilder();
    for (String line : sse.split("\n")) {
      if (!line.startsWith("data: {")) continue;
      var choices = new JsonObject(line.substring(6)).getJsonArray("choices");
      if (choices == null || choices.isEmpty()) continue;
      String c = choices.getJsonObject(0).getJsonObject("delta", new JsonObject()).getString("content");
      if (c != null) sb.append(c);
    }
    return sb.toString();
  }

  // ---- only complete, successful answers are stored

  @Test
  void cut_streams_upstream_errors_and_cancelled_requests_are_not_stored() throws Exception {
    try (TestStack stack = stack()) {
      String cut = Http.chat("gpt-test", unique(), true);
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, cut, "x-mock-fault", "cut:3").body())
          .contains("upstream_stream_broken");
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, cut))).isEqualTo("miss");

      String failing = chat("gpt-test", unique());
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, failing, "x-mock-fault", "500").statusCode()).isEqualTo(500);
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, failing))).isEqualTo("miss");

      String cancelled = Http.chat("gpt-test", unique(), true);
      try (RawHttp client = new RawHttp(stack.gateway.port(), "/v1/chat/completions", TestStack.ALPHA_KEY, cancelled,
          "x-mock-tokens", "50", "x-mock-interval-ms", "50")) {
        client.readUntil("\"content\"");
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> stack.mock.stats().resets() == 1);
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, cancelled))).isEqualTo("miss");
    }
  }

  // ---- coalescing

  static List<HttpResponse<String>> concurrently(TestStack stack, int n, String body, String... headers) {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + TestStack.ALPHA_KEY)
          .POST(HttpRequest.BodyPublishers.ofString(body));
      if (headers.length > 0) r.headers(headers);
      calls.add(stack.http.client().sendAsync(r.build(), HttpResponse.BodyHandlers.ofString()));
    }
    return calls.stream().map(CompletableFuture::join).toList();
  }

  @Test
  void fifty_identical_requests_in_flight_make_one_upstream_call_streamed_or_not() {
    try (TestStack stack = stack()) {
      String body = chat("gpt-test", unique());
      List<HttpResponse<String>> answers = concurrently(stack, 50, body, "x-mock-latency-ms", "500");

      assertThat(stack.mock.stats().requests()).isEqualTo(1);
      assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
      assertThat(answers.stream().map(r -> new JsonObject(r.body())).distinct()).hasSize(1);
      assertThat(answers.stream().filter(r -> cacheHeader(r).equals("coalesced"))).hasSize(49);

      stack.mock.stats().reset();
      String streamed = Http.chat("gpt-test", unique(), true);
      List<HttpResponse<String>> streams = concurrently(stack, 50, streamed,
          "x-mock-latency-ms", "300", "x-mock-tokens", "20", "x-mock-interval-ms", "20");

      assertThat(stack.mock.stats().requests()).isEqualTo(1);
      assertThat(streams).allSatisfy(r -> {
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
      });
      assertThat(streams.stream().map(r -> content(r.body())).distinct()).hasSize(1);
      assertThat(content(streams.get(0).body())).isNotEmpty();
    }
  }

  @Test
  void the_leaders_client_leaving_does_not_fail_its_followers() throws Exception {
    try (TestStack stack = stack()) {
      String body = Http.chat("gpt-test", unique(), true);
      String[] pace = {"x-mock-tokens", "30", "x-mock-interval-ms", "40"};
      List<CompletableFuture<HttpResponse<String>>> followers = new ArrayList<>();
      try (RawHttp leader = new RawHttp(stack.gateway.port(), "/v1/chat/completions", TestStack.ALPHA_KEY, body, pace)) {
        leader.readUntil("\"content\"");
        for (String b : List.of(body, body.replace(",\"stream\":true", ",\"stream\":false"))) {
          for (int i = 0; i < 3; i++) {
            HttpRequest r = HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + TestStack.ALPHA_KEY).headers(pace)
                .POST(HttpRequest.BodyPublishers.ofString(b)).build();
            followers.add(stack.http.client().sendAsync(r, HttpResponse.BodyHandlers.ofString()));
          }
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
            stack.http.get("/metrics").body().contains("tollgate_cache_requests_total{result=\"coalesced\"} 6.0"));
      }
      List<HttpResponse<String>> answers = followers.stream().map(CompletableFuture::join).toList();

      assertThat(answers).allSatisfy(r -> {
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("\"error\"");
      });
      String streamed = content(answers.get(0).body());
      assertThat(streamed).isNotEmpty();
      assertThat(answers.subList(0, 3)).allSatisfy(r -> assertThat(content(r.body())).isEqualTo(streamed));
      assertThat(answers.subList(3, 6)).allSatisfy(r -> assertThat(new JsonObject(r.body()).getJsonArray("choices").getJsonObject(0)
          .getJsonObject("message").getString("content")).isEqualTo(streamed));
      assertThat(stack.mock.stats().requests()).isEqualTo(1);
      assertThat(stack.mock.stats().resets()).as("the upstream call went on for the followers").isZero();
      assertThat(cacheHeader(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body))).isEqualTo("hit");
    }
  }

  // ---- billing and quotas

  @Test
  void a_hit_is_recorded_at_no_cost_with_what_it_saved_and_usage_shows_hits_and_savings() {
    try (TestStack stack = stack()) {
      Admin admin = new Admin(stack);
      String body = chat("gpt-test", unique());
      stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body, "x-request-id", "cache-miss-1");
      stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body, "x-request-id", "cache-hit-1");

      JsonObject miss = record(admin, "cache-miss-1");
      JsonObject hit = record(admin, "cache-hit-1");
      assertThat(miss.getString("cache")).isNull();
      assertThat(hit.getString("cache")).isEqualTo("hit");
      assertThat(hit.getBoolean("cache_hit")).isTrue();
      assertThat(hit.getLong("prompt_tokens")).isZero();
      assertThat(hit.getLong("completion_tokens")).isZero();
      assertThat(hit.getLong("cost_nano_usd")).isZero();
      assertThat(hit.getLong("saved_prompt_tokens")).isEqualTo(miss.getLong("prompt_tokens"));
      assertThat(hit.getLong("saved_completion_tokens")).isEqualTo(miss.getLong("completion_tokens"));
      assertThat(new BigDecimal(hit.getValue("saved_cost_usd").toString()))
          .isEqualByComparingTo(new BigDecimal(miss.getValue("cost_usd").toString())).isPositive();

      JsonObject total = admin.ok("GET", "/admin/usage?group_by=team&team=alpha", null).getJsonObject("total");
      assertThat(total.getLong("requests")).isEqualTo(2);
      assertThat(total.getLong("cache_hits")).isEqualTo(1);
      assertThat(total.getLong("prompt_tokens")).as("tokens counted once").isEqualTo(miss.getLong("prompt_tokens"));
      assertThat(new BigDecimal(total.getValue("saved_cost_usd").toString()))
          .isEqualByComparingTo(new BigDecimal(miss.getValue("cost_usd").toString()));
      assertThat(stack.http.get("/metrics").body()).contains("tollgate_cache_saved_usd_total{team=\"alpha\"}");
    }
  }

  static JsonObject record(Admin admin, String requestId) {
    JsonObject[] found = new JsonObject[1];
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      var data = admin.ok("GET", "/admin/usage/records?team=alpha&request_id=" + requestId, null).getJsonArray("data");
      found[0] = data.isEmpty() ? null : data.getJsonObject(0);
      return found[0] != null;
    });
    return found[0];
  }

  @Test
  void a_hit_counts_against_requests_per_minute_but_not_tokens_or_budget() {
    // room for one request's tokens (8 in + 10 out) and about one request's cost (19,000 nano-USD)
    String limits = "budget: { usd: 0.00002, period: monthly }, limits: { rpm: 4, tpm: 30 }";
    try (TestStack stack = TestStack.start(port -> yaml(port, limits, null))) {
      String body = "{\"model\":\"gpt-test\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body, "x-mock-tokens", "10").statusCode()).isEqualTo(200);
      String other = body.replace("\"x\"", "\"y\"");
      await().atMost(Duration.ofSeconds(5)).until(() ->
          stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, other, "x-mock-tokens", "10").statusCode() == 429);

      HttpResponse<String> hit = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body);
      assertThat(hit.statusCode()).isEqualTo(200);
      assertThat(cacheHeader(hit)).isEqualTo("hit");
      for (int i = 0; i < 2; i++) assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body).statusCode()).isEqualTo(200);
      // a fifth request in the minute is over rpm 4, hit or not (the refused one did not count)
      HttpResponse<String> fifth = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body);
      assertThat(fifth.statusCode()).isEqualTo(429);
      assertThat(new JsonObject(fifth.body()).getJsonObject("error").getString("message")).contains("requests per minute");
    }
  }

  // ---- shared by replicas through Redis

  @Test
  void the_redis_store_is_shared_by_two_gateways_and_a_redis_outage_only_bypasses_the_cache() {
    try (TcpRelay relay = new TcpRelay(EmbeddedServers.redisPort());
         TestStack stack = TestStack.start(port -> yaml(port, null, "redis: redis://127.0.0.1:" + relay.port()
             + "\ncache: { store: redis }\nquota: { redis-timeout: 300ms }"))) {
      Gateway second = stack.startReplica();
      try {
        Http other = new Http("http://127.0.0.1:" + second.port());
        String body = chat("gpt-test", unique());
        HttpResponse<String> first = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body);
        assertThat(cacheHeader(first)).isEqualTo("miss");
        await().atMost(Duration.ofSeconds(5)).until(() ->
            cacheHeader(other.post("/v1/chat/completions", TestStack.ALPHA_KEY, body)).equals("hit"));
        assertThat(new JsonObject(other.post("/v1/chat/completions", TestStack.ALPHA_KEY, body).body()))
            .isEqualTo(new JsonObject(first.body()));

        relay.cut();
        HttpResponse<String> during = other.post("/v1/chat/completions", TestStack.ALPHA_KEY, chat("gpt-test", unique()));
        assertThat(during.statusCode()).isEqualTo(200);
        assertThat(cacheHeader(during)).isEqualTo("bypass");
        assertThat(other.get("/metrics").body()).contains("tollgate_cache_store_unavailable_total");
      } finally {
        TestStack.await(second.stop());
      }
    }
  }

  @Test
  void embeddings_are_cached_too() {
    try (TestStack stack = stack()) {
      String body = "{\"model\":\"embed-test\",\"input\":\"" + unique() + "\"}";
      stack.http.post("/v1/embeddings", TestStack.ALPHA_KEY, body);
      HttpResponse<String> hit = stack.http.post("/v1/embeddings", TestStack.ALPHA_KEY, body);
      assertThat(cacheHeader(hit)).isEqualTo("hit");
      assertThat(new JsonObject(hit.body()).getJsonArray("data")).hasSize(1);
      assertThat(stack.mock.stats().requests()).isEqualTo(1);
    }
  }
}
