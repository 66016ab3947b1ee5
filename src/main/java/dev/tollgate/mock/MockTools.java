package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;

/** The functions an OpenAI request offers, which of them the fake provider calls, and with what arguments. */
final class MockTools {
  /** A function the model may call: its name and the JSON schema of its parameters. */
  record Function(String name, JsonNode parameters) {}

  private MockTools() {}

  /**
   * The functions the answer calls: none when the request offers none or its {@code tool_choice} is {@code none};
   * the one a {@code tool_choice} names; else all it offers, unless the last message is a function's result and
   * {@code tool_choice} is not {@code required} (then the model answers in words).
   */
  static List<Function> called(MockAnswer.Api api, JsonNode body) {
    if (api == MockAnswer.Api.COMPLETIONS) return List.of();
    List<Function> offered = new ArrayList<>();
    for (JsonNode tool : body.path("tools")) {
      if (!tool.path("type").asText("function").equals("function")) continue;
      JsonNode f = api == MockAnswer.Api.CHAT ? tool.path("function") : tool;
      offered.add(new Function(f.path("name").asText("tool"), f.path("parameters")));
    }
    JsonNode choice = body.path("tool_choice");
    if (offered.isEmpty() || choice.asText("").equals("none")) return List.of();
    JsonNode named = api == MockAnswer.Api.CHAT ? choice.path("function").path("name") : choice.path("name");
    List<Function> forced = offered.stream().filter(f -> f.name().equals(named.asText(null))).toList();
    if (!forced.isEmpty()) return forced;
    return choice.asText("").equals("required") || !answersAResult(api, body) ? offered : List.of();
  }

  private static boolean answersAResult(MockAnswer.Api api, JsonNode body) {
    JsonNode items = api == MockAnswer.Api.CHAT ? body.path("messages") : body.path("input");
    if (!items.isArray() || items.isEmpty()) return false;
    JsonNode last = items.get(items.size() - 1);
    return api == MockAnswer.Api.CHAT ? List.of("tool", "function").contains(last.path("role").asText())
        : last.path("type").asText().equals("function_call_output");
  }

  /** {@code count} parallel calls, cycling over the functions. */
  static List<MockAnswer.ToolCall> calls(List<Function> functions, int count, MockWords words) {
    List<MockAnswer.ToolCall> calls = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Function f = functions.get(i % functions.size());
      calls.add(new MockAnswer.ToolCall(id("call_", words), f.name(), arguments(f.parameters(), i, words).toString()));
    }
    return calls;
  }

  /**
   * Arguments that conform to a function's parameter schema; for a schema that lists no properties,
   * {@code {"query": <a word>, "n": <the call's number, from 1>}}.
   */
  static JsonNode arguments(JsonNode schema, int call, MockWords words) {
    if (MockJsonValues.hasProperties(schema)) return MockJsonValues.of(schema, words);
    return JsonNodeFactory.instance.objectNode().put("query", words.next().trim()).put("n", call + 1);
  }

  /** A call id: the prefix, then letters and digits drawn from the words' seed. */
  static String id(String prefix, MockWords words) {
    StringBuilder id = new StringBuilder(prefix);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 24; i++) id.append(alphabet.charAt((int) words.below(alphabet.length())));
    return id.toString();
  }
}
