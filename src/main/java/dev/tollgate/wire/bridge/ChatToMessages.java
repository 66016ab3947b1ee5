package dev.tollgate.wire.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.GatewayFailure;

/**
 * An OpenAI chat completions request as an Anthropic Messages request: system and developer messages become
 * the system prompt; user content (text, images by URL or data URL) and assistant text and tool calls become
 * content blocks; tool messages become {@code tool_result} blocks in one user turn; consecutive turns of one
 * role are merged, as Anthropic wants them alternating. Sampling settings, stop sequences, tools, the tool
 * choice and parallel tool use carry over; {@code max_tokens} (required by Anthropic) defaults to
 * {@value #DEFAULT_MAX_TOKENS}. What has no counterpart and would change the answer ({@code n} > 1, logprobs,
 * a response format, audio) is a 400 naming the field; what only tunes sampling ({@code seed}, penalties,
 * {@code logit_bias}) is dropped.
 */
final class ChatToMessages {
  static final long DEFAULT_MAX_TOKENS = 4096;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectMapper json;

  ChatToMessages(ObjectMapper json) {
    this.json = json;
  }

  ObjectNode translate(ObjectNode chat, String model) {
    refuse(chat);
    ObjectNode out = NODES.objectNode();
    out.put("model", model);
    ArrayNode system = NODES.arrayNode();
    ArrayNode messages = out.putArray("messages");
    for (JsonNode m : chat.path("messages")) {
      String role = m.path("role").asText("");
      switch (role) {
        case "system", "developer" -> texts(m.get("content"), system);
        case "user" -> {
          ArrayNode blocks = userContent(m.get("content"));
          if (!blocks.isEmpty()) turn(messages, "user").addAll(blocks);
        }
        case "assistant" -> {
          ArrayNode blocks = assistantContent(m);
          if (!blocks.isEmpty()) turn(messages, "assistant").addAll(blocks);
        }
        case "tool" -> turn(messages, "user").add(toolResult(m));
        default -> throw GatewayFailure.badRequest("Messages with role '" + role + "' cannot be sent to an Anthropic model.", "messages");
      }
    }
    if (!system.isEmpty()) out.set("system", system);
    long maxTokens = chat.path("max_completion_tokens").asLong(chat.path("max_tokens").asLong(DEFAULT_MAX_TOKENS));
    out.put("max_tokens", maxTokens);
    if (chat.path("stream").asBoolean(false)) out.put("stream", true);
    JsonNode temperature = chat.get("temperature");
    if (temperature != null && temperature.isNumber()) out.put("temperature", Math.min(1.0, temperature.asDouble()));
    copy(chat, "top_p", out, "top_p");
    JsonNode stop = chat.get("stop");
    if (stop != null && stop.isTextual()) out.putArray("stop_sequences").add(stop.asText());
    else if (stop != null && stop.isArray()) out.set("stop_sequences", stop);
    JsonNode user = chat.get("user");
    if (user != null && user.isTextual()) out.putObject("metadata").put("user_id", user.asText());
    tools(chat, out);
    return out;
  }

  private static void refuse(ObjectNode chat) {
    if (chat.path("n").asInt(1) > 1) throw unsupported("n", "more than one choice (n > 1)");
    if (chat.path("logprobs").asBoolean(false) || chat.hasNonNull("top_logprobs")) throw unsupported("logprobs", "logprobs");
    JsonNode format = chat.path("response_format").path("type");
    if (format.isTextual() && !format.asText().equals("text")) throw unsupported("response_format", "a response_format");
    if (chat.hasNonNull("audio") || chat.path("modalities").toString().contains("audio")) throw unsupported("audio", "audio");
  }

  private static GatewayFailure unsupported(String param, String what) {
    return GatewayFailure.badRequest("Anthropic models cannot answer with " + what + "; use a model served by an OpenAI provider, "
        + "or the Messages API.", param);
  }

  /** The last turn if it has this role, else a new one: its content blocks. */
  private static ArrayNode turn(ArrayNode messages, String role) {
    if (!messages.isEmpty()) {
      JsonNode last = messages.get(messages.size() - 1);
      if (last.path("role").asText().equals(role)) return (ArrayNode) last.get("content");
    }
    ObjectNode turn = messages.addObject().put("role", role);
    return turn.putArray("content");
  }

  private static void texts(JsonNode content, ArrayNode into) {
    if (content == null || content.isNull()) return;
    if (content.isTextual()) {
      if (!content.asText().isEmpty()) into.addObject().put("type", "text").put("text", content.asText());
      return;
    }
    for (JsonNode part : content) {
      String text = part.path("text").asText(part.path("refusal").asText(""));
      if (!text.isEmpty()) into.addObject().put("type", "text").put("text", text);
    }
  }

