package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The fake provider's answer to an Anthropic Messages request, derived from the prompt: the words of the OpenAI
 * answer to the same prompt in one text block; or, when the request offers tools and the model is to call them,
 * tool_use blocks (after a text block of the answer's first {@value #INTRO} words, unless tool_choice forces a
 * tool). Its output tokens are one per word plus, per tool_use block, the tokens of its input's compact JSON; it
 * stops at max_tokens: words beyond it are dropped, and so is a tool_use block that would pass it.
 */
final class MockAnthropicAnswer {
  private static final int INTRO = 3;

  final String model;
  final List<Block> blocks;
  final String stopReason;
  final int inputTokens;
  final int cacheReadTokens;
  final int cacheWriteTokens;

  /** A content block: text (its words) or a tool_use (its id, the tool's name and its input). */
  record Block(List<String> words, String id, String name, JsonNode input) {
    static Block text(List<String> words) {
      return new Block(words, null, null, null);
    }

    boolean isText() {
      return name == null;
    }

    String text() {
      return String.join("", words);
    }

    int outputTokens() {
      return isText() ? words.size() : MockTokens.count(input.toString());
    }

    JsonObject json() {
      if (isText()) return new JsonObject().put("type", "text").put("text", text());
      return new JsonObject().put("type", "tool_use").put("id", id).put("name", name).put("input", new JsonObject(input.toString()));
    }
  }

  /** A tool the request offers: its name and the JSON schema of its input. */
  private record Tool(String name, JsonNode schema) {}

  private MockAnthropicAnswer(String model, List<Block> blocks, String stopReason, int inputTokens, MockBehaviour b) {
    this.model = model;
    this.blocks = blocks;
    this.stopReason = stopReason;
    this.inputTokens = inputTokens;
    this.cacheReadTokens = b.cacheReadTokens();
    this.cacheWriteTokens = b.cacheWriteTokens();
  }

  static MockAnthropicAnswer of(JsonNode body, MockBehaviour b) {
    MockWords words = MockWords.of(MockWords.prompt(body), 0);
    int max = body.path("max_tokens").asInt(Integer.MAX_VALUE);
    List<String> all = words.next(b.tokens(), b.padChars());
    List<Tool> tools = b.toolCalls() == 0 ? List.of() : called(body);
    boolean forced = List.of("any", "tool").contains(body.path("tool_choice").path("type").asText());
    List<Block> blocks = new ArrayList<>();
    List<String> said = tools.isEmpty() ? all : all.subList(0, forced ? 0 : Math.min(INTRO, all.size()));
    boolean cut = said.size() > max;
    if (cut) said = said.subList(0, max);
    if (!said.isEmpty()) blocks.add(Block.text(List.copyOf(said)));
    String stop = cut ? "max_tokens" : tools.isEmpty() ? "end_turn" : "tool_use";
    int used = said.size();
    for (int i = 0; stop.equals("tool_use") && i < b.toolCalls(); i++) {
      Tool t = tools.get(i % tools.size());
      Block call = new Block(List.of(), MockTools.id("toolu_", words), t.name(), MockTools.arguments(t.schema(), i, words));
      used += call.outputTokens();
      if (used > max) stop = "max_tokens";
      else blocks.add(call);
    }
    return new MockAnthropicAnswer(body.path("model").asText(), blocks, stop, MockAnthropicTokens.input(body), b);
  }

  /**
   * The tools the answer calls: none without tools or with tool_choice none; the one tool_choice names; else all,
   * unless the last message is the user's tool results only and tool_choice leaves the choice to the model.
   */
  private static List<Tool> called(JsonNode body) {
    List<Tool> offered = new ArrayList<>();
    for (JsonNode t : body.path("tools")) {
      if (t.hasNonNull("name") && (t.has("input_schema") || "custom".equals(t.path("type").asText("custom")))) {
        offered.add(new Tool(t.get("name").asText(), t.path("input_schema")));
      }
    }
    JsonNode choice = body.path("tool_choice");
    String type = choice.path("type").asText("auto");
    if (offered.isEmpty() || type.equals("none")) return List.of();
    if (type.equals("tool")) {
      List<Tool> named = offered.stream().filter(t -> t.name().equals(choice.path("name").asText())).toList();
      return named.isEmpty() ? offered : named;
    }
    return type.equals("any") || !answersToolResults(body.path("messages")) ? offered : List.of();
  }

  private static boolean answersToolResults(JsonNode messages) {
    if (!messages.isArray() || messages.isEmpty()) return false;
    JsonNode last = messages.get(messages.size() - 1);
    JsonNode content = last.path("content");
    if (!"user".equals(last.path("role").asText()) || !content.isArray() || content.isEmpty()) return false;
    for (JsonNode block : content) if (!"tool_result".equals(block.path("type").asText())) return false;
    return true;
  }

  int outputTokens() {
    return blocks.stream().mapToInt(Block::outputTokens).sum();
  }
}
