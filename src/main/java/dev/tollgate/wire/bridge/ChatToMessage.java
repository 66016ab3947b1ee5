package dev.tollgate.wire.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.anthropic.AnthropicErrors;

/**
 * An OpenAI chat completion as an Anthropic message: the first choice's content as a text block and its tool
 * calls as {@code tool_use} blocks, the finish reason as a stop reason, and the usage with cached prompt tokens as
 * cache reads (Anthropic's {@code input_tokens} leaves them out). An OpenAI error keeps its status and message in
 * Anthropic's error shape.
 */
final class ChatToMessage {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectMapper json;

  ChatToMessage(ObjectMapper json) {
    this.json = json;
  }

  byte[] answer(byte[] completion) {
    JsonNode chat;
    try {
      chat = json.readTree(completion);
    } catch (Exception notJson) {
      chat = null;
    }
    if (chat == null || !chat.isObject()) {
      throw new GatewayFailure(502, "server_error", "upstream_malformed", null, "The upstream provider's answer was not a chat completion.");
    }
    JsonNode choice = chat.path("choices").path(0);
    JsonNode m = choice.path("message");
    ObjectNode message = NODES.objectNode().put("id", messageId(chat.path("id").asText())).put("type", "message").put("role", "assistant")
        .put("model", chat.path("model").asText());
    ArrayNode content = message.putArray("content");
    String text = m.path("content").asText("");
    if (!text.isEmpty()) content.addObject().put("type", "text").put("text", text);
    for (JsonNode call : m.path("tool_calls")) {
      content.addObject().put("type", "tool_use").put("id", call.path("id").asText()).put("name", call.path("function").path("name").asText())
          .set("input", input(call.path("function").path("arguments").asText("")));
    }
    message.put("stop_reason", stopReason(choice.path("finish_reason").asText(null), m.path("tool_calls").size() > 0));
    message.putNull("stop_sequence");
    message.set("usage", usage(chat.path("usage")));
    try {
      return json.writeValueAsBytes(message);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  byte[] error(int status, byte[] body) {
    String message;
    try {
      message = json.readTree(body).path("error").path("message").asText(null);
    } catch (Exception notJson) {
      message = null;
    }
    return AnthropicErrors.body(AnthropicErrors.type(status), message != null ? message : "The upstream provider answered HTTP " + status + ".");
  }

  /** A tool call's arguments as the object Anthropic's {@code input} is; arguments that are not one, under {@code _arguments}. */
  JsonNode input(String arguments) {
    if (arguments.isBlank()) return NODES.objectNode();
    try {
      JsonNode input = json.readTree(arguments);
      if (input != null && input.isObject()) return input;
    } catch (Exception notJson) {
      // kept as text below
    }
    return NODES.objectNode().put("_arguments", arguments);
  }

  /**
   * @param calledTools whether the answer has tool calls: some OpenAI-compatible servers finish those with
   *     {@code stop}, and Anthropic clients run tools only on {@code tool_use}
   */
  static String stopReason(String finishReason, boolean calledTools) {
    if (calledTools && (finishReason == null || finishReason.equals("stop"))) return "tool_use";
    if (finishReason == null) return "end_turn";
    return switch (finishReason) {
      case "length" -> "max_tokens";
      case "tool_calls", "function_call" -> "tool_use";
      case "content_filter" -> "refusal";
      default -> "end_turn";
    };
  }

  static String messageId(String chatId) {
    return "msg_" + (chatId.startsWith("chatcmpl-") ? chatId.substring(9) : chatId);
  }

  /** OpenAI's usage as Anthropic's: cached prompt tokens are cache reads, not input tokens. */
  static ObjectNode usage(JsonNode usage) {
    long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
    return NODES.objectNode().put("input_tokens", usage.path("prompt_tokens").asLong(0) - cached)
        .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", cached)
        .put("output_tokens", usage.path("completion_tokens").asLong(0));
  }
}
