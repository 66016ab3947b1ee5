package dev.tollgate.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.StructuredChatCompletion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fake provider answers chat completions as OpenAI does: choices, formats, limits, tools, logprobs, 400s. */
class MockChatTest {
  static final String SCHEMA = """
      {"type":"object","additionalProperties":false,
       "properties":{"title":{"type":"string"},"count":{"type":"integer","minimum":2,"maximum":5},
         "score":{"type":"number","minimum":0,"maximum":1},"done":{"type":"boolean"},
         "tags":{"type":"array","items":{"type":"string"}},"mood":{"type":"string","enum":["calm","busy"]},
         "owner":{"$ref":"#/$defs/person"},"note":{"type":["string","null"]},"tree":{"$ref":"#/$defs/node"}},
       "required":["title","count","score","done","tags","mood","owner","note","tree"],
       "$defs":{"person":{"type":"object","additionalProperties":false,
                  "properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]},
                "node":{"type":"object","additionalProperties":false,"required":["label","children"],
                  "properties":{"label":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}}}}}""";
  private static MockServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new MockServer();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String chat(String prompt, String extra) {
    return "{\"model\":\"gpt-test\"," + (extra.isEmpty() ? "" : extra + ",")
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
  }

  private static String streamed(String body) {
    return body.replace("{\"model\"", "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"model\"");
  }

  private static List<JsonObject> chunks(String body, String... headers) throws Exception {
    List<JsonObject> chunks = new ArrayList<>();
    for (MockServer.Event e : server.stream("/v1/chat/completions", streamed(body), headers)) {
      if (!e.data().equals("[DONE]")) chunks.add(e.json());
    }
    return chunks;
  }

  /** Each choice's content, concatenated from the chunks' deltas. */
  private static Map<Integer, String> contents(List<JsonObject> chunks) {
    Map<Integer, String> contents = new LinkedHashMap<>();
    for (JsonObject chunk : chunks) {
      for (Object c : chunk.getJsonArray("choices")) {
        JsonObject choice = (JsonObject) c;
        String piece = choice.getJsonObject("delta").getString("content");
        if (piece != null) contents.merge(choice.getInteger("index"), piece, String::concat);
      }
    }
    return contents;
  }

  private static String content(JsonObject completion, int choice) {
    return completion.getJsonArray("choices").getJsonObject(choice).getJsonObject("message").getString("content");
  }

