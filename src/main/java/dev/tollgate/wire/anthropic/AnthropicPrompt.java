package dev.tollgate.wire.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.wire.Prompt;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompt of a Messages request, for an estimate: the system prompt, each message's text, tool calls
 * (their input as JSON) and tool results, and the tool definitions, plus framing the gateway cannot see as
 * text: a few tokens per message and for the reply, and per image what Anthropic charges a small image. Claude
 * counts with a tokenizer of its own, so the count is an estimate (the provider's usage bills the request).
 */
final class AnthropicPrompt {
  static final int PER_MESSAGE = 4;
  static final int REPLY_PRIMING = 3;
  /** A 200x200 image ((w*h)/750 tokens); larger ones cost more, up to ~1600. */
  static final int IMAGE_FLOOR = 54;
  /** A PDF page costs at least this much; the gateway cannot see its pages. */
  static final int DOCUMENT_FLOOR = 1500;

  private final List<String> pieces = new ArrayList<>(4);
  private long framing;

  private AnthropicPrompt() {}

  static Prompt of(JsonNode body) {
    AnthropicPrompt p = new AnthropicPrompt();
    p.content(body.get("system"));
    JsonNode messages = body.get("messages");
    if (messages != null && messages.isArray()) {
      for (JsonNode m : messages) {
        p.framing += PER_MESSAGE;
        p.content(m.get("content"));
      }
    }
    p.framing += REPLY_PRIMING;
    JsonNode tools = body.get("tools");
    if (tools != null && tools.isArray()) {
      for (JsonNode tool : tools) p.json(tool);
    }
    return new Prompt(p.pieces, p.framing);
  }

  /** A string, or content blocks. */
  private void content(JsonNode content) {
    if (content == null || content.isNull()) return;
    if (content.isTextual()) {
      text(content);
      return;
    }
    if (!content.isArray()) return;
    for (JsonNode block : content) {
      switch (block.path("type").asText("")) {
        case "text" -> text(block.get("text"));
        case "image" -> framing += IMAGE_FLOOR;
        case "document" -> framing += DOCUMENT_FLOOR;
        case "tool_use", "server_tool_use" -> {
          text(block.get("name"));
          json(block.get("input"));
        }
        case "tool_result" -> content(block.get("content"));
        case "thinking" -> text(block.get("thinking"));
        default -> { }
      }
    }
  }

  private void json(JsonNode node) {
    if (node != null && !node.isNull()) pieces.add(node.toString());
  }

  private void text(JsonNode node) {
    if (node != null && node.isTextual() && !node.asText().isEmpty()) pieces.add(node.asText());
  }
}
