package dev.tollgate.wire.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.wire.Prompt;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompt of an OpenAI request as OpenAI counts it. Chat messages (and Responses input items) are
 * counted as OpenAI's cookbook does: each message's role, content and name, plus 3 tokens of framing per
 * message, 1 per name, and 3 to prime the reply. An image costs at least 85 tokens (its low-detail
 * price): the gateway cannot see its size, so a high-detail image costs more than this estimate.
 * Completions and embeddings count their text alone.
 */
final class OpenAiPrompt {
  static final int PER_MESSAGE = 3;
  static final int PER_NAME = 1;
  static final int REPLY_PRIMING = 3;
  static final int IMAGE_FLOOR = 85;
  /** Roles that are one token in every OpenAI encoding: counted without a tokenizer lookup. */
  private static final java.util.Set<String> ONE_TOKEN_ROLES = java.util.Set.of("system", "user", "assistant", "developer", "tool", "function");

  private final List<String> pieces = new ArrayList<>(4);
  private long framing;

  private OpenAiPrompt() {}

  static Prompt of(OpenAiEndpoint endpoint, JsonNode body) {
    OpenAiPrompt p = new OpenAiPrompt();
    switch (endpoint) {
      case CHAT_COMPLETIONS -> {
        p.messages(body.get("messages"));
        p.framing += REPLY_PRIMING;
        p.tools(body.get("tools"));
      }
      case RESPONSES -> {
        JsonNode instructions = body.get("instructions");
        if (instructions != null && instructions.isTextual()) p.message(instructions);
        JsonNode input = body.get("input");
        if (input != null && input.isTextual()) p.message(input);
        else p.messages(input);
        p.framing += REPLY_PRIMING;
        p.tools(body.get("tools"));
      }
      case COMPLETIONS -> p.texts(body.get("prompt"));
      case EMBEDDINGS -> p.texts(body.get("input"));
    }
    return new Prompt(p.pieces, p.framing);
  }

  private void messages(JsonNode messages) {
    if (messages == null || !messages.isArray()) return;
    for (JsonNode m : messages) {
      if (!m.isObject()) continue;
      framing += PER_MESSAGE;
      role(m.get("role"));
      content(m.get("content"));
      JsonNode name = m.get("name");
      if (name != null && name.isTextual()) {
        text(name);
        framing += PER_NAME;
      }
      // an assistant's tool calls (chat) or a function call and its output (Responses items)
      for (JsonNode call : m.path("tool_calls")) {
        text(call.path("function").get("name"));
        text(call.path("function").get("arguments"));
      }
      text(m.get("arguments"));
      text(m.get("output"));
    }
  }

  /** A message given as a bare string (Responses' instructions or input): its one-token role implied. */
  private void message(JsonNode content) {
    framing += PER_MESSAGE + 1;
    text(content);
  }

  private void role(JsonNode role) {
    if (role != null && role.isTextual() && ONE_TOKEN_ROLES.contains(role.asText())) framing++;
    else text(role);
  }

  /** A message's content: a string, or parts (text, images). */
  private void content(JsonNode content) {
    if (content == null) return;
    if (content.isTextual()) {
      text(content);
      return;
    }
    for (JsonNode part : content) {
      String type = part.path("type").asText("");
      if (type.equals("image_url") || type.equals("input_image")) framing += IMAGE_FLOOR;
      else text(part.get("text"));
    }
  }

  /** Function definitions: their name, description and parameter schema as text. */
  private void tools(JsonNode tools) {
    if (tools == null || !tools.isArray()) return;
    for (JsonNode tool : tools) {
      JsonNode fn = tool.has("function") ? tool.get("function") : tool;
      text(fn.get("name"));
      text(fn.get("description"));
      JsonNode params = fn.get("parameters");
      if (params != null && !params.isNull()) pieces.add(params.toString());
    }
  }

  /** A prompt or input: a string, strings, or token ids (one token each). */
  private void texts(JsonNode node) {
    if (node == null || node.isNull()) return;
    if (node.isTextual()) {
      pieces.add(node.asText());
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        if (item.isNumber()) framing++;
        else texts(item);
      }
    }
  }

  private void text(JsonNode node) {
    if (node != null && node.isTextual() && !node.asText().isEmpty()) pieces.add(node.asText());
  }
}
