package dev.tollgate.wire.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.GatewayFailure;

/**
 * An Anthropic Messages request as an OpenAI chat completions request: the system prompt becomes a system
 * message; text and images (inline or by URL) become content parts; an assistant's {@code tool_use} blocks
 * become tool calls and a user's {@code tool_result} blocks tool messages (an error result's text marked
 * {@code Error:}, its images in the user message that follows); tools, the tool choice and parallel
 * tool use, stop sequences, sampling and the end user carry over. Thinking blocks and {@code top_k} have no
 * counterpart and are dropped; documents and Anthropic's server tools are a 400.
 */
final class MessagesToChat {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private MessagesToChat() {}

  static ObjectNode translate(ObjectNode messages, String model) {
    ObjectNode out = NODES.objectNode();
    out.put("model", model);
    ArrayNode chat = out.putArray("messages");
    String system = text(messages.get("system"));
    if (!system.isEmpty()) chat.addObject().put("role", "system").put("content", system);
    for (JsonNode m : messages.path("messages")) {
      if (m.path("role").asText().equals("assistant")) assistant(m.get("content"), chat);
      else user(m.get("content"), chat);
    }
    out.put("max_completion_tokens", messages.path("max_tokens").asLong());
    if (messages.path("stream").asBoolean(false)) out.put("stream", true);
    copy(messages, "temperature", out, "temperature");
    copy(messages, "top_p", out, "top_p");
    copy(messages, "stop_sequences", out, "stop");
    JsonNode user = messages.path("metadata").get("user_id");
    if (user != null && user.isTextual()) out.put("user", user.asText());
    tools(messages, out);
    return out;
  }

  /** A user turn: its tool results as tool messages first, then the rest as one user message. */
  private static void user(JsonNode content, ArrayNode chat) {
    if (content == null || content.isTextual()) {
      chat.addObject().put("role", "user").put("content", content == null ? "" : content.asText());
      return;
    }
    ArrayNode parts = NODES.arrayNode();
    for (JsonNode block : content) {
      switch (block.path("type").asText()) {
        case "text" -> parts.addObject().put("type", "text").put("text", block.path("text").asText());
        case "image" -> parts.addObject().put("type", "image_url").putObject("image_url").put("url", imageUrl(block.path("source")));
        case "tool_result" -> {
          // a tool message holds text only: a result's images follow in the user message
          String result = text(block.get("content"));
          if (block.path("is_error").asBoolean(false)) result = "Error: " + result;
          chat.addObject().put("role", "tool").put("tool_call_id", block.path("tool_use_id").asText()).put("content", result);
          for (JsonNode part : block.path("content")) {
            if (part.path("type").asText().equals("image")) {
              parts.addObject().put("type", "image_url").putObject("image_url").put("url", imageUrl(part.path("source")));
            }
          }
        }
        default -> throw unsupported("Content blocks of type '" + block.path("type").asText() + "'");
      }
    }
    if (!parts.isEmpty()) chat.addObject().put("role", "user").set("content", parts);
  }

  private static void assistant(JsonNode content, ArrayNode chat) {
    ObjectNode message = NODES.objectNode().put("role", "assistant");
    if (content == null || content.isTextual()) {
      chat.add(message.put("content", content == null ? "" : content.asText()));
      return;
    }
    StringBuilder text = new StringBuilder();
    ArrayNode calls = NODES.arrayNode();
    for (JsonNode block : content) {
      switch (block.path("type").asText()) {
        case "text" -> text.append(block.path("text").asText());
        case "tool_use" -> calls.addObject().put("id", block.path("id").asText()).put("type", "function").putObject("function")
            .put("name", block.path("name").asText()).put("arguments", block.path("input").toString());
        case "thinking", "redacted_thinking" -> { }
        default -> throw unsupported("Content blocks of type '" + block.path("type").asText() + "'");
      }
    }
    if (text.length() > 0 || calls.isEmpty()) message.put("content", text.toString());
    else message.putNull("content");
    if (!calls.isEmpty()) message.set("tool_calls", calls);
    chat.add(message);
  }

  private static String imageUrl(JsonNode source) {
    return switch (source.path("type").asText()) {
      case "base64" -> "data:" + source.path("media_type").asText() + ";base64," + source.path("data").asText();
      case "url" -> source.path("url").asText();
      default -> throw unsupported("Images from a '" + source.path("type").asText() + "' source");
    };
  }

  /** A string, or the text of text blocks. */
  private static String text(JsonNode content) {
    if (content == null || content.isNull()) return "";
    if (content.isTextual()) return content.asText();
    StringBuilder sb = new StringBuilder();
    for (JsonNode block : content) {
      if (block.path("type").asText().equals("text")) {
        if (sb.length() > 0) sb.append("\n\n");
        sb.append(block.path("text").asText());
      }
    }
    return sb.toString();
  }

  private static void tools(JsonNode messages, ObjectNode out) {
    JsonNode tools = messages.get("tools");
    if (tools != null && tools.isArray() && !tools.isEmpty()) {
      ArrayNode defs = out.putArray("tools");
      for (JsonNode tool : tools) {
        if (tool.has("type") && !tool.path("type").asText().equals("custom")) throw unsupported("Server tools ('" + tool.path("type").asText() + "')");
        ObjectNode fn = defs.addObject().put("type", "function").putObject("function").put("name", tool.path("name").asText());
        if (tool.path("description").isTextual()) fn.put("description", tool.get("description").asText());
        fn.set("parameters", tool.path("input_schema").isObject() ? tool.get("input_schema") : NODES.objectNode().put("type", "object"));
      }
    }
    JsonNode choice = messages.get("tool_choice");
    if (choice == null || !choice.isObject() || !out.has("tools")) return;
    switch (choice.path("type").asText()) {
      case "any" -> out.put("tool_choice", "required");
      case "none" -> out.put("tool_choice", "none");
      case "tool" -> out.putObject("tool_choice").put("type", "function").putObject("function").put("name", choice.path("name").asText());
      default -> out.put("tool_choice", "auto");
    }
    if (choice.path("disable_parallel_tool_use").asBoolean(false)) out.put("parallel_tool_calls", false);
  }

  private static GatewayFailure unsupported(String what) {
    return GatewayFailure.badRequest(what + " cannot be sent to this model (its provider speaks OpenAI's API).", "messages");
  }

  private static void copy(JsonNode from, String field, ObjectNode to, String as) {
    JsonNode v = from.get(field);
    if (v != null && !v.isNull()) to.set(as, v);
  }
}
