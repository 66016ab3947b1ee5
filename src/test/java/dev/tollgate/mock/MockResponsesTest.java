package dev.tollgate.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.StructuredResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fake provider answers the Responses API as OpenAI does: its stream events, function calls, limits, formats. */
class MockResponsesTest {
  private static final String TOOLS = """
      "tools":[{"type":"function","name":"weather","parameters":{"type":"object",
        "properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}]""";
  private static MockServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new MockServer();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static String request(String input, String extra) {
    return "{\"model\":\"gpt-test\"," + (extra.isEmpty() ? "" : extra + ",") + "\"input\":\"" + input + "\"}";
  }

  private static List<MockServer.Event> stream(String body, String... headers) throws Exception {
    return server.stream("/v1/responses", body.replace("{\"model\"", "{\"stream\":true,\"model\""), headers);
  }

  @Test
  void a_stream_sends_every_event_in_order_with_sequence_numbers_and_usage_only_at_the_end() throws Exception {
    JsonObject whole = server.postJson("/v1/responses", request("tell me", ""), "x-mock-tokens", "3");
    List<MockServer.Event> events = stream(request("tell me", ""), "x-mock-tokens", "3");

    assertThat(events).extracting(MockServer.Event::name).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
        "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed");
    assertThat(events).extracting(e -> e.json().getString("type")).containsExactlyElementsOf(events.stream().map(MockServer.Event::name).toList());
    assertThat(events).extracting(e -> e.json().getInteger("sequence_number")).containsExactlyElementsOf(IntStream.range(0, 11).boxed().toList());
    String text = whole.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text");
    StringBuilder deltas = new StringBuilder();
    events.subList(4, 7).forEach(e -> deltas.append(e.json().getString("delta")));
    assertThat(deltas.toString()).isEqualTo(text).isEqualTo(events.get(7).json().getString("text"));
    assertThat(events.get(0).json().getJsonObject("response").getString("status")).isEqualTo("in_progress");
    assertThat(events.get(0).json().getJsonObject("response").getValue("usage")).isNull();
    JsonObject completed = events.get(10).json().getJsonObject("response");
    assertThat(completed.getString("status")).isEqualTo("completed");
    assertThat(withoutIds(completed.getJsonArray("output"))).isEqualTo(withoutIds(whole.getJsonArray("output")));
    assertThat(completed.getJsonObject("usage")).isEqualTo(whole.getJsonObject("usage"));
    assertThat(completed.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(3);
    assertThat(events.subList(1, 10)).noneMatch(e -> e.data().contains("\"usage\":{"));
  }

  /** Output items as two answers to the same request share them: their ids differ. */
  private static JsonArray withoutIds(JsonArray items) {
    JsonArray out = new JsonArray();
    items.forEach(item -> {
      JsonObject copy = ((JsonObject) item).copy();
      copy.remove("id");
      out.add(copy);
    });
    return out;
  }

  @Test
  void usage_counts_cached_and_reasoning_tokens_from_headers() throws Exception {
    JsonObject usage = server.postJson("/v1/responses", request("think", ""), "x-mock-tokens", "4",
        "x-mock-cached-tokens", "2", "x-mock-reasoning-tokens", "5").getJsonObject("usage");

    assertThat(usage.getInteger("output_tokens")).isEqualTo(9);
    assertThat(usage.getInteger("total_tokens")).isEqualTo(usage.getInteger("input_tokens") + 9);
    assertThat(usage.getJsonObject("input_tokens_details").getInteger("cached_tokens")).isEqualTo(2);
    assertThat(usage.getJsonObject("output_tokens_details").getInteger("reasoning_tokens")).isEqualTo(5);
  }

  @Test
  void function_tools_give_function_call_items_streamed_as_argument_pieces() throws Exception {
    JsonObject whole = server.postJson("/v1/responses", request("weather in rome", TOOLS), "x-mock-tool-calls", "2");
    List<MockServer.Event> events = stream(request("weather in rome", TOOLS), "x-mock-tool-calls", "2");

    JsonArray output = whole.getJsonArray("output");
    assertThat(output).hasSize(2);
    JsonObject call = output.getJsonObject(0);
    assertThat(call.getString("type")).isEqualTo("function_call");
    assertThat(call.getString("name")).isEqualTo("weather");
    assertThat(call.getString("call_id")).startsWith("call_");
    assertThat(call.getString("status")).isEqualTo("completed");
    assertThat(new JsonObject(call.getString("arguments")).getString("city")).isNotBlank();

    List<String> names = events.stream().map(MockServer.Event::name).distinct().toList();
    assertThat(names).containsExactly("response.created", "response.in_progress", "response.output_item.added",
        "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done",
        "response.completed");
    for (int i = 0; i < 2; i++) {
      int index = i;
      List<JsonObject> ofCall = events.stream().map(MockServer.Event::json).filter(e -> e.getInteger("output_index", -1) == index).toList();
      assertThat(ofCall.get(0).getString("type")).isEqualTo("response.output_item.added");
      assertThat(ofCall.get(0).getJsonObject("item").getString("arguments")).isEmpty();
      String arguments = ofCall.stream().filter(e -> e.getString("type").equals("response.function_call_arguments.delta"))
          .map(e -> e.getString("delta")).reduce("", String::concat);
      assertThat(arguments).isEqualTo(output.getJsonObject(i).getString("arguments"));
      JsonObject done = ofCall.get(ofCall.size() - 2);
      assertThat(done.getString("type")).isEqualTo("response.function_call_arguments.done");
      assertThat(done.getString("arguments")).isEqualTo(arguments);
      assertThat(done.getString("name")).isEqualTo("weather");
      JsonObject item = ofCall.get(ofCall.size() - 1).getJsonObject("item");
      assertThat(item.getString("id")).isEqualTo(done.getString("item_id")).isEqualTo(ofCall.get(0).getJsonObject("item").getString("id"));
      assertThat(withoutIds(new JsonArray().add(item))).isEqualTo(withoutIds(new JsonArray().add(output.getJsonObject(i))));
    }
  }

