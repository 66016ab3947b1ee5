package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The fake provider's own count of an Anthropic prompt (its {@code input_tokens}), in o200k_base tokens: the
 * system prompt (a string or text blocks) plus 3 framing it when there is one; each message's blocks plus 4
 * framing the message; 3 priming the reply; and the tool definitions, as the tokens of their compact JSON. A text
 * block costs its text, an image or a document {@value #IMAGE}, a tool_use block its name and its input's compact
 * JSON, a tool_result its content (a string, or text and image blocks), a thinking block its thinking, any other
 * block its compact JSON. Anthropic's own tokenizer differs; this count is the mock's, so tests can predict it.
 */
final class MockAnthropicTokens {
  static final int SYSTEM = 3;
  static final int PER_MESSAGE = 4;
  static final int REPLY = 3;
  static final int IMAGE = 1600;

  private MockAnthropicTokens() {}

  static int input(JsonNode body) {
    int n = REPLY;
    JsonNode system = body.get("system");
    if (system != null && !system.isNull()) n += SYSTEM + content(system);
    for (JsonNode m : body.path("messages")) n += PER_MESSAGE + content(m.get("content"));
    JsonNode tools = body.path("tools");
    if (tools.isArray() && !tools.isEmpty()) n += MockTokens.count(tools.toString());
    return n;
  }

  /** A string, or blocks. */
  private static int content(JsonNode content) {
    if (content == null || content.isNull()) return 0;
    if (content.isTextual()) return MockTokens.count(content.asText());
    int n = 0;
    for (JsonNode block : content) n += block(block);
    return n;
  }

  private static int block(JsonNode block) {
    return switch (block.path("type").asText()) {
      case "text" -> MockTokens.count(block.path("text").asText());
      case "image", "document" -> IMAGE;
      case "tool_use" -> MockTokens.count(block.path("name").asText()) + MockTokens.count(block.path("input").toString());
      case "tool_result" -> content(block.get("content"));
      case "thinking" -> MockTokens.count(block.path("thinking").asText());
      default -> MockTokens.count(block.toString());
    };
  }
}
