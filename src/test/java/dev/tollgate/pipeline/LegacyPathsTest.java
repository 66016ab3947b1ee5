package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.support.Admin;
import dev.tollgate.support.LogCapture;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pre-1.0 SDK engine paths, Azure deployment paths, model aliases and the query-parameter key. */
class LegacyPathsTest {
  static TestStack stack;
  static Admin admin;

  static String yaml(int port, boolean queryKey) {
    return """
        server: { port: 0, instances: 2 }
        admin: { token: "${env:ADMIN_TOKEN}" }
        auth: { query-param-key: %s }
        providers:
          up: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
        models:
          gpt-test: { targets: [ { provider: up, model: upstream-gpt } ], aliases: [ text-davinci-002 ] }
          embed-test: { targets: [ { provider: up, model: upstream-embed } ] }
        teams:
          alpha: { keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
        """.formatted(queryKey, port);
  }

  @BeforeAll
  static void start() {
    stack = TestStack.start(port -> yaml(port, true));
    admin = new Admin(stack);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static String body(String endpoint, String model, boolean stream) {
    String m = model == null ? "" : "\"model\":\"" + model + "\",";
    String s = stream ? ",\"stream\":true" : "";
    return switch (endpoint) {
      case "chat/completions" -> "{" + m + "\"messages\":[{\"role\":\"user\",\"content\":\"legacy hello\"}]" + s + "}";
      case "completions" -> "{" + m + "\"prompt\":\"legacy hello\"" + s + "}";
      default -> "{" + m + "\"input\":\"legacy hello\"}";
    };
  }

  /** The answer's text (choices, streamed deltas) or embedding, for comparing two answers. */
  static String answer(String body) {
    if (body.startsWith("data:")) {
      StringBuilder sb = new StringBuilder();
      body.lines().filter(l -> l.startsWith("data: {")).forEach(l -> {
        JsonArray choices = new JsonObject(l.substring(6)).getJsonArray("choices");
        if (choices != null && !choices.isEmpty()) {
          JsonObject c = choices.getJsonObject(0);
          sb.append(c.containsKey("delta") ? c.getJsonObject("delta").getString("content", "") : c.getString("text", ""));
        }
      });
      return sb.toString();
    }
    JsonObject o = new JsonObject(body);
    if (o.containsKey("data")) return o.getJsonArray("data").getJsonObject(0).getValue("embedding").toString();
    JsonObject c = o.getJsonArray("choices").getJsonObject(0);
    return c.containsKey("message") ? c.getJsonObject("message").getString("content") : c.getString("text");
  }

  static JsonObject record(String requestId) {
    JsonArray[] found = new JsonArray[1];
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      found[0] = admin.ok("GET", "/admin/usage/records?request_id=" + requestId, null).getJsonArray("data");
      return found[0].size() == 1;
    });
    return found[0].getJsonObject(0);
  }

  @ParameterizedTest(name = "{0} {1} stream={2}")
  @CsvSource({
      "engines, completions, false", "engines, completions, true",
      "engines, chat/completions, false", "engines, chat/completions, true",
      "engines, embeddings, false",
      "deployments, completions, false", "deployments, completions, true",
      "deployments, chat/completions, false", "deployments, chat/completions, true",
      "deployments, embeddings, false",
      "openai-v1, chat/completions, false", "openai-v1, chat/completions, true", "openai-v1, embeddings, false"})
  void each_path_style_gives_the_modern_endpoints_answer_and_usage(String style, String endpoint, boolean stream) {
    String model = endpoint.equals("embeddings") ? "embed-test" : "gpt-test";
    String modernId = "modern-" + UUID.randomUUID();
    HttpResponse<String> modern = stack.http.post("/v1/" + endpoint, TestStack.ALPHA_KEY, body(endpoint, model, stream),
        "x-request-id", modernId);
    String legacyId = "legacy-" + UUID.randomUUID();
    HttpResponse<String> legacy = switch (style) {
      case "engines" -> stack.http.post("/v1/engines/" + model + "/" + endpoint, TestStack.ALPHA_KEY,
          body(endpoint, null, stream), "x-request-id", legacyId);
      case "deployments" -> stack.http.post("/openai/deployments/" + model + "/" + endpoint + "?api-version=2024-06-01", null,
          body(endpoint, null, stream), "api-key", TestStack.ALPHA_KEY, "x-request-id", legacyId);
      default -> stack.http.post("/openai/v1/" + endpoint + "?api-version=preview", null, body(endpoint, model, stream),
          "api-key", TestStack.ALPHA_KEY, "x-request-id", legacyId);
    };

    assertThat(modern.statusCode()).isEqualTo(200);
    assertThat(legacy.statusCode()).as(legacy.body()).isEqualTo(200);
    assertThat(answer(legacy.body())).isNotEmpty().isEqualTo(answer(modern.body()));
    JsonObject a = record(modernId);
    JsonObject b = record(legacyId);
    for (String field : new String[] {"prompt_tokens", "completion_tokens", "model", "upstream_model", "estimated", "cost_nano_usd"}) {
      assertThat(b.getValue(field)).as(field).isEqualTo(a.getValue(field));
    }
  }

  @Test
  void an_alias_routes_a_retired_name_and_the_ledger_keeps_both_names() {
    String id = "alias-" + UUID.randomUUID();
    HttpResponse<String> r = stack.http.post("/v1/engines/text-davinci-002/completions", TestStack.ALPHA_KEY,
        "{\"prompt\":\"old code\",\"max_tokens\":5}", "x-request-id", id);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(stack.mock.stats().last().body()).getString("model")).isEqualTo("upstream-gpt");
    JsonObject rec = record(id);
    assertThat(rec.getString("model_requested")).isEqualTo("text-davinci-002");
    assertThat(rec.getString("model")).isEqualTo("gpt-test");
  }

  @Test
  void an_unknown_engine_or_deployment_gets_the_unknown_model_404() {
    HttpResponse<String> model = stack.http.post("/v1/completions", TestStack.ALPHA_KEY, "{\"model\":\"ghost\",\"prompt\":\"x\"}");
    HttpResponse<String> engine = stack.http.post("/v1/engines/ghost/completions", TestStack.ALPHA_KEY, "{\"prompt\":\"x\"}");
    HttpResponse<String> deployment = stack.http.post("/openai/deployments/ghost/completions?api-version=1", null,
        "{\"prompt\":\"x\"}", "api-key", TestStack.ALPHA_KEY);

    assertThat(model.statusCode()).isEqualTo(404);
    assertThat(engine.statusCode()).isEqualTo(404);
    assertThat(deployment.statusCode()).isEqualTo(404);
    assertThat(engine.body()).isEqualTo(model.body());
    assertThat(deployment.body()).isEqualTo(model.body());
  }

  @Test
  void a_key_in_the_query_string_works_and_reaches_neither_the_log_nor_the_upstream() {
    HttpResponse<String> r;
    try (LogCapture logs = new LogCapture()) {
      r = stack.http.post("/openai/deployments/gpt-test/chat/completions?api-version=2024-06-01&api-key=" + TestStack.ALPHA_KEY,
          null, body("chat/completions", null, false));
      await().atMost(Duration.ofSeconds(5)).until(() -> logs.lines().stream().anyMatch(l -> l.contains("/openai/deployments")));
      assertThat(logs.lines()).noneMatch(l -> l.contains(TestStack.ALPHA_KEY));
    }
    assertThat(r.statusCode()).isEqualTo(200);
    var seen = stack.mock.stats().last();
    assertThat(seen.uri()).doesNotContain(TestStack.ALPHA_KEY).doesNotContain("api-key");
    seen.headers().forEach(h -> assertThat(h.getValue()).doesNotContain(TestStack.ALPHA_KEY));
  }

  @Test
  void a_key_in_the_query_string_is_refused_when_not_enabled() {
    try (TestStack strict = TestStack.start(port -> yaml(port, false))) {
      HttpResponse<String> r = strict.http.post("/v1/chat/completions?api-key=" + TestStack.ALPHA_KEY, null,
          body("chat/completions", "gpt-test", false));
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("invalid_api_key");
    }
  }
}