  private static ArrayNode userContent(JsonNode content) {
    ArrayNode blocks = NODES.arrayNode();
    if (content == null || content.isTextual() || content.isNull()) {
      texts(content, blocks);
      return blocks;
    }
    for (JsonNode part : content) {
      switch (part.path("type").asText("")) {
        case "text" -> texts(part.get("text"), blocks);
        case "image_url" -> blocks.add(image(part.path("image_url").path("url").asText(part.path("image_url").asText(""))));
        default -> throw GatewayFailure.badRequest("Content parts of type '" + part.path("type").asText()
            + "' cannot be sent to an Anthropic model.", "messages");
      }
    }
    return blocks;
  }

  /** An image by URL, or a {@code data:} URL's bytes inline. */
  private static ObjectNode image(String url) {
    ObjectNode block = NODES.objectNode().put("type", "image");
    ObjectNode source = block.putObject("source");
    if (url.startsWith("data:")) {
      int comma = url.indexOf(',');
      String meta = url.substring(5, Math.max(5, comma));
      if (comma < 0 || !meta.endsWith(";base64")) throw GatewayFailure.badRequest("An image data URL must be base64-encoded.", "messages");
      source.put("type", "base64").put("media_type", meta.substring(0, meta.length() - 7)).put("data", url.substring(comma + 1));
    } else {
      source.put("type", "url").put("url", url);
    }
    return block;
  }

  private ArrayNode assistantContent(JsonNode m) {
    ArrayNode blocks = NODES.arrayNode();
    texts(m.get("content"), blocks);
    for (JsonNode call : m.path("tool_calls")) {
      JsonNode fn = call.path("function");
      ObjectNode use = blocks.addObject().put("type", "tool_use").put("id", call.path("id").asText()).put("name", fn.path("name").asText());
      use.set("input", arguments(fn.path("arguments").asText("")));
    }
    return blocks;
  }

  /** A tool call's arguments (a JSON string) as the object Anthropic wants. */
  private JsonNode arguments(String arguments) {
    if (arguments.isBlank()) return NODES.objectNode();
    try {
      JsonNode input = json.readTree(arguments);
      if (input != null && input.isObject()) return input;
    } catch (Exception notJson) {
      // falls through to the 400
    }
    throw GatewayFailure.badRequest("A tool call's arguments must be a JSON object to be sent to an Anthropic model.", "messages");
  }

  private static ObjectNode toolResult(JsonNode m) {
    ObjectNode result = NODES.objectNode().put("type", "tool_result").put("tool_use_id", m.path("tool_call_id").asText());
    JsonNode content = m.get("content");
    if (content != null && content.isTextual()) {
      result.put("content", content.asText());
    } else if (content != null && content.isArray()) {
      texts(content, result.putArray("content"));
    }
    return result;
  }

  private static void tools(JsonNode chat, ObjectNode out) {
    JsonNode tools = chat.get("tools");
    if (tools != null && tools.isArray() && !tools.isEmpty()) {
      ArrayNode defs = out.putArray("tools");
      for (JsonNode tool : tools) {
        if (!tool.path("type").asText("function").equals("function")) {
          throw GatewayFailure.badRequest("Only function tools can be sent to an Anthropic model.", "tools");
        }
        JsonNode fn = tool.path("function");
        ObjectNode def = defs.addObject().put("name", fn.path("name").asText());
        if (fn.path("description").isTextual()) def.put("description", fn.get("description").asText());
        JsonNode params = fn.get("parameters");
        if (params != null && params.isObject()) def.set("input_schema", params);
        else def.putObject("input_schema").put("type", "object").putObject("properties");
      }
    }
    JsonNode choice = chat.get("tool_choice");
    ObjectNode toolChoice = null;
    if (choice != null && choice.isTextual()) {
      toolChoice = NODES.objectNode().put("type", switch (choice.asText()) {
        case "none" -> "none";
        case "required" -> "any";
        default -> "auto";
      });
    } else if (choice != null && choice.isObject()) {
      toolChoice = NODES.objectNode().put("type", "tool").put("name", choice.path("function").path("name").asText());
    }
    if (chat.path("parallel_tool_calls").isBoolean() && !chat.get("parallel_tool_calls").asBoolean() && out.has("tools")) {
      if (toolChoice == null) toolChoice = NODES.objectNode().put("type", "auto");
      if (!toolChoice.path("type").asText().equals("none")) toolChoice.put("disable_parallel_tool_use", true);
    }
    if (toolChoice != null && out.has("tools")) out.set("tool_choice", toolChoice);
  }

  private static void copy(JsonNode from, String field, ObjectNode to, String as) {
    JsonNode v = from.get(field);
    if (v != null && !v.isNull()) to.set(as, v);
  }
}
