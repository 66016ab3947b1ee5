package dev.tollgate.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The legacy completions endpoint takes n and max_tokens as chat does, and streams text chunks. */
class MockCompletionsTest {
  private static MockServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new MockServer();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void n_choices_cut_at_max_tokens_with_finish_reason_length() throws Exception {
    String body = "{\"model\":\"gpt-test\",\"prompt\":\"once\",\"n\":2,\"max_tokens\":4}";
    JsonObject whole = server.postJson("/v1/completions", body, "x-mock-tokens", "6");
    List<MockServer.Event> events = server.stream("/v1/completions", body.replace("{", "{\"stream\":true,"), "x-mock-tokens", "6");

    JsonArray choices = whole.getJsonArray("choices");
    assertThat(choices).hasSize(2);
    assertThat(choices.getJsonObject(0).getString("text")).isEqualTo(String.join("", MockWords.of("once", 0).next(4, 0)));
    assertThat(choices.getJsonObject(1).getString("text")).isEqualTo(String.join("", MockWords.of("once", 1).next(4, 0)));
    assertThat(choices).allSatisfy(c -> assertThat(((JsonObject) c).getString("finish_reason")).isEqualTo("length"));
    assertThat(whole.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(8);
    StringBuilder second = new StringBuilder();
    events.stream().filter(e -> !e.data().equals("[DONE]")).map(e -> e.json().getJsonArray("choices").getJsonObject(0))
        .filter(c -> c.getInteger("index") == 1).forEach(c -> second.append(c.getString("text")));
    assertThat(second.toString()).isEqualTo(choices.getJsonObject(1).getString("text"));
    assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
  }
}