  @Test
  void n_choices_each_with_its_own_words_and_the_usage_of_all() throws Exception {
    JsonObject one = server.postJson("/v1/chat/completions", chat("three ways", ""), "x-mock-tokens", "4");
    JsonObject three = server.postJson("/v1/chat/completions", chat("three ways", "\"n\":3"), "x-mock-tokens", "4");
    List<JsonObject> chunks = chunks(chat("three ways", "\"n\":3"), "x-mock-tokens", "4");

    JsonArray choices = three.getJsonArray("choices");
    assertThat(choices).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(choices.getJsonObject(i).getInteger("index")).isEqualTo(i);
      assertThat(choices.getJsonObject(i).getString("finish_reason")).isEqualTo("stop");
    }
    assertThat(content(three, 0)).isEqualTo(content(one, 0));
    assertThat(new HashSet<>(List.of(content(three, 0), content(three, 1), content(three, 2)))).hasSize(3);
    assertThat(three.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(12);
    assertThat(three.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(one.getJsonObject("usage").getInteger("prompt_tokens"));

    assertThat(contents(chunks)).containsExactly(Map.entry(0, content(three, 0)), Map.entry(1, content(three, 1)),
        Map.entry(2, content(three, 2)));
    List<Integer> finished = chunks.stream().flatMap(c -> c.getJsonArray("choices").stream().map(JsonObject.class::cast))
        .filter(c -> c.getValue("finish_reason") != null).map(c -> c.getInteger("index")).toList();
    assertThat(finished).containsExactly(0, 1, 2);
    assertThat(chunks.get(chunks.size() - 1).getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(12);
  }

  @Test
  void a_json_schema_answer_is_json_that_conforms_streamed_or_not() throws Exception {
    String format = "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"report\",\"strict\":true,\"schema\":"
        + SCHEMA + "}}";
    JsonObject whole = server.postJson("/v1/chat/completions", chat("report please", format));
    List<JsonObject> chunks = chunks(chat("report please", format));

    String json = content(whole, 0);
    assertThat(SchemaCheck.problems(SCHEMA, json)).isEmpty();
    assertThat(new JsonObject(json).getJsonObject("tree").getJsonArray("children")).isNotEmpty();
    assertThat(whole.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(MockTokens.count(json));
    assertThat(contents(chunks)).containsExactly(Map.entry(0, json));
    assertThat(chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty()
        && c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").containsKey("content"))).hasSizeGreaterThan(10);
  }

  @Test
  void a_json_object_answer_is_a_json_object() throws Exception {
    JsonObject whole = server.postJson("/v1/chat/completions", chat("as json", "\"response_format\":{\"type\":\"json_object\"}"));

    assertThat(new JsonObject(content(whole, 0)).getString("answer")).isNotBlank();
  }

  /** What openai-java's structured outputs make a schema of, and parse the answer back into. */
  public static class Trip {
    public String destination;
    public int nights;
    public double budget;
    public boolean refundable;
    public List<String> stops;
    public Season season;
    public Traveller lead;
    public List<Traveller> companions;
  }

  public enum Season { SPRING, SUMMER, AUTUMN }

  public static class Traveller {
    public String name;
    public int age;
  }

  @Test
  void openai_javas_structured_outputs_parse_the_answer_into_their_class() {
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey("sk-test")
        .responseValidation(true).maxRetries(0).build();
    try {
      StructuredChatCompletion<Trip> completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
          .model("gpt-test").addUserMessage("plan a trip").responseFormat(Trip.class).build());

      Trip trip = completion.choices().get(0).message().content().orElseThrow();
      assertThat(trip.destination).isNotBlank();
      assertThat(trip.season).isNotNull();
      assertThat(trip.lead.name).isNotBlank();
      assertThat(trip.stops).isNotEmpty();
      assertThat(trip.companions).isNotEmpty().allSatisfy(t -> assertThat(t.name).isNotBlank());
    } finally {
      client.close();
    }
  }

  @Test
  void max_tokens_cuts_the_answer_with_finish_reason_length() throws Exception {
    for (String limit : new String[] {"\"max_tokens\":3", "\"max_completion_tokens\":3"}) {
      JsonObject cut = server.postJson("/v1/chat/completions", chat("go on", limit), "x-mock-tokens", "10");
      List<JsonObject> chunks = chunks(chat("go on", limit), "x-mock-tokens", "10");

      assertThat(cut.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("length");
      assertThat(cut.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(3);
      assertThat(content(cut, 0)).isEqualTo(String.join("", MockWords.of("go on", 0).next(3, 0)));
      assertThat(chunks.get(chunks.size() - 2).getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("length");
      assertThat(contents(chunks).get(0)).isEqualTo(content(cut, 0));
    }
    JsonObject whole = server.postJson("/v1/chat/completions", chat("go on", "\"max_tokens\":30"), "x-mock-tokens", "10");
    assertThat(whole.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
  }

  @Test
  void malformed_requests_get_openais_400s() throws Exception {
    assertBadRequest("{\"model\":\"gpt-test\",\"messages\":\"hello\"}", "messages", "invalid_type",
        "Invalid type for 'messages': expected an array of objects, but got a string instead.");
    assertBadRequest("{\"model\":\"gpt-test\"}", "messages", "missing_required_parameter", "Missing required parameter: 'messages'.");
    assertBadRequest("{\"model\":\"gpt-test\",\"messages\":[]}", "messages", "empty_array",
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.");
    assertBadRequest("{\"model\":\"gpt-test\",\"messages\":[{\"content\":\"hi\"}]}", "messages[0].role",
        "missing_required_parameter", "Missing required parameter: 'messages[0].role'.");
    assertBadRequest("{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}", "messages[0].role",
        "invalid_value", "Invalid value: 'robot'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.");
    assertBadRequest("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", null, null, "you must provide a model parameter");
    assertBadRequest(chat("hi", "\"n\":0"), "n", "integer_below_min_value",
        "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead.");
    assertBadRequest(chat("hi", "\"n\":\"2\""), "n", "invalid_type", "Invalid type for 'n': expected an integer, but got a string instead.");
  }

  private static void assertBadRequest(String body, String param, String code, String message) throws Exception {
    HttpResponse<String> r = server.post("/v1/chat/completions", body);
    assertThat(r.statusCode()).as(body).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getJsonObject("error")).isEqualTo(new JsonObject().put("message", message)
        .put("type", "invalid_request_error").put("param", param).put("code", code));
  }

  static final String TOOLS = """
      "tools":[{"type":"function","function":{"name":"weather","parameters":{"type":"object",
        "properties":{"city":{"type":"string"},"days":{"type":"integer","minimum":1,"maximum":7}},"required":["city","days"],
        "additionalProperties":false}}},
       {"type":"function","function":{"name":"clock","parameters":{"type":"object","properties":{"zone":{"type":"string"}},
        "required":["zone"],"additionalProperties":false}}}]""";

  @Test
  void parallel_tool_calls_stream_as_heads_then_argument_pieces() throws Exception {
    JsonObject whole = server.postJson("/v1/chat/completions", chat("weather and time", TOOLS), "x-mock-tool-calls", "3");
    List<JsonObject> chunks = chunks(chat("weather and time", TOOLS), "x-mock-tool-calls", "3");

    JsonObject choice = whole.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    assertThat(choice.getJsonObject("message").getValue("content")).isNull();
    JsonArray calls = choice.getJsonObject("message").getJsonArray("tool_calls");
    assertThat(calls).hasSize(3);
    assertThat(calls.stream().map(c -> ((JsonObject) c).getJsonObject("function").getString("name")))
        .containsExactly("weather", "clock", "weather");

    List<JsonObject> deltas = chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty())
        .map(c -> c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta"))
        .filter(d -> d.containsKey("tool_calls")).map(d -> d.getJsonArray("tool_calls").getJsonObject(0)).toList();
    for (int k = 0; k < 3; k++) {
      int index = k;
      List<JsonObject> pieces = deltas.stream().filter(d -> d.getInteger("index") == index).toList();
      JsonObject expected = calls.getJsonObject(k);
      JsonObject head = pieces.get(0);
      assertThat(head.getString("id")).isEqualTo(expected.getString("id"));
      assertThat(head.getString("type")).isEqualTo("function");
      assertThat(head.getJsonObject("function").getString("name")).isEqualTo(expected.getJsonObject("function").getString("name"));
      assertThat(head.getJsonObject("function").getString("arguments")).isEmpty();
      assertThat(pieces.subList(1, pieces.size())).hasSizeGreaterThan(2)
          .allSatisfy(p -> assertThat(p.fieldNames()).containsExactlyInAnyOrder("index", "function"))
          .allSatisfy(p -> assertThat(p.getJsonObject("function").fieldNames()).containsExactly("arguments"));
      String arguments = pieces.stream().map(p -> p.getJsonObject("function").getString("arguments")).reduce("", String::concat);
      assertThat(arguments).isEqualTo(expected.getJsonObject("function").getString("arguments"));
      JsonObject parameters = new JsonObject("{" + TOOLS + "}").getJsonArray("tools").getJsonObject(k % 2)
          .getJsonObject("function").getJsonObject("parameters");
      assertThat(SchemaCheck.problems(parameters.encode(), arguments)).isEmpty();
    }
  }

  @Test
  void after_a_tool_result_the_model_answers_in_words_unless_a_call_is_required() throws Exception {
    String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},{\"role\":\"assistant\",\"content\":null,"
        + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny\"}]";
    JsonObject answered = server.postJson("/v1/chat/completions", "{\"model\":\"gpt-test\"," + TOOLS + "," + messages + "}");
    JsonObject required = server.postJson("/v1/chat/completions",
        "{\"model\":\"gpt-test\",\"tool_choice\":\"required\"," + TOOLS + "," + messages + "}");
    JsonObject named = server.postJson("/v1/chat/completions", chat("time?", TOOLS
        + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"clock\"}}"), "x-mock-tool-calls", "2");

    assertThat(answered.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
    assertThat(content(answered, 0)).isNotBlank();
    assertThat(required.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("tool_calls");
    assertThat(named.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getJsonArray("tool_calls").stream()
        .map(c -> ((JsonObject) c).getJsonObject("function").getString("name"))).containsExactly("clock", "clock");
  }

  @Test
  void logprobs_come_per_token_with_top_alternatives_streamed_or_not() throws Exception {
    String asked = "\"logprobs\":true,\"top_logprobs\":2";
    JsonObject whole = server.postJson("/v1/chat/completions", chat("how sure", asked), "x-mock-tokens", "3");
    List<JsonObject> chunks = chunks(chat("how sure", asked), "x-mock-tokens", "3");

    JsonObject logprobs = whole.getJsonArray("choices").getJsonObject(0).getJsonObject("logprobs");
    assertThat(logprobs.fieldNames()).containsExactlyInAnyOrder("content", "refusal");
    JsonArray content = logprobs.getJsonArray("content");
    assertThat(content).hasSize(3);
    JsonObject first = content.getJsonObject(0);
    assertThat(first.fieldNames()).containsExactlyInAnyOrder("token", "logprob", "bytes", "top_logprobs");
    assertThat(first.getJsonArray("top_logprobs")).hasSize(2).allSatisfy(t ->
        assertThat(((JsonObject) t).fieldNames()).containsExactlyInAnyOrder("token", "logprob", "bytes"));
    StringBuilder tokens = new StringBuilder();
    content.forEach(t -> tokens.append(((JsonObject) t).getString("token")));
    assertThat(tokens.toString()).isEqualTo(content(whole, 0));

    List<JsonObject> streamed = chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty())
        .map(c -> c.getJsonArray("choices").getJsonObject(0)).filter(c -> c.getValue("logprobs") != null)
        .map(c -> c.getJsonObject("logprobs").getJsonArray("content").getJsonObject(0)).toList();
    assertThat(streamed).containsExactlyElementsOf(content.stream().map(JsonObject.class::cast).toList());
  }
}
