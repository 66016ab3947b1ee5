package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.tollgate.support.Admin;
import dev.tollgate.support.Http;
import dev.tollgate.support.LogCapture;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.Scrape;
import dev.tollgate.support.TempFiles;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that goes away (its connection closed or reset) while the gateway waits for the upstream or writes a whole
 * answer has left (one that leaves while sending its body: {@code ClientLeavesDuringUploadTest}): no error of the gateway's (nothing at ERROR), the upstream call reset if it
 * still runs, the admission settled, and the request counted and recorded once, as a 499 {@code client_gone}.
 */
class ClientGoneTest {
  private static final String CHAT = "/v1/chat/completions";
  private static TestStack stack;
  private static Admin admin;

  @BeforeAll
  static void start() throws IOException {
    Path prices = TempFiles.file("prices", ".yaml");
    Files.writeString(prices, "models:\n  upstream-gpt: { input: 2.50, output: 10.00 }\n");
    stack = TestStack.start(port -> """
        server: { port: 0, instances: 1, upstream-timeout: 5s }
        admin: { token: "${env:ADMIN_TOKEN}" }
        providers:
          up: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
        models:
          gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] }
        prices: "%s"
        teams:
          alpha: { budget: { usd: 100, period: monthly }, limits: { concurrent: 4 }, keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
        """.formatted(port, prices));
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

  private static String id() {
    return "gone-" + UUID.randomUUID();
  }

  @Test
  void a_client_resetting_while_a_large_answer_is_written_is_gone_not_an_error() throws Exception {
    String id = id();
    double before = count499();
    try (LogCapture logs = new LogCapture()) {
      // some 8 MB, far more than the sockets hold, to a client that reads the head and leaves: the write is still under way
      try (RawHttp client = RawHttp.slowReader(stack.gateway.port(), CHAT, TestStack.ALPHA_KEY, Http.chat("gpt-test", "a long one", false),
          "x-request-id", id, "x-mock-tokens", "40000", "x-mock-pad", "200")) {
        assertThat(client.readUntil("\r\n\r\n")).startsWith("HTTP/1.1 200");
        client.reset();
      }

      JsonObject rec = onlyRecord(id);
      assertThat(rec.getInteger("status")).isEqualTo(499);
      assertThat(rec.getString("outcome")).isEqualTo("client_gone");
      assertThat(rec.getLong("completion_tokens")).as("the answer's usage, as the provider reported it").isEqualTo(40_000);
      assertGoneQuietly(logs, before);
    }
  }

  @Test
  void a_client_closing_or_resetting_while_a_whole_answer_is_awaited_resets_the_upstream_and_is_gone() throws Exception {
    for (boolean reset : new boolean[] {false, true}) {
      stack.mock.stats().reset();
      String id = id();
      double before = count499();
      try (LogCapture logs = new LogCapture()) {
        try (RawHttp client = new RawHttp(stack.gateway.port(), CHAT, TestStack.ALPHA_KEY, Http.chat("gpt-test", "wait for it", false),
            "x-request-id", id, "x-mock-latency-ms", "2000")) {
          await().atMost(Duration.ofSeconds(5)).until(() -> stack.mock.stats().active() == 1);
          if (reset) client.reset();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> stack.mock.stats().resets() == 1);
        JsonObject rec = onlyRecord(id);
        assertThat(rec.getInteger("status")).as(reset ? "reset" : "closed").isEqualTo(499);
        assertThat(rec.getString("outcome")).isEqualTo("client_gone");
        assertGoneQuietly(logs, before);
      }
    }
  }

  /** Nothing at ERROR, the request counted once as a 499, and its admission settled: no lease held, nothing reserved. */
  private static void assertGoneQuietly(LogCapture logs, double before) {
    await().atMost(Duration.ofSeconds(5)).until(() -> count499() == before + 1);
    assertThat(logs.lines(Level.ERROR)).isEmpty();
    assertThat(logs.lines()).noneMatch(l -> l.contains("unexpected failure"));
    assertThat(scrape().value("tollgate_requests_in_flight")).isZero();
    JsonObject quota = new JsonObject(stack.http.get("/team/quota", "authorization", "Bearer " + TestStack.ALPHA_KEY).body());
    assertThat(quota.getJsonObject("team_limits").getJsonObject("concurrent").getInteger("in_use")).isZero();
    assertThat(Double.parseDouble(quota.getJsonObject("budget").getValue("reserved_usd").toString())).isZero();
  }

  private static Scrape scrape() {
    return new Scrape(stack.http.get("/metrics").body());
  }

  private static double count499() {
    Double v = scrape().value("tollgate_requests_seconds_count{endpoint=\"chat_completions\",model=\"gpt-test\",status=\"499\"}");
    return v == null ? 0 : v;
  }

  private static JsonArray records(String requestId) {
    return admin.ok("GET", "/admin/usage/records?team=alpha&request_id=" + requestId, null).getJsonArray("data");
  }

  /** The request's one ledger record, once the ledger has written it. */
  private static JsonObject onlyRecord(String requestId) {
    await().atMost(Duration.ofSeconds(10)).until(() -> !records(requestId).isEmpty());
    await().atMost(Duration.ofSeconds(5)).until(() -> stack.gateway.ledgerPending() == 0);
    JsonArray all = records(requestId);
    assertThat(all).hasSize(1);
    return all.getJsonObject(0);
  }
}
