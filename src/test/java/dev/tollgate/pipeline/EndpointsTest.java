package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every client endpoint, streamed and not, relays the upstream's answer and rewrites the model name. */
class EndpointsTest {
  static TestStack stack;

  @BeforeAll
  static void start() {
    stack = TestStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @ParameterizedTest(name = "{0} stream={1}")
  @CsvSource({
      "/v1/chat/completions, false, '{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}', chat.completion",
      "/v1/chat/completions, true, '{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}', data: [DONE]",
      "/v1/completions, false, '{\"model\":\"gpt-test\",\"prompt\":\"hello\"}', text_completion",
      "/v1/completions, true, '{\"model\":\"gpt-test\",\"stream\":true,\"prompt\":\"hello\"}', data: [DONE]",
      "/v1/responses, false, '{\"model\":\"gpt-test\",\"input\":\"hello\"}', \"object\":\"response\"",
      "/v1/responses, true, '{\"model\":\"gpt-test\",\"stream\":true,\"input\":\"hello\"}', event: response.completed",
      "/v1/embeddings, false, '{\"model\":\"embed-test\",\"input\":[\"a\",\"b\"]}', \"object\":\"list\"",
  })
  void relays_each_endpoint(String path, boolean stream, String body, String expected) {
    HttpResponse<String> r = stack.http.post(path, TestStack.ALPHA_KEY, body);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains(expected);
    assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith(stream ? "text/event-stream" : "application/json");
    JsonObject upstreamBody = new JsonObject(stack.mock.stats().last().body());
    assertThat(upstreamBody.getString("model")).startsWith("upstream-");
    assertThat(stack.mock.stats().last().uri()).isEqualTo(path);
    if (stream && !path.equals("/v1/responses")) {
      // the gateway asks for usage on the client's behalf, and hides it from a client that did not ask
      assertThat(upstreamBody.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
      assertThat(r.body()).doesNotContain("\"completion_tokens\"");
    }
  }
}
