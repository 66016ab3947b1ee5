package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.mock.MockStats;
import dev.tollgate.support.Http;
import dev.tollgate.support.LogCapture;
import dev.tollgate.support.TestStack;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The team key never goes upstream; the provider key never comes back, nor reaches a log or metric. */
class CredentialTest {
  static TestStack stack;

  @BeforeAll
  static void start() {
    stack = TestStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void upstream_gets_the_provider_key_and_never_the_team_key_whichever_header_the_client_used() {
    String body = Http.chat("gpt-test", "who am I", false);
    List<HttpResponse<String>> responses = List.of(
        stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body),
        stack.http.post("/v1/chat/completions", null, body, "api-key", TestStack.ALPHA_KEY),
        stack.http.post("/v1/chat/completions", null, body, "x-api-key", TestStack.ALPHA_KEY));

    assertThat(responses).allMatch(r -> r.statusCode() == 200);
    List<MockStats.Seen> seen = stack.mock.stats().recent();
    assertThat(seen).hasSizeGreaterThanOrEqualTo(3);
    for (MockStats.Seen s : seen.subList(seen.size() - 3, seen.size())) {
      assertThat(s.headers().get("authorization")).isEqualTo("Bearer " + TestStack.PROVIDER_KEY);
      assertThat(s.headers().get("api-key")).isNull();
      assertThat(s.headers().get("x-api-key")).isNull();
      s.headers().forEach(h -> assertThat(h.getValue()).doesNotContain(TestStack.ALPHA_KEY));
      assertThat(s.body()).doesNotContain(TestStack.ALPHA_KEY);
    }
  }

  @Test
  void no_response_log_line_or_metric_contains_the_provider_key() {
    List<HttpResponse<String>> responses = new ArrayList<>();
    try (LogCapture logs = new LogCapture()) {
      responses.add(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", false)));
      responses.add(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", true)));
      responses.add(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", false),
          "x-mock-fault", "401"));
      responses.add(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", false),
          "x-mock-fault", "500"));
      responses.add(stack.http.post("/v1/chat/completions", "tg-wrong", Http.chat("gpt-test", "hi", false)));
      responses.add(stack.http.get("/v1/models", "authorization", "Bearer " + TestStack.ALPHA_KEY));
      responses.add(stack.http.get("/metrics"));

      assertThat(logs.lines()).isNotEmpty();
      assertThat(logs.lines()).noneMatch(l -> l.contains(TestStack.PROVIDER_KEY));
      assertThat(logs.lines()).noneMatch(l -> l.contains(TestStack.ALPHA_KEY));
    }
    for (HttpResponse<String> r : responses) {
      assertThat(r.body()).doesNotContain(TestStack.PROVIDER_KEY);
      for (Map.Entry<String, List<String>> h : r.headers().map().entrySet()) {
        assertThat(h.getValue()).noneMatch(v -> v.contains(TestStack.PROVIDER_KEY));
      }
    }
  }

  @Test
  void request_id_is_echoed_and_forwarded_and_server_timing_is_set() {
    HttpResponse<String> r = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", false),
        "x-request-id", "client-id-42");

    assertThat(r.headers().firstValue("x-request-id")).hasValue("client-id-42");
    assertThat(stack.mock.stats().last().headers().get("x-request-id")).isEqualTo("client-id-42");
    assertThat(r.headers().firstValue("server-timing")).hasValueSatisfying(v ->
        assertThat(v).matches("gateway;dur=\\d+\\.\\d{3}, upstream;dur=\\d+\\.\\d{3}"));
    HttpResponse<String> own = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", false));
    assertThat(own.headers().firstValue("x-request-id")).hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
  }

  @Test
  void models_lists_what_the_key_may_use() {
    HttpResponse<String> alpha = stack.http.get("/v1/models", "authorization", "Bearer " + TestStack.ALPHA_KEY);
    HttpResponse<String> beta = stack.http.get("/v1/models", "authorization", "Bearer " + TestStack.BETA_KEY);

    assertThat(alpha.body()).contains("\"gpt-test\"").contains("\"embed-test\"");
    assertThat(beta.body()).contains("\"embed-test\"").doesNotContain("gpt-test");
  }

  @Test
  void two_different_credentials_are_refused_and_the_same_one_twice_is_not() {
    String body = Http.chat("gpt-test", "whose key", false);
    int before = stack.mock.stats().requests();
    List<HttpResponse<String>> conflicting = List.of(
        stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body, "api-key", TestStack.BETA_KEY),
        stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body, "x-api-key", TestStack.BETA_KEY),
        stack.http.post("/v1/chat/completions", null, body, "api-key", TestStack.ALPHA_KEY, "x-api-key", TestStack.BETA_KEY),
        stack.http.post("/v1/chat/completions", null, body, "authorization", "Basic dXNlcjpwYXNz", "api-key", TestStack.ALPHA_KEY),
        stack.http.get("/v1/models", "authorization", "Bearer " + TestStack.ALPHA_KEY, "x-api-key", TestStack.BETA_KEY));

    for (HttpResponse<String> r : conflicting) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
      var error = new io.vertx.core.json.JsonObject(r.body()).getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("invalid_api_key");
      assertThat(error.getString("message")).contains("one credential");
      assertThat(r.body()).doesNotContain(TestStack.ALPHA_KEY).doesNotContain(TestStack.BETA_KEY);
    }
    assertThat(stack.mock.stats().requests()).isEqualTo(before);

    assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body, "api-key", TestStack.ALPHA_KEY,
        "x-api-key", TestStack.ALPHA_KEY).statusCode()).isEqualTo(200);
  }
}
