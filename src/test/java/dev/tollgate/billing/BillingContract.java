package dev.tollgate.billing;

import dev.tollgate.core.Usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;
import dev.tollgate.support.Admin;
import dev.tollgate.support.GatewayProcess;
import dev.tollgate.support.Http;
import dev.tollgate.support.LogCapture;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TempFiles;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Billing on each store: exact usage and cost, estimates for cut streams, no lost or doubled record. */
abstract class BillingContract {
  static final BigDecimal IN = new BigDecimal("0.50");
  static final BigDecimal CACHED = new BigDecimal("0.25");
  static final BigDecimal OUT = new BigDecimal("1.50");
  static final BigDecimal REASONING = new BigDecimal("3.00");

  /** A store URL for a new, empty store. */
  abstract String newStore();

  /** A store that {@link Outage#cut()} makes unavailable until {@link Outage#restore()}. */
  abstract Outage outageStore();

  interface Outage extends AutoCloseable {
    String url();

    void cut();

    void restore();

    @Override
    default void close() {}
  }

  static String yaml(int mockPort, String billing) {
    try {
      Path prices = TempFiles.file("prices", ".yaml");
      Files.writeString(prices, """
          models:
            upstream-gpt: { input: 0.50, cached-input: 0.25, output: 1.50, reasoning: 3.00 }
            upstream-embed: { input: 0.02, output: 0 }
          """);
      // a generous upstream timeout: a thousand requests at once on a small, shared machine take a while
      return TestStack.defaultYaml(mockPort, "access-log: false, upstream-timeout: 30s") + "prices: \"" + prices + "\"\n"
          + (billing == null ? "" : "billing: " + billing + "\n");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  TestStack start(String store, String billing) {
    return TestStack.start(port -> yaml(port, billing), Clock.systemUTC(), store);
  }

  static JsonObject recordOf(Admin admin, String requestId) {
    JsonArray[] found = new JsonArray[1];
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      found[0] = admin.ok("GET", "/admin/usage/records?request_id=" + requestId, null).getJsonArray("data");
      return !found[0].isEmpty();
    });
    assertThat(found[0]).as("records for request " + requestId).hasSize(1);
    return found[0].getJsonObject(0);
  }

  static long expectedCostNanos(long prompt, long completion, long cached, long reasoning) {
    return IN.multiply(BigDecimal.valueOf(prompt - cached)).add(CACHED.multiply(BigDecimal.valueOf(cached)))
        .add(OUT.multiply(BigDecimal.valueOf(completion - reasoning))).add(REASONING.multiply(BigDecimal.valueOf(reasoning)))
        .multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
  }