  @Test
  void max_output_tokens_makes_an_incomplete_response() throws Exception {
    JsonObject cut = server.postJson("/v1/responses", request("ramble", "\"max_output_tokens\":2"), "x-mock-tokens", "8");
    List<MockServer.Event> events = stream(request("ramble", "\"max_output_tokens\":2"), "x-mock-tokens", "8");

    assertThat(cut.getString("status")).isEqualTo("incomplete");
    assertThat(cut.getJsonObject("incomplete_details")).isEqualTo(new JsonObject().put("reason", "max_output_tokens"));
    assertThat(cut.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(2);
    assertThat(events.get(events.size() - 1).name()).isEqualTo("response.incomplete");
    assertThat(events.stream().filter(e -> e.name().equals("response.output_text.delta"))).hasSize(2);
  }

  @Test
  void a_json_schema_text_format_gives_conforming_json_streamed_or_not() throws Exception {
    String format = "\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"report\",\"strict\":true,\"schema\":"
        + MockChatTest.SCHEMA + "}}";
    JsonObject whole = server.postJson("/v1/responses", request("report", format));
    List<MockServer.Event> events = stream(request("report", format));

    String json = whole.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text");
    assertThat(SchemaCheck.problems(MockChatTest.SCHEMA, json)).isEmpty();
    assertThat(whole.getJsonObject("text").getJsonObject("format").getString("name")).isEqualTo("report");
    List<String> deltas = events.stream().filter(e -> e.name().equals("response.output_text.delta"))
        .map(e -> e.json().getString("delta")).toList();
    assertThat(deltas).hasSizeGreaterThan(10);
    assertThat(String.join("", deltas)).isEqualTo(json);
  }

  /** A function tool as openai-java defines one from a class. */
  public static class GetWeather {
    public String city;
    public int days;
  }

  @Test
  void openai_javas_stream_helpers_accumulate_the_same_response_and_parse_its_calls_and_formats() {
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey("sk-test")
        .responseValidation(true).maxRetries(0).build();
    try {
      for (ResponseCreateParams params : List.of(
          ResponseCreateParams.builder().model("gpt-test").input("hello").instructions("be kind").build(),
          ResponseCreateParams.builder().model("gpt-test").input("weather?").addTool(GetWeather.class).build())) {
        Response whole = client.responses().create(params);
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
          stream.stream().forEach(e -> accumulator.accumulate(e.validate()));
        }
        Response streamed = accumulator.response().validate();

        assertThat(streamed.output()).hasSameSizeAs(whole.output());
        for (int i = 0; i < whole.output().size(); i++) {
          ResponseOutputItem a = streamed.output().get(i);
          ResponseOutputItem b = whole.output().get(i);
          if (b.isMessage()) assertThat(a.asMessage().content()).isEqualTo(b.asMessage().content());
          else assertThat(a.asFunctionCall().arguments()).isEqualTo(b.asFunctionCall().arguments());
        }
        assertThat(streamed.usage()).isEqualTo(whole.usage());
        assertThat(streamed.instructions()).isEqualTo(whole.instructions());
      }
      ResponseFunctionToolCall call = client.responses().create(ResponseCreateParams.builder().model("gpt-test").input("weather?")
          .addTool(GetWeather.class).build()).output().get(0).asFunctionCall();
      assertThat(call.arguments(GetWeather.class).city).isNotBlank();

      StructuredResponse<MockChatTest.Trip> trip = client.responses().create(ResponseCreateParams.builder().model("gpt-test")
          .input("plan a trip").text(MockChatTest.Trip.class).build());
      MockChatTest.Trip parsed = trip.output().stream().flatMap(item -> item.message().stream())
          .flatMap(m -> m.content().stream()).flatMap(c -> c.outputText().stream()).findFirst().orElseThrow();
      assertThat(parsed.lead.name).isNotBlank();
      assertThat(trip.rawResponse().output()).extracting(ResponseOutputItem::isMessage).containsExactly(true);
    } finally {
      client.close();
    }
  }
}
