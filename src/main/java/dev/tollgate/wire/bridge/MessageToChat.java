package dev.tollgate.wire.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.openai.OpenAiErrors;

/**
 * An Anthropic message as an OpenAI chat completion: its text blocks as the content, its {@code tool_use} blocks
 * as tool calls (input as JSON arguments), the stop reason as a finish reason, and the usage with the prompt
 * counting cache reads and writes (cache reads as {@code cached_tokens}); thinking blocks are left out. An
 * Anthropic error keeps its status and message in OpenAI's error shape.
 */
final class MessageToChat {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectMapper json;

  MessageToChat(ObjectMapper json) {
    this.json = json;
  }

  byte[] answer(byte[] message) {
    JsonNode m = read(message);
    ObjectNode chat = NODES.objectNode().put("id", chatId(m.path("id").asText())).put("object", "chat.completion")
        .put("created", System.currentTimeMillis() / 1000).put("model", m.path("model").asText());
    ObjectNode choice = chat.putArray("choices").addObject().put("index", 0);
    ObjectNode out = choice.putObject("message").put("role", "assistant");
    StringBuilder text = new StringBuilder();
    ArrayNode calls = NODES.arrayNode();
    for (JsonNode block : m.path("content")) {
      switch (block.path("type").asText()) {
        case "text" -> text.append(block.path("text").asText());
        case "tool_use" -> {
          ObjectNode call = calls.addObject().put("id", block.path("id").asText()).put("type", "function");
          call.putObject("function").put("name", block.path("name").asText()).put("arguments", block.path("input").toString());
        }
        default -> { }
      }
    }
    if (text.length() > 0 || calls.isEmpty()) out.put("content", text.toString());
    else out.putNull("content");
    out.putNull("refusal");
    if (!calls.isEmpty()) out.set("tool_calls", calls);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(m.path("stop_reason").asText(null)));
    JsonNode usage = m.get("usage");
    if (usage != null && usage.isObject()) chat.set("usage", usage(usage));
    return write(chat);
  }

  byte[] error(int status, byte[] body) {
    JsonNode error = readOrMissing(body).path("error");
    String type = error.path("type").asText(null);
    String message = error.path("message").asText("The upstream provider answered HTTP " + status + ".");
    String openAiType = status == 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
    return OpenAiErrors.body(new GatewayFailure(status, openAiType, type, null, message));
  }

  static String finishReason(String stopReason) {
    if (stopReason == null) return null;
    return switch (stopReason) {
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> "tool_calls";
      case "refusal" -> "content_filter";
      default -> "stop";
    };
  }

  static String chatId(String messageId) {
    return messageId.startsWith("msg_") ? "chatcmpl-" + messageId.substring(4) : "chatcmpl-" + messageId;
  }

  /** Anthropic's usage in OpenAI's shape: prompt tokens include the prompt cache's reads and writes. */
  static ObjectNode usage(JsonNode usage) {
    long read = usage.path("cache_read_input_tokens").asLong(0);
    long written = usage.path("cache_creation_input_tokens").asLong(0);
    long prompt = usage.path("input_tokens").asLong(0) + read + written;
    long completion = usage.path("output_tokens").asLong(0);
    ObjectNode out = NODES.objectNode().put("prompt_tokens", prompt).put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
    out.putObject("prompt_tokens_details").put("cached_tokens", read);
    return out;
  }

  private JsonNode read(byte[] body) {
    try {
      JsonNode node = json.readTree(body);
      if (node != null && node.isObject()) return node;
    } catch (Exception notJson) {
      // the 502 below
    }
    throw new GatewayFailure(502, "server_error", "upstream_malformed", null, "The upstream provider's answer was not a message.");
  }

  private JsonNode readOrMissing(byte[] body) {
    try {
      JsonNode node = json.readTree(body);
      return node == null ? json.missingNode() : node;
    } catch (Exception notJson) {
      return json.missingNode();
    }
  }

  byte[] write(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }
}
