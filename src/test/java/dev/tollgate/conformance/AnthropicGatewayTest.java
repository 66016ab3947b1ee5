package dev.tollgate.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the gateway does for Anthropic's API beyond what an SDK shows: keepalives as {@code ping} events, a broken
 * stream ending with Anthropic's error event, cached answers replayed as Anthropic streams, and the headers that
 * go upstream.
 */
class AnthropicGatewayTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static ConformanceStack stack;

  @BeforeAll
  static void start() {
    stack = ConformanceStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static String body(String model, String prompt, boolean stream) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":256,\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
  }

  private static HttpResponse<String> post(String body, String... headers) {
    return stack.stack.http.post("/v1/messages", TestStack.ALPHA_KEY, body, headers);
  }

  /** The events of an SSE body: name and data. */
  private static List<String[]> events(String sse) {
    List<String[]> out = new ArrayList<>();
    for (String block : sse.split("\n\n")) {
      String name = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) name = line.substring(7);
        if (line.startsWith("data: ")) data = line.substring(6);
      }
      if (name != null) out.add(new String[] {name, data});
    }
    return out;
  }

  private static String text(List<String[]> events) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (String[] e : events) {
      if (e[0].equals("content_block_delta")) sb.append(JSON.readTree(e[1]).path("delta").path("text").asText(""));
    }
    return sb.toString();
  }

  @Test
  void a_stream_waiting_for_its_first_event_gets_ping_events() {
    HttpResponse<String> r = post(body("claude-test", "Think first", true), "x-mock-latency-ms", "900");
    List<String[]> events = events(r.body());

    assertThat(r.statusCode()).isEqualTo(200);
    int firstMessage = 0;
    while (events.get(firstMessage)[0].equals("ping")) firstMessage++;
    assertThat(firstMessage).as("pings before the model's first event").isGreaterThanOrEqualTo(2);
    assertThat(events.get(0)[1]).isEqualTo("{\"type\": \"ping\"}");
    assertThat(events.get(firstMessage)[0]).isEqualTo("message_start");
    assertThat(events.get(events.size() - 1)[0]).isEqualTo("message_stop");
  }

  @Test
  void a_stream_the_provider_cuts_ends_with_anthropics_error_event() throws Exception {
    String id = "cut-" + UUID.randomUUID();
    HttpResponse<String> r = post(body("claude-test", "Cut me", true), "x-mock-fault", "cut:5", "x-request-id", id);
    List<String[]> events = events(r.body());

    assertThat(r.statusCode()).isEqualTo(200);
    String[] last = events.get(events.size() - 1);
    assertThat(last[0]).isEqualTo("error");
    JsonNode error = JSON.readTree(last[1]);
    assertThat(error.path("type").asText()).isEqualTo("error");
    assertThat(error.path("error").path("type").asText()).isEqualTo("api_error");
    assertThat(events).noneMatch(e -> e[0].equals("message_stop"));
    JsonObject record = stack.record("alpha", id);
    assertThat(record.getString("outcome")).isEqualTo("cut");
    assertThat(record.getBoolean("estimated")).isTrue();
  }

  @Test
  void a_cached_answer_is_replayed_as_an_anthropic_stream() throws Exception {
    String prompt = "Cache this " + UUID.randomUUID();
    HttpResponse<String> first = post(body("claude-cached", prompt, false));
    HttpResponse<String> replayed = post(body("claude-cached", prompt, true));

    assertThat(first.headers().firstValue("x-tollgate-cache")).hasValue("miss");
    assertThat(replayed.headers().firstValue("x-tollgate-cache")).hasValue("hit");
    JsonNode message = JSON.readTree(first.body());
    List<String[]> events = events(replayed.body());
    assertThat(events.get(0)[0]).isEqualTo("message_start");
    assertThat(events.get(events.size() - 1)[0]).isEqualTo("message_stop");
    assertThat(text(events)).isEqualTo(message.path("content").get(0).path("text").asText());
    JsonNode delta = JSON.readTree(events.get(events.size() - 2)[1]);
    assertThat(delta.path("usage").path("output_tokens").asLong()).isEqualTo(message.path("usage").path("output_tokens").asLong());
  }

  @Test
  void the_provider_gets_its_key_and_version_and_the_clients_beta_header_but_never_the_team_key() {
    HttpResponse<String> r = stack.stack.http.post("/v1/messages", null, body("claude-test", "Headers", false),
        "x-api-key", TestStack.ALPHA_KEY, "anthropic-version", "2023-06-01", "anthropic-beta", "prompt-caching-2024-07-31");
    var seen = stack.stack.mock.stats().last();

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(seen.headers().get("x-api-key")).isEqualTo(TestStack.PROVIDER_KEY);
    assertThat(seen.headers().get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(seen.headers().get("anthropic-beta")).isEqualTo("prompt-caching-2024-07-31");
    assertThat(seen.headers().toString()).doesNotContain(TestStack.ALPHA_KEY);
    // the provider's request id comes back under the gateway's name for it
    assertThat(r.headers().firstValue("request-id")).isEmpty();
    assertThat(r.headers().firstValue("x-upstream-request-id")).isPresent();
  }

  @Test
  void errors_on_the_messages_endpoint_take_anthropics_shape() throws Exception {
    HttpResponse<String> bad = post("{\"model\":\"claude-test\",\"messages\":[]}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body())).isEqualTo(JSON.readTree(
        "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"max_tokens: Field required\"}}"));
    HttpResponse<String> unknown = post(body("no-such-model", "x", false));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).path("error").path("type").asText()).isEqualTo("not_found_error");
  }
}
