package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic answer derived from the prompt: the same prompt always gives the same words.
 * Every word is one token in o200k_base and cl100k_base, so the completion token count is exactly
 * the number of words.
 */
final class MockAnswer {
  private static final String[] WORDS = {
      " the", " quick", " brown", " fox", " jumps", " over", " lazy", " dog", " and", " then", " runs",
      " far", " away", " from", " home", " to", " find", " new", " friends", " in", " a", " big", " city",
      " with", " many", " tall", " buildings", " where", " people", " work", " every", " day", " on",
      " great", " ideas", " that", " change", " world", " for", " good", " time", " light", " water",
      " blue", " green", " red", " small", " old", " young", " happy", " cold", " warm", " night", " sun"
  };

  final String model;
  final String prompt;
  final int promptTokens;
  final List<String> tokens;
  /** Function calls instead of text, when the request offered tools; else empty. */
  final List<ToolCall> toolCalls;
  /** How many alternatives per token when the request asked for logprobs; -1 when it did not. */
  final int topLogprobs;

  /** One function call: its id, the function's name and its JSON arguments. */
  record ToolCall(String id, String name, String arguments) {}

  private MockAnswer(String model, String prompt, int promptTokens, List<String> tokens, List<ToolCall> toolCalls,
      int topLogprobs) {
    this.model = model;
    this.prompt = prompt;
    this.promptTokens = promptTokens;
    this.tokens = tokens;
    this.toolCalls = toolCalls;
    this.topLogprobs = topLogprobs;
  }

  /**
   * @param path the request's path, which decides how its prompt is counted
   * @param toolCalls how many parallel calls to make when the chat request offers tools
   */
  static MockAnswer of(String path, JsonNode body, int count, int padChars, int toolCalls) {
    String prompt = text(body);
    long seed = prompt.hashCode() * 0x9E3779B97F4A7C15L;
    List<String> tokens = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      seed = seed * 6364136223846793005L + 1442695040888963407L;
      String word = WORDS[(int) Math.floorMod(seed >>> 33, (long) WORDS.length)];
      tokens.add(padChars > 0 ? word + " " + "x".repeat(padChars) : word);
    }
    String model = body.path("model").asText("mock-model");
    List<ToolCall> calls = new ArrayList<>();
    JsonNode tools = body.path("tools");
    boolean toolsOffered = path.endsWith("/chat/completions") && tools.isArray() && !tools.isEmpty()
        && !"none".equals(body.path("tool_choice").asText(""));
    if (toolsOffered) {
      for (int i = 0; i < toolCalls; i++) {
        JsonNode tool = tools.get(i % tools.size());
        String name = tool.path("function").path("name").asText("tool");
        String arg = tokens.isEmpty() ? "" : tokens.get(i % tokens.size()).trim();
        calls.add(new ToolCall("call_" + Long.toHexString(Math.abs(seed + i)), name,
            "{\"query\":\"" + arg + "\",\"n\":" + (i + 1) + "}"));
      }
      tokens = List.of();
    }
    int top = body.path("logprobs").asBoolean(false) ? body.path("top_logprobs").asInt(0) : -1;
    return new MockAnswer(model, prompt, MockTokens.prompt(path, body), tokens, calls, top);
  }

  /** Every string the prompt fields hold, in order: what the answer is derived from. */
  private static String text(JsonNode body) {
    StringBuilder sb = new StringBuilder();
    for (String field : new String[] {"instructions", "messages", "prompt", "input"}) collect(body.get(field), sb);
    return sb.toString();
  }

  private static void collect(JsonNode node, StringBuilder sb) {
    if (node == null) return;
    if (node.isTextual()) {
      if (!sb.isEmpty()) sb.append('\n');
      sb.append(node.asText());
    } else if (node.isArray()) {
      node.forEach(item -> collect(item, sb));
    } else if (node.isObject()) {
      collect(node.get("content"), sb);
      collect(node.get("text"), sb);
    }
  }

  String text() {
    return String.join("", tokens);
  }

  int completionTokens() {
    int n = tokens.size();
    for (ToolCall c : toolCalls) n += MockTokens.count(c.name()) + MockTokens.count(c.arguments());
    return n;
  }
}
