package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The fake provider's answer to an OpenAI request (chat completions, completions or responses), derived from the
 * prompt so the same request always gets the same answer: {@code n} choices, choice i drawn from its own words;
 * JSON when the request asks for a response format; function calls when it offers functions; cut at its maximum
 * of output tokens.
 */
final class MockAnswer {
  enum Api { CHAT, COMPLETIONS, RESPONSES }

  final Api api;
  final String model;
  final int promptTokens;
  final List<Choice> choices;
  /** How many alternatives per token when the request asked for logprobs; -1 when it did not. */
  final int topLogprobs;
  /** The reasoning tokens reported ({@code x-mock-reasoning-tokens}, within the maximum of output tokens). */
  final int reasoningTokens;

  /** One function call: its id, the function's name and its JSON arguments. */
  record ToolCall(String id, String name, String arguments) {}

  /** One choice: its text in pieces of one token each, or its function calls; and whether max tokens cut it short. */
  record Choice(int index, List<String> pieces, List<ToolCall> toolCalls, boolean cut) {
    String text() {
      return String.join("", pieces);
    }

    String finishReason() {
      return !toolCalls.isEmpty() ? "tool_calls" : cut ? "length" : "stop";
    }

    int completionTokens() {
      int n = pieces.size();
      for (ToolCall c : toolCalls) n += MockTokens.count(c.name()) + MockTokens.count(c.arguments());
      return n;
    }
  }

  private MockAnswer(Api api, String model, int promptTokens, List<Choice> choices, int topLogprobs, int reasoningTokens) {
    this.api = api;
    this.model = model;
    this.promptTokens = promptTokens;
    this.choices = choices;
    this.topLogprobs = topLogprobs;
    this.reasoningTokens = reasoningTokens;
  }

  static Api api(String path) {
    if (path.endsWith("/chat/completions")) return Api.CHAT;
    return path.endsWith("/responses") ? Api.RESPONSES : Api.COMPLETIONS;
  }

  static MockAnswer of(String path, JsonNode body, MockBehaviour b) {
    Api api = api(path);
    String prompt = MockWords.prompt(body);
    int limit = maxTokens(api, body);
    int reasoning = Math.min(b.reasoningTokens(), limit);
    List<MockTools.Function> functions = MockTools.called(api, body);
    int n = api == Api.RESPONSES ? 1 : Math.max(1, body.path("n").asInt(1));
    List<Choice> choices = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      MockWords words = MockWords.of(prompt, i);
      choices.add(functions.isEmpty() ? text(i, words, format(api, body), b, limit - reasoning)
          : new Choice(i, List.of(), MockTools.calls(functions, b.toolCalls(), words), false));
    }
    int top = api != Api.COMPLETIONS && body.path("logprobs").asBoolean(false) ? body.path("top_logprobs").asInt(0) : -1;
    return new MockAnswer(api, body.path("model").asText("mock-model"), MockTokens.prompt(path, body), choices, top, reasoning);
  }

  /** The words of the answer, or JSON when a response format asks for it; no more pieces than the budget. */
  private static Choice text(int index, MockWords words, JsonNode format, MockBehaviour b, int budget) {
    List<String> pieces = words.next(b.tokens(), b.padChars());
    String type = format.path("type").asText("text");
    JsonNode schema = format.has("json_schema") ? format.path("json_schema").path("schema") : format.path("schema");
    if (type.equals("json_schema") && schema.isObject()) {
      pieces = MockTokens.pieces(MockJsonValues.of(schema, words).toString());
    } else if (type.equals("json_schema") || type.equals("json_object")) {
      pieces = MockTokens.pieces(JsonNodeFactory.instance.objectNode().put("answer", String.join("", pieces).trim()).toString());
    }
    boolean cut = pieces.size() > budget;
    return new Choice(index, cut ? List.copyOf(pieces.subList(0, budget)) : pieces, List.of(), cut);
  }

  private static JsonNode format(Api api, JsonNode body) {
    return switch (api) {
      case CHAT -> body.path("response_format");
      case RESPONSES -> body.path("text").path("format");
      case COMPLETIONS -> MissingNode.getInstance();
    };
  }

  /** The request's maximum of output tokens (reasoning included), or no maximum. */
  private static int maxTokens(Api api, JsonNode body) {
    JsonNode max = switch (api) {
      case CHAT -> body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.path("max_tokens");
      case COMPLETIONS -> body.path("max_tokens");
      case RESPONSES -> body.path("max_output_tokens");
    };
    return max.canConvertToInt() && max.asInt() > 0 ? max.asInt() : Integer.MAX_VALUE;
  }

  Choice first() {
    return choices.get(0);
  }

  /** Completion tokens over every choice, reasoning included. */
  int completionTokens() {
    int n = reasoningTokens;
    for (Choice c : choices) n += c.completionTokens();
    return n;
  }

  /** Whether the maximum of output tokens cut the answer short. */
  boolean cut() {
    return choices.stream().anyMatch(Choice::cut);
  }
}
