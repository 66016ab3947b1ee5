package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.Http;
import dev.tollgate.support.LogCapture;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code auth.query-param-key: true}: the key in {@code ?api-key=} works, and no malformed query string can leak it. */
class QueryParamKeyTest {
  static TestStack stack;

  @BeforeAll
  static void start() {
    stack = TestStack.start(port -> TestStack.defaultYaml(port, null) + "auth: { query-param-key: true }\n");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static RawHttp.Response send(String method, String target, String body) throws Exception {
    try (RawHttp client = RawHttp.request(null, stack.gateway.port(), method, target, body)) {
      return client.readResponse();
    }
  }

  private static String key() {
    return URLEncoder.encode(TestStack.ALPHA_KEY, StandardCharsets.UTF_8);
  }

  @Test
  void a_malformed_query_string_is_a_400_in_the_apis_error_shape_and_the_key_reaches_no_log() throws Exception {
    String chat = Http.chat("gpt-test", "hi", false);
    String messages = "{\"model\":\"gpt-test\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assertThat(send("POST", "/v1/chat/completions?api-key=" + key(), chat).status()).isEqualTo(200);

    try (LogCapture logs = new LogCapture()) {
      RawHttp.Response openai = send("POST", "/v1/chat/completions?api-key=" + key() + "&y=%zz", chat);
      RawHttp.Response anthropic = send("POST", "/v1/messages?api-key=" + key() + "&y=%zz", messages);
      RawHttp.Response models = send("GET", "/v1/models?api-key=" + key() + "&y=%zz", null);
      RawHttp.Response badKey = send("POST", "/v1/chat/completions?y=1&api-key=" + key() + "%zz", chat);

      for (RawHttp.Response r : new RawHttp.Response[] {openai, anthropic, models, badKey}) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.header("content-type")).startsWith("application/json");
        assertThat(r.body()).doesNotContain(TestStack.ALPHA_KEY).doesNotContain(key());
      }
      JsonObject error = new JsonObject(openai.body()).getJsonObject("error");
      assertThat(error.getString("type")).isEqualTo("invalid_request_error");
      assertThat(error.getString("message")).contains("query string");
      assertThat(error.getString("param")).isEqualTo("y");
      JsonObject claude = new JsonObject(anthropic.body());
      assertThat(claude.getString("type")).isEqualTo("error");
      assertThat(claude.getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
      assertThat(new JsonObject(models.body()).getJsonObject("error").getString("param")).isEqualTo("y");
      assertThat(new JsonObject(badKey.body()).getJsonObject("error").getString("param")).isEqualTo("api-key");

      assertThat(logs.lines()).isNotEmpty();
      assertThat(logs.lines()).noneMatch(l -> l.contains(TestStack.ALPHA_KEY) || l.contains(key()));
      assertThat(logs.lines(ch.qos.logback.classic.Level.ERROR)).isEmpty();
    }
  }
}
