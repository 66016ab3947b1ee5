package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** OpenAI's 400s for the malformed requests a client can send, in OpenAI's words and error shape. */
final class MockOpenAiRequests {
  private static final List<String> ROLES = List.of("system", "assistant", "user", "function", "tool", "developer");

  private MockOpenAiRequests() {}

  /** The error body for a malformed request, or null for a good one. */
  static JsonObject invalid(String path, JsonNode body) {
    // Azure names the model in the URL
    if (!path.contains("/deployments/") && !body.hasNonNull("model")) {
      return MockBodies.error("you must provide a model parameter", "invalid_request_error", null, null);
    }
    MockAnswer.Api api = MockAnswer.api(path);
    if (api == MockAnswer.Api.CHAT) {
      JsonObject bad = messages(body.get("messages"));
      if (bad != null) return bad;
    }
    if (api != MockAnswer.Api.RESPONSES && !path.endsWith("/embeddings")) return n(body.get("n"));
    return null;
  }

  private static JsonObject messages(JsonNode messages) {
    if (messages == null) return missing("messages");
    if (!messages.isArray()) return wrongType("messages", "an array of objects", messages);
    if (messages.isEmpty()) {
      return error("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
          "messages", "empty_array");
    }
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String at = "messages[" + i + "]";
      if (!m.isObject()) return wrongType(at, "an object", m);
      if (!m.hasNonNull("role")) return missing(at + ".role");
      if (!ROLES.contains(m.get("role").asText()) || !m.get("role").isTextual()) {
        return error("Invalid value: '" + m.get("role").asText() + "'. Supported values are: 'system', 'assistant', 'user', "
            + "'function', 'tool', and 'developer'.", at + ".role", "invalid_value");
      }
    }
    return null;
  }

  private static JsonObject n(JsonNode n) {
    if (n == null || n.isNull()) return null;
    if (!n.isIntegralNumber()) return wrongType("n", "an integer", n);
    if (n.asLong() < 1) {
      return error("Invalid 'n': integer below minimum value. Expected a value >= 1, but got " + n.asLong() + " instead.",
          "n", "integer_below_min_value");
    }
    if (n.asLong() > 128) {
      return error("Invalid 'n': integer above maximum value. Expected a value <= 128, but got " + n.asLong() + " instead.",
          "n", "integer_above_max_value");
    }
    return null;
  }

  private static JsonObject missing(String param) {
    return error("Missing required parameter: '" + param + "'.", param, "missing_required_parameter");
  }

  private static JsonObject wrongType(String param, String expected, JsonNode got) {
    return error("Invalid type for '" + param + "': expected " + expected + ", but got " + kind(got) + " instead.",
        param, "invalid_type");
  }

  private static String kind(JsonNode node) {
    if (node.isTextual()) return "a string";
    if (node.isObject()) return "an object";
    if (node.isArray()) return "an array";
    if (node.isIntegralNumber()) return "an integer";
    if (node.isNumber()) return "a decimal";
    if (node.isBoolean()) return "a boolean";
    return "null";
  }

  private static JsonObject error(String message, String param, String code) {
    return MockBodies.error(message, "invalid_request_error", param, code);
  }
}
