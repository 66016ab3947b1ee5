package dev.tollgate.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fake provider speaks Anthropic's Messages API: answers, usage, streams, tools, errors and faults. */
class MockAnthropicTest {
  private static final String WEATHER = """
      {"name":"weather","description":"The weather in a city","input_schema":{"type":"object",
       "properties":{"city":{"type":"string"},"days":{"type":"integer","minimum":1,"maximum":7},
                     "unit":{"type":"string","enum":["celsius","fahrenheit"]}},
       "required":["city","days","unit"]}}""";
  private static MockServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new MockServer();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static String body(String prompt, String extra) {
    return "{\"model\":\"claude-test\",\"max_tokens\":100," + (extra.isEmpty() ? "" : extra + ",")
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
  }

  private static JsonObject message(String body, String... headers) throws Exception {
    return server.postJson("/v1/messages", body, headers);
  }

  @Test
  void answers_in_text_with_its_usage_in_anthropics_shape() throws Exception {
    HttpResponse<String> r = server.post("/v1/messages", body("hello there", ""), "x-mock-tokens", "5", "x-api-key", "k");
    JsonObject m = new JsonObject(r.body());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("request-id")).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
    assertThat(m.getString("id")).startsWith("msg_");
    assertThat(m.getString("type")).isEqualTo("message");
    assertThat(m.getString("role")).isEqualTo("assistant");
    assertThat(m.getString("model")).isEqualTo("claude-test");
    assertThat(m.getJsonArray("content")).hasSize(1);
    JsonObject text = m.getJsonArray("content").getJsonObject(0);
    assertThat(text.getString("type")).isEqualTo("text");
    assertThat(text.getString("text")).isEqualTo(String.join("", MockWords.of("hello there", 0).next(5, 0)));
    assertThat(m.getString("stop_reason")).isEqualTo("end_turn");
    assertThat(m.containsKey("stop_sequence")).isTrue();
    assertThat(m.getValue("stop_sequence")).isNull();
    JsonObject usage = m.getJsonObject("usage");
    // 3 priming the reply + 4 framing the message + the text
    assertThat(usage.getInteger("input_tokens")).isEqualTo(3 + 4 + MockTokens.count("hello there"));
    assertThat(usage.getInteger("output_tokens")).isEqualTo(5);
    assertThat(usage.getInteger("cache_creation_input_tokens")).isZero();
    assertThat(usage.getInteger("cache_read_input_tokens")).isZero();
  }

  @Test
  void answers_with_the_words_an_openai_request_with_the_same_prompt_gets() throws Exception {
    String chat = "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"same words\"}]}";
    String openai = server.postJson("/v1/chat/completions", chat).getJsonArray("choices").getJsonObject(0)
        .getJsonObject("message").getString("content");

    String anthropic = message(body("same words", "")).getJsonArray("content").getJsonObject(0).getString("text");

    assertThat(anthropic).isEqualTo(openai).isNotBlank();
  }

  @Test
  void streams_anthropics_events_in_order_with_the_same_text_and_usage() throws Exception {
    JsonObject whole = message(body("stream me", ""), "x-mock-tokens", "6");
    List<MockServer.Event> events = server.stream("/v1/messages", body("stream me", "\"stream\":true"), "x-mock-tokens", "6");

    assertThat(events).extracting(MockServer.Event::name).containsExactly("message_start", "content_block_start", "ping",
        "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta",
        "content_block_delta", "content_block_stop", "message_delta", "message_stop");
    assertThat(events).allSatisfy(e -> assertThat(e.json().getString("type")).isEqualTo(e.name()));
    JsonObject start = events.get(0).json().getJsonObject("message");
    assertThat(start.getJsonArray("content")).isEmpty();
    assertThat(start.getValue("stop_reason")).isNull();
    assertThat(start.getJsonObject("usage").getInteger("input_tokens")).isEqualTo(whole.getJsonObject("usage").getInteger("input_tokens"));
    assertThat(start.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(1);
    assertThat(events.get(1).json().getJsonObject("content_block")).isEqualTo(new JsonObject().put("type", "text").put("text", ""));
    StringBuilder text = new StringBuilder();
    events.stream().filter(e -> "content_block_delta".equals(e.name())).map(e -> e.json().getJsonObject("delta"))
        .forEach(d -> text.append(d.getString("text")));
    assertThat(text.toString()).isEqualTo(whole.getJsonArray("content").getJsonObject(0).getString("text"));
    JsonObject delta = events.get(10).json();
    assertThat(delta.getJsonObject("delta").getString("stop_reason")).isEqualTo("end_turn");
    assertThat(delta.getJsonObject("usage")).isEqualTo(new JsonObject().put("output_tokens", whole.getJsonObject("usage").getInteger("output_tokens")));
  }

  @Test
  void streams_tool_use_input_in_json_pieces_that_make_input_valid_for_the_schema() throws Exception {
    String request = body("what is the weather in paris", "\"tools\":[" + WEATHER + "]");
    JsonObject whole = message(request, "x-mock-tool-calls", "2");
    List<MockServer.Event> events = server.stream("/v1/messages", request.replace("{\"model\"", "{\"stream\":true,\"model\""),
        "x-mock-tool-calls", "2");

    JsonArray content = whole.getJsonArray("content");
    assertThat(whole.getString("stop_reason")).isEqualTo("tool_use");
    assertThat(content).hasSize(3);
    assertThat(content.getJsonObject(0).getString("type")).isEqualTo("text");
    int output = 3;
    for (int block = 1; block <= 2; block++) {
      JsonObject use = content.getJsonObject(block);
      assertThat(use.getString("type")).isEqualTo("tool_use");
      assertThat(use.getString("id")).startsWith("toolu_");
      assertThat(use.getString("name")).isEqualTo("weather");
      String schema = new JsonObject(WEATHER).getJsonObject("input_schema").encode();
      assertThat(SchemaCheck.problems(schema, use.getJsonObject("input").encode())).isEmpty();
      output += MockTokens.count(use.getJsonObject("input").encode());

      int index = block;
      List<JsonObject> pieces = events.stream().filter(e -> "content_block_delta".equals(e.name()))
          .map(MockServer.Event::json).filter(e -> e.getInteger("index") == index).map(e -> e.getJsonObject("delta")).toList();
      assertThat(pieces).allSatisfy(p -> assertThat(p.getString("type")).isEqualTo("input_json_delta"));
      assertThat(pieces.stream().filter(p -> !p.getString("partial_json").isEmpty())).hasSizeGreaterThan(2);
      String json = pieces.stream().map(p -> p.getString("partial_json")).reduce("", String::concat);
      assertThat(new JsonObject(json)).isEqualTo(use.getJsonObject("input"));
      JsonObject started = events.stream().filter(e -> "content_block_start".equals(e.name())).map(MockServer.Event::json)
          .filter(e -> e.getInteger("index") == index).findFirst().orElseThrow().getJsonObject("content_block");
      assertThat(started).isEqualTo(use.copy().put("input", new JsonObject()));
    }
    assertThat(whole.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(output);
    JsonObject delta = events.get(events.size() - 2).json();
    assertThat(delta.getJsonObject("delta").getString("stop_reason")).isEqualTo("tool_use");
    assertThat(delta.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(output);
  }

  @Test
  void tool_choice_forces_the_named_tool_without_words_and_tool_results_get_words() throws Exception {
    String other = "{\"name\":\"clock\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\"}}}}";
    String tools = "\"tools\":[" + WEATHER + "," + other + "]";
    JsonObject forced = message(body("time please", tools + ",\"tool_choice\":{\"type\":\"tool\",\"name\":\"clock\"}"),
        "x-mock-tool-calls", "2");
    String afterResult = "{\"model\":\"claude-test\",\"max_tokens\":100," + tools + ",\"messages\":["
        + "{\"role\":\"user\",\"content\":\"time please\"},"
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"clock\",\"input\":{}}]},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"noon\"}]}]}";
    JsonObject answered = message(afterResult);

    assertThat(forced.getJsonArray("content")).hasSize(2)
        .allSatisfy(b -> assertThat(((JsonObject) b).getString("name")).isEqualTo("clock"));
    assertThat(answered.getString("stop_reason")).isEqualTo("end_turn");
    assertThat(answered.getJsonArray("content").getJsonObject(0).getString("type")).isEqualTo("text");
  }

  @Test
  void cache_reads_and_writes_from_headers_are_reported_beside_the_input() throws Exception {
    JsonObject plain = message(body("cache me", "")).getJsonObject("usage");
    JsonObject cached = message(body("cache me", ""), "x-mock-cache-read-tokens", "100", "x-mock-cache-write-tokens", "40")
        .getJsonObject("usage");

    assertThat(cached.getInteger("cache_read_input_tokens")).isEqualTo(100);
    assertThat(cached.getInteger("cache_creation_input_tokens")).isEqualTo(40);
    assertThat(cached.getInteger("input_tokens")).isEqualTo(plain.getInteger("input_tokens"));
  }

  @Test
  void max_tokens_stops_the_answer_with_stop_reason_max_tokens() throws Exception {
    String request = body("a long story", "").replace("\"max_tokens\":100", "\"max_tokens\":3");
    JsonObject m = message(request, "x-mock-tokens", "10");
    List<MockServer.Event> events = server.stream("/v1/messages", request.replace("{\"model\"", "{\"stream\":true,\"model\""),
        "x-mock-tokens", "10");

    assertThat(m.getString("stop_reason")).isEqualTo("max_tokens");
    assertThat(m.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(3);
    assertThat(m.getJsonArray("content").getJsonObject(0).getString("text"))
        .isEqualTo(String.join("", MockWords.of("a long story", 0).next(3, 0)));
    assertThat(events.stream().filter(e -> "content_block_delta".equals(e.name()))).hasSize(3);
    assertThat(events.get(events.size() - 2).json().getJsonObject("delta").getString("stop_reason")).isEqualTo("max_tokens");
  }

  @Test
  void a_request_without_max_tokens_gets_anthropics_400() throws Exception {
    HttpResponse<String> r = server.post("/v1/messages",
        "{\"model\":\"claude-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    JsonObject error = new JsonObject(r.body());

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error.getString("type")).isEqualTo("error");
    assertThat(error.getJsonObject("error")).isEqualTo(new JsonObject().put("type", "invalid_request_error")
        .put("message", "max_tokens: Field required"));
    assertThat(error.getString("request_id")).isEqualTo(r.headers().firstValue("request-id").orElseThrow());
    assertThat(message(body("hi", "").replace("100", "0")).getJsonObject("error").getString("message"))
        .isEqualTo("max_tokens: Input should be greater than or equal to 1");
    assertThat(message("{\"max_tokens\":5,\"messages\":[]}").getJsonObject("error").getString("message"))
        .isEqualTo("model: Field required");
    assertThat(message("{\"model\":\"m\",\"max_tokens\":5,\"messages\":\"hi\"}").getJsonObject("error").getString("message"))
        .isEqualTo("messages: Input should be a valid list");
  }

  @Test
  void faults_come_in_anthropics_shape() throws Exception {
    HttpResponse<String> overloaded = server.post("/v1/messages", body("hi", ""), "x-mock-fault", "529");
    HttpResponse<String> limited = server.post("/v1/messages", body("hi", ""), "x-mock-fault", "429");
    HttpResponse<String> otherKey = server.post("/v1/messages", body("hi", ""), "x-mock-fault", "401",
        "x-mock-fault-key", "bad", "x-api-key", "good");
    HttpResponse<String> badKey = server.post("/v1/messages", body("hi", ""), "x-mock-fault", "401",
        "x-mock-fault-key", "bad", "x-api-key", "bad");

    assertThat(overloaded.statusCode()).isEqualTo(529);
    assertThat(new JsonObject(overloaded.body()).getJsonObject("error"))
        .isEqualTo(new JsonObject().put("type", "overloaded_error").put("message", "Overloaded"));
    assertThat(overloaded.headers().firstValue("request-id")).isPresent();
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("retry-after")).hasValue("1");
    assertThat(new JsonObject(limited.body()).getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
    assertThat(otherKey.statusCode()).isEqualTo(200);
    assertThat(badKey.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(badKey.body()).getJsonObject("error").getString("type")).isEqualTo("authentication_error");
  }

  @Test
  void a_cut_fault_drops_the_connection_after_that_many_events() throws Exception {
    String body = body("cut", "\"stream\":true");
    String received;
    try (Socket socket = new Socket("127.0.0.1", server.mock.port())) {
      socket.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nhost: mock\r\nx-mock-fault: cut:3\r\n"
          + "content-type: application/json\r\ncontent-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      // read to the end: the fake provider closes the connection
      received = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    assertThat(received).startsWith("HTTP/1.1 200");
    assertThat(received.lines().filter(l -> l.startsWith("event: "))).containsExactly("event: message_start",
        "event: content_block_start", "event: ping");
    assertThat(received).doesNotEndWith("0\r\n\r\n");
  }

  @Test
  void count_tokens_counts_the_prompt_as_the_answer_reports_it() throws Exception {
    String messages = "\"system\":[{\"type\":\"text\",\"text\":\"Be brief.\"}],\"tools\":[" + WEATHER + "],\"messages\":["
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"look\"},"
        + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBOR\"}}]},"
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"weather\",\"input\":{\"city\":\"Oslo\"}}]},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"cold\"}]}]";
    JsonObject counted = server.postJson("/v1/messages/count_tokens", "{\"model\":\"claude-test\"," + messages + "}");
    JsonObject answered = message("{\"model\":\"claude-test\",\"max_tokens\":50," + messages + "}");

    int tools = MockTokens.count(new JsonArray().add(new JsonObject(WEATHER)).encode());
    int expected = 3 + (3 + MockTokens.count("Be brief.")) + (4 + MockTokens.count("look") + 1600)
        + (4 + MockTokens.count("weather") + MockTokens.count("{\"city\":\"Oslo\"}")) + (4 + MockTokens.count("cold")) + tools;
    assertThat(counted).isEqualTo(new JsonObject().put("input_tokens", expected));
    assertThat(answered.getJsonObject("usage").getInteger("input_tokens")).isEqualTo(expected);
  }

  @Test
  void the_anthropic_sdk_reads_answers_and_accumulates_streams_to_the_same_message() {
    AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("sk-ant-test")
        .responseValidation(true).maxRetries(0).build();
    try {
      Tool tool = Tool.builder().name("weather").inputSchema(Tool.InputSchema.builder()
          .properties(JsonValue.from(Map.of("city", Map.of("type", "string")))).required(List.of("city")).build()).build();
      for (MessageCreateParams params : List.of(
          MessageCreateParams.builder().model("claude-test").maxTokens(64).addUserMessage("tell me").build(),
          MessageCreateParams.builder().model("claude-test").maxTokens(64).addUserMessage("weather?").addTool(tool).build())) {
        Message whole = client.messages().create(params);
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
          stream.stream().forEach(e -> accumulator.accumulate(e.validate()));
        }
        Message streamed = accumulator.message();

        streamed.validate();
        assertThat(streamed.content()).isEqualTo(whole.content());
        assertThat(streamed.stopReason()).isEqualTo(whole.stopReason());
        assertThat(streamed.usage().outputTokens()).isEqualTo(whole.usage().outputTokens());
        assertThat(streamed.usage().inputTokens()).isEqualTo(whole.usage().inputTokens());
      }
      Message called = client.messages().create(MessageCreateParams.builder().model("claude-test").maxTokens(64)
          .addUserMessage("weather?").addTool(tool).build());
      assertThat(called.stopReason()).contains(StopReason.TOOL_USE);
      assertThat(called.content().get(1).asToolUse()._input().convert(Map.class)).containsKey("city");
    } finally {
      client.close();
    }
  }
}