  static int tokens(String text) {
    return Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE).countTokensOrdinary(text);
  }

  /** A one-message chat's prompt as OpenAI counts it: 3 tokens framing the message, its role, its text, 3 priming the reply. */
  static int chatPromptTokens(String userText) {
    return 3 + tokens("user") + tokens(userText) + 3;
  }

  @ParameterizedTest(name = "{0} stream={1}")
  @CsvSource({
      "/v1/chat/completions, false", "/v1/chat/completions, true",
      "/v1/completions, false", "/v1/completions, true",
      "/v1/responses, false", "/v1/responses, true",
      "/v1/embeddings, false"})
  void records_the_providers_usage_and_the_price_books_cost(String path, boolean stream) {
    try (TestStack stack = start(newStore(), null)) {
      Admin admin = new Admin(stack);
      String prompt = "Tell me about ledgers and why every token counts, path " + path;
      String body = switch (path) {
        case "/v1/chat/completions" -> "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]";
        case "/v1/completions" -> "{\"model\":\"gpt-test\",\"prompt\":\"" + prompt + "\"";
        case "/v1/responses" -> "{\"model\":\"gpt-test\",\"input\":\"" + prompt + "\"";
        default -> "{\"model\":\"embed-test\",\"input\":\"" + prompt + "\"";
      };
      String[] mock = {"x-mock-tokens", "12", "x-mock-cached-tokens", "5", "x-mock-reasoning-tokens", "3"};
      // the fake provider's usage for this prompt, read from its non-streamed answer
      JsonObject reference = new JsonObject(stack.http.post(path, TestStack.ALPHA_KEY, body + "}", mock).body()).getJsonObject("usage");
      boolean responses = path.equals("/v1/responses");
      long prompt0 = reference.getLong(responses ? "input_tokens" : "prompt_tokens");
      long completion0 = path.equals("/v1/embeddings") ? 0 : reference.getLong(responses ? "output_tokens" : "completion_tokens");
      long cached0 = path.equals("/v1/embeddings") ? 0 : 5;
      long reasoning0 = path.equals("/v1/embeddings") ? 0 : 3;

      String id = "bill-" + UUID.randomUUID();
      HttpResponse<String> r = stack.http.post(path, TestStack.ALPHA_KEY, body + (stream ? ",\"stream\":true}" : "}"),
          "x-request-id", id, mock[0], mock[1], mock[2], mock[3], mock[4], mock[5]);
      assertThat(r.statusCode()).isEqualTo(200);

      JsonObject rec = recordOf(admin, id);
      assertThat(rec.getLong("prompt_tokens")).isEqualTo(prompt0).isPositive();
      assertThat(rec.getLong("completion_tokens")).isEqualTo(completion0);
      assertThat(rec.getLong("cached_tokens")).isEqualTo(cached0);
      assertThat(rec.getLong("reasoning_tokens")).isEqualTo(reasoning0);
      assertThat(rec.getBoolean("estimated")).isFalse();
      assertThat(rec.getBoolean("priced")).isTrue();
      long expected = path.equals("/v1/embeddings")
          ? new BigDecimal("0.02").multiply(BigDecimal.valueOf(prompt0 * 1000)).setScale(0, RoundingMode.HALF_EVEN).longValueExact()
          : expectedCostNanos(prompt0, completion0, cached0, reasoning0);
      assertThat(rec.getLong("cost_nano_usd")).isEqualTo(expected);
      assertThat(rec.getString("team")).isEqualTo("alpha");
      assertThat(rec.getString("key")).isEqualTo("cfg-alpha-main");
      assertThat(rec.getString("upstream_model")).startsWith("upstream-");
      assertThat(rec.getBoolean("stream")).isEqualTo(stream);
    }
  }

  @Test
  void a_client_that_did_not_ask_for_usage_never_sees_it_and_one_that_asked_gets_it_unchanged() {
    try (TestStack stack = start(newStore(), null)) {
      String base = "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"same prompt\"}]";
      String plain = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, base + "}").body();
      String asked = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY,
          base + ",\"stream_options\":{\"include_usage\":true}}").body();
      JsonObject reference = new JsonObject(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY,
          Http.chat("gpt-test", "same prompt", false)).body()).getJsonObject("usage");

      assertThat(plain).doesNotContain("\"prompt_tokens\"");
      String usageLine = asked.lines().filter(l -> l.contains("\"usage\":{")).findFirst().orElseThrow();
      assertThat(new JsonObject(usageLine.substring("data: ".length())).getJsonObject("usage")).isEqualTo(reference);
    }
  }

  @Test
  void an_upstream_cut_mid_stream_is_recorded_once_estimated_from_what_was_relayed() {
    try (TestStack stack = start(newStore(), null)) {
      String id = "cut-" + UUID.randomUUID();
      HttpResponse<String> r = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY,
          Http.chat("gpt-test", "cut me short", true), "x-request-id", id, "x-mock-tokens", "20", "x-mock-fault", "cut:6");
      String relayed = relayedContent(r.body());

      JsonObject rec = recordOf(new Admin(stack), id);
      assertThat(rec.getBoolean("estimated")).isTrue();
      assertThat(rec.getLong("completion_tokens")).isEqualTo(tokens(relayed)).isEqualTo(6);
      assertThat(rec.getLong("prompt_tokens")).isEqualTo(chatPromptTokens("cut me short"));
      assertThat(rec.getLong("cost_nano_usd")).isEqualTo(expectedCostNanos(chatPromptTokens("cut me short"), 6, 0, 0));
    }
  }

  @Test
  void a_provider_that_reports_no_usage_is_billed_by_the_tokenizer_flagged_estimated() {
    try (TestStack stack = start(newStore(), null)) {
      for (boolean stream : new boolean[] {false, true}) {
        String id = "nousage-" + stream + "-" + UUID.randomUUID();
        HttpResponse<String> r = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY,
            Http.chat("gpt-test", "count these words yourself", stream), "x-request-id", id, "x-mock-tokens", "9",
            "x-mock-no-usage", "true");
        assertThat(r.statusCode()).isEqualTo(200);
        String answer = stream ? relayedContent(r.body())
            : new JsonObject(r.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");

        JsonObject rec = recordOf(new Admin(stack), id);
        assertThat(rec.getBoolean("estimated")).isTrue();
        assertThat(rec.getLong("prompt_tokens")).isEqualTo(chatPromptTokens("count these words yourself"));
        assertThat(rec.getLong("completion_tokens")).isEqualTo(tokens(answer)).isEqualTo(9);
        assertThat(rec.getLong("cost_nano_usd")).isEqualTo(expectedCostNanos(chatPromptTokens("count these words yourself"), 9, 0, 0));
      }
    }
  }

  @Test
  void a_client_leaving_mid_stream_is_recorded_once_estimated_from_what_was_relayed() throws Exception {
    try (TestStack stack = start(newStore(), null)) {
      String id = "gone-" + UUID.randomUUID();
      String received;
      try (RawHttp client = new RawHttp(stack.gateway.port(), "/v1/chat/completions", TestStack.ALPHA_KEY,
          Http.chat("gpt-test", "I will leave early", true), "x-request-id", id, "x-mock-tokens", "50",
          "x-mock-interval-ms", "300")) {
        received = client.readUntil("\"content\":\"", 4);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> stack.mock.stats().resets() == 1);

      JsonObject rec = recordOf(new Admin(stack), id);
      assertThat(rec.getBoolean("estimated")).isTrue();
      assertThat(rec.getInteger("status")).as("a client that left before its answer was complete").isEqualTo(499);
      assertThat(rec.getString("outcome")).isEqualTo("client_gone");
      assertThat(rec.getLong("completion_tokens")).isEqualTo(tokens(relayedContent(received))).isEqualTo(4);
    }
  }

  /** The content deltas of an SSE body, concatenated. */
  static String relayedContent(String sse) {
    StringBuilder sb = new StringBuilder();
    for (String line : sse.split("\n")) {
      if (!line.startsWith("data: {")) continue;
      JsonObject chunk = new JsonObject(line.substring(6));
      JsonArray choices = chunk.getJsonArray("choices");
      if (choices == null || choices.isEmpty()) continue;
      String content = choices.getJsonObject(0).getJsonObject("delta", new JsonObject()).getString("content");
      if (content != null) sb.append(content);
    }
    return sb.toString();
  }

  @Test
  void a_thousand_concurrent_requests_give_a_thousand_records_and_rollups_that_add_up() {
    try (TestStack stack = start(newStore(), null)) {
      int n = 1000;
      String tag = "load-" + UUID.randomUUID() + "-";
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        boolean stream = i % 2 == 0;
        HttpRequest req = HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(60)).header("authorization", "Bearer " + TestStack.ALPHA_KEY)
            .header("x-request-id", tag + i).header("x-mock-tokens", String.valueOf(1 + i % 7))
            .POST(HttpRequest.BodyPublishers.ofString(Http.chat("gpt-test", "request number " + i, stream))).build();
        calls.add(stack.http.client().sendAsync(req, HttpResponse.BodyHandlers.ofString()));
      }
      calls.forEach(c -> assertThat(c.join().statusCode()).isEqualTo(200));

      Admin admin = new Admin(stack);
      JsonArray[] fetched = new JsonArray[1];
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        fetched[0] = admin.ok("GET", "/admin/usage/records?team=alpha&limit=10000", null).getJsonArray("data");
        return fetched[0].size() >= n;
      });
      JsonArray records = fetched[0];
      assertThat(records.stream().map(r -> ((JsonObject) r).getString("request_id")).filter(id -> id.startsWith(tag)).distinct())
          .hasSize(n);
      assertThat(records).hasSize(n);
      long prompt = 0, completion = 0, cost = 0;
      for (Object o : records) {
        JsonObject r = (JsonObject) o;
        prompt += r.getLong("prompt_tokens");
        completion += r.getLong("completion_tokens");
        cost += r.getLong("cost_nano_usd");
      }
      for (String groupBy : new String[] {"day", "hour", "model", "key", "team"}) {
        JsonObject total = admin.ok("GET", "/admin/usage?team=alpha&group_by=" + groupBy, null).getJsonObject("total");
        assertThat(total.getLong("requests")).as(groupBy).isEqualTo(n);
        assertThat(total.getLong("prompt_tokens")).as(groupBy).isEqualTo(prompt);
        assertThat(total.getLong("completion_tokens")).as(groupBy).isEqualTo(completion);
        assertThat(new BigDecimal(total.getValue("cost_usd").toString())).as(groupBy).isEqualByComparingTo(BigDecimal.valueOf(cost, 9));
      }
      String csv = admin.call("GET", "/admin/usage.csv?team=alpha&group_by=model", null).body();
      assertThat(csv.split("\r\n")).hasSize(2);
      assertThat(csv).startsWith("model,requests,prompt_tokens,completion_tokens,cached_tokens,reasoning_tokens,cost_usd,")
          .contains("gpt-test," + n + "," + prompt + "," + completion + ",0,0," + BigDecimal.valueOf(cost, 9).stripTrailingZeros().toPlainString());
    }
  }

  @Test
  void sigterm_in_the_middle_of_a_load_loses_no_record() throws Exception {
    String store = newStore();
    try (GatewayProcess gateway = new GatewayProcess("""
        server: { host: 127.0.0.1, port: 0, instances: 2, shutdown-grace: 20s, access-log: false }
        store: "%s"
        providers: { mock: { type: mock } }
        models: { gpt-test: { targets: [ { provider: mock, model: mock-gpt } ] } }
        teams: { alpha: { keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] } }
        """.formatted(store))) {
      Http http = gateway.http();
      String tag = "sigterm-" + UUID.randomUUID() + "-";
      int n = 200;
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(60)).header("authorization", "Bearer " + TestStack.ALPHA_KEY)
            .header("x-request-id", tag + i).header("x-mock-tokens", "40").header("x-mock-interval-ms", "100")
            .POST(HttpRequest.BodyPublishers.ofString(Http.chat("gpt-test", "in flight " + i, true))).build();
        calls.add(http.client().sendAsync(req, HttpResponse.BodyHandlers.ofString()));
      }
      // every stream lasts about 4 s: long enough for all of them to be in flight together
      await().atMost(Duration.ofSeconds(30)).until(() ->
          http.get("/metrics").body().contains("tollgate_active_streams " + n + ".0"));

      assertThat(gateway.terminate(60)).as(gateway.output()).isTrue();

      int completed = 0;
      for (CompletableFuture<HttpResponse<String>> c : calls) {
        HttpResponse<String> r = c.get();
        if (r.statusCode() == 200 && r.body().contains("data: [DONE]")) completed++;
      }
      assertThat(completed).as("streams in flight finish during the grace period").isEqualTo(n);
      io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
      dev.tollgate.store.Database db = dev.tollgate.store.Database.open(vertx, store);
      try {
        long recorded = db.transaction(c -> {
          try (var ps = c.prepareStatement("SELECT COUNT(DISTINCT request_id), COUNT(*) FROM usage_records WHERE request_id LIKE ?")) {
            ps.setString(1, tag + "%");
            try (var rs = ps.executeQuery()) {
              rs.next();
              assertThat(rs.getLong(2)).isEqualTo(rs.getLong(1));
              return rs.getLong(1);
            }
          }
        });
        assertThat(recorded).isEqualTo(n);
      } finally {
        TestStack.await(db.close());
        TestStack.await(vertx.close());
      }
    }
  }

  @Test
  void records_made_while_the_store_is_down_arrive_after_it_comes_back() {
    try (Outage outage = outageStore(); TestStack stack = start(outage.url(), null)) {
      String tag = "outage-" + UUID.randomUUID() + "-";
      outage.cut();
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> r = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "while down", false),
            "x-request-id", tag + i);
        assertThat(r.statusCode()).as("the hot path does not wait for the store").isEqualTo(200);
      }
      // settle runs just after the answer goes out, so the last record may still be on its way to the buffer
      await().atMost(Duration.ofSeconds(5)).until(() -> stack.gateway.ledgerPending() == 20);

      outage.restore();
      Admin admin = new Admin(stack);
      await().atMost(Duration.ofSeconds(30)).until(() -> stack.gateway.ledgerPending() == 0);
      JsonArray records = admin.ok("GET", "/admin/usage/records?team=alpha&limit=1000", null).getJsonArray("data");
      assertThat(records.stream().map(r -> ((JsonObject) r).getString("request_id")).filter(id -> id.startsWith(tag))).hasSize(20);
      assertThat(admin.ok("GET", "/admin/usage?team=alpha&group_by=team", null).getJsonObject("total").getLong("requests")).isEqualTo(20);
    }
  }

  @Test
  void with_the_store_down_past_half_the_buffer_requests_are_shed_and_no_admitted_record_is_lost() {
    try (Outage outage = outageStore(); TestStack stack = start(outage.url(), "{ buffer-limit: 100 }")) {
      String tag = "shed-" + UUID.randomUUID() + "-";
      outage.cut();
      int admitted = 0;
      int shed = 0;
      for (int i = 0; i < 70; i++) {
        HttpResponse<String> r = stack.http.post("/v1/embeddings", TestStack.ALPHA_KEY, "{\"model\":\"embed-test\",\"input\":\"x\"}",
            "x-request-id", tag + i);
        if (r.statusCode() == 200) admitted++;
        if (r.statusCode() == 503) shed++;
        // settle runs just after the answer: let it queue the record before the next request looks at the backlog
        int expected = admitted;
        await().atMost(Duration.ofSeconds(5)).until(() -> stack.gateway.ledgerPending() == expected);
      }
      assertThat(admitted).isEqualTo(51);
      assertThat(shed).isEqualTo(19);
      assertThat(stack.http.get("/metrics").body()).contains("tollgate_load_shed_total 19.0")
          .contains("tollgate_ledger_dropped_total 0.0");

      outage.restore();
      await().atMost(Duration.ofSeconds(30)).until(() -> stack.gateway.ledgerPending() == 0);
      JsonArray records = new Admin(stack).ok("GET", "/admin/usage/records?team=alpha&limit=1000", null).getJsonArray("data");
      assertThat(records.stream().map(r -> ((JsonObject) r).getString("request_id")).filter(id -> id.startsWith(tag))).hasSize(51);
    }
  }

  @Test
  void records_beyond_the_buffer_while_the_store_is_down_are_counted_and_logged_loudly() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try (Outage outage = outageStore(); LogCapture logs = new LogCapture()) {
      dev.tollgate.store.Database db = dev.tollgate.store.Database.open(vertx, outage.url());
      dev.tollgate.metrics.GatewayMetrics metrics = new dev.tollgate.metrics.GatewayMetrics();
      Ledger ledger = startLedger(vertx, db, metrics, Duration.ofMillis(50), 100);
      outage.cut();
      for (int i = 0; i < 103; i++) ledger.record(event("u" + i));
      assertThat(ledger.pending()).isEqualTo(100);
      assertThat(metrics.scrape()).contains("tollgate_ledger_dropped_total 3.0");
      assertThat(logs.lines()).anyMatch(l -> l.contains("LEDGER BUFFER FULL"));

      outage.restore();
      await().atMost(Duration.ofSeconds(30)).until(() -> ledger.pending() == 0);
      TestStack.await(ledger.flush(Duration.ofSeconds(5)));
      TestStack.await(ledger.close());
      TestStack.await(db.close());
    } finally {
      TestStack.await(vertx.close());
    }
  }

  @Test
  void a_hundred_waiting_records_are_written_without_waiting_for_a_full_batch_or_the_flush_interval() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      dev.tollgate.store.Database db = dev.tollgate.store.Database.open(vertx, newStore());
      dev.tollgate.metrics.GatewayMetrics metrics = new dev.tollgate.metrics.GatewayMetrics();
      // an hour between timed flushes: only the 100-record trigger can start this write
      Ledger ledger = startLedger(vertx, db, metrics, Duration.ofHours(1), 200_000);
      for (int i = 0; i < 100; i++) ledger.record(event("t" + i));
      await().atMost(Duration.ofSeconds(10)).until(() -> ledger.pending() == 0);
      assertThat(metrics.scrape()).contains("tollgate_ledger_written_total 100.0");
      TestStack.await(ledger.flush(Duration.ofSeconds(5)));
      TestStack.await(ledger.close());
      TestStack.await(db.close());
    } finally {
      TestStack.await(vertx.close());
    }
  }

  /** A ledger on its own (no gateway) writing batches of 500 to the store. */
  private static Ledger startLedger(io.vertx.core.Vertx vertx, dev.tollgate.store.Database db,
      dev.tollgate.metrics.GatewayMetrics metrics, Duration flushInterval, int bufferLimit) {
    Ledger ledger = new Ledger(vertx, new dev.tollgate.store.LedgerStore(db),
        new dev.tollgate.config.GatewayConfig.Billing(500, flushInterval, bufferLimit, Duration.ofDays(90)), metrics, Clock.systemUTC());
    ledger.start();
    return ledger;
  }

  private static UsageEvent event(String id) {
    return new UsageEvent(id, "r-" + id, System.currentTimeMillis(), "alpha", "k", "m", "m", "m", "p",
        "chat_completions", false, new Usage(1, 1, 0, 0), 1, true, false, null, Usage.ZERO, 0, 200, "ok", 1, null, null);
  }
}
