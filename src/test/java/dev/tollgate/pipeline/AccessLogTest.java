package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.support.Admin;
import dev.tollgate.support.Http;
import dev.tollgate.support.LogCapture;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The access log: one JSON line per request with what the ledger records, and no prompt, answer or secret. */
class AccessLogTest {
  private static final String PROMPT = "the launch codes are swordfish";

  private static JsonObject lineOf(LogCapture logs, String requestId) {
    await().atMost(Duration.ofSeconds(5)).until(() -> logs.lines().stream().anyMatch(l -> l.startsWith("{") && l.contains(requestId)));
    List<String> lines = logs.lines().stream().filter(l -> l.startsWith("{") && l.contains(requestId)).toList();
    assertThat(lines).hasSize(1);
    return new JsonObject(lines.get(0));
  }

  @Test
  void each_request_is_one_json_line_matching_its_ledger_record_without_prompt_or_secrets() {
    String plain = "req-" + UUID.randomUUID();
    String streamed = "req-" + UUID.randomUUID();
    try (TestStack stack = TestStack.start(port -> TestStack.defaultYaml(port, null)
        .replace("models:\n", "models:\n  alias-test: { targets: [ { provider: up, model: upstream-gpt } ], aliases: [ old-name ] }\n"));
         LogCapture logs = new LogCapture()) {
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("old-name", PROMPT, false),
          "x-request-id", plain).statusCode()).isEqualTo(200);
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", PROMPT, true),
          "x-request-id", streamed, "x-mock-latency-ms", "30").statusCode()).isEqualTo(200);
      stack.http.post("/v1/chat/completions", "tg-wrong-key-0123456789", Http.chat("gpt-test", PROMPT, false), "x-request-id", "req-unknown");

      JsonObject line = lineOf(logs, plain);
      Admin admin = new Admin(stack);
      await().atMost(Duration.ofSeconds(10)).until(() ->
          admin.ok("GET", "/admin/usage/records?team=alpha&request_id=" + plain, null).getJsonArray("data").size() == 1);
      JsonObject record = admin.ok("GET", "/admin/usage/records?team=alpha&request_id=" + plain, null).getJsonArray("data").getJsonObject(0);
      assertThat(line.getString("request_id")).isEqualTo(plain);
      assertThat(line.getString("team")).isEqualTo("alpha");
      assertThat(line.getString("key_id")).isEqualTo(record.getString("key"));
      assertThat(TestStack.ALPHA_KEY).startsWith(line.getString("key_prefix").replace("…", ""));
      assertThat(line.getString("model_requested")).isEqualTo("old-name").isEqualTo(record.getString("model_requested"));
      assertThat(line.getString("model")).isEqualTo("alias-test").isEqualTo(record.getString("model"));
      assertThat(line.getString("upstream_model")).isEqualTo("upstream-gpt");
      assertThat(line.getInteger("status")).isEqualTo(200);
      assertThat(line.getString("outcome")).isEqualTo("ok");
      assertThat(line.getLong("prompt_tokens")).isEqualTo(record.getLong("prompt_tokens"));
      assertThat(line.getLong("completion_tokens")).isEqualTo(record.getLong("completion_tokens"));
      assertThat(new BigDecimal(line.getValue("cost_usd").toString())).isEqualByComparingTo(new BigDecimal(record.getValue("cost_usd").toString()));
      assertThat(line.getLong("latency_ms")).isBetween(0L, record.getLong("latency_ms") + 50);
      assertThat(line.getValue("ttft_ms")).isNull();
      assertThat(line.fieldNames()).contains("cache", "attempts", "stream", "time", "endpoint");

      JsonObject stream = lineOf(logs, streamed);
      assertThat(stream.getBoolean("stream")).isTrue();
      assertThat(stream.getLong("ttft_ms")).isGreaterThanOrEqualTo(30);
      assertThat(stream.getLong("completion_tokens")).isPositive();

      JsonObject refused = lineOf(logs, "req-unknown");
      assertThat(refused.getInteger("status")).isEqualTo(401);
      assertThat(refused.getValue("team")).isNull();

      assertThat(logs.lines()).noneMatch(l -> l.contains("swordfish"))
          .noneMatch(l -> l.contains(TestStack.ALPHA_KEY)).noneMatch(l -> l.contains(TestStack.PROVIDER_KEY))
          .noneMatch(l -> l.contains("tg-wrong-key"));
    }
  }

  @Test
  void the_access_log_can_be_turned_off() {
    String id = "req-" + UUID.randomUUID();
    try (TestStack stack = TestStack.start(port -> TestStack.defaultYaml(port, "access-log: false")); LogCapture logs = new LogCapture()) {
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", false), "x-request-id", id)
          .statusCode()).isEqualTo(200);
      Admin admin = new Admin(stack);
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        JsonArray data = admin.ok("GET", "/admin/usage/records?team=alpha&request_id=" + id, null).getJsonArray("data");
        return data.size() == 1;
      });
      assertThat(logs.lines()).noneMatch(l -> l.contains(id));
    }
  }
}
