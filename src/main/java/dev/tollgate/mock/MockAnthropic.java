package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Anthropic's Messages API ({@code POST …/messages}, streamed or not, and {@code POST …/messages/count_tokens}),
 * in Anthropic's wire format: its messages, usage, stream events, 400s and error shape, and every response with
 * a {@code request-id} header. The same {@code x-mock-*} headers as for OpenAI decide the answer and its faults.
 */
final class MockAnthropic {
  private MockAnthropic() {}

  static boolean serves(String path) {
    return path.endsWith("/messages") || path.endsWith("/messages/count_tokens");
  }

  static void answer(MockExchange ex, String path, JsonNode request, MockBehaviour b, String id) {
    ex.resp.putHeader("request-id", "req_" + id);
    if (b.failStatus() != 0) {
      fault(ex, b.failStatus(), id);
      return;
    }
    boolean counting = path.endsWith("/count_tokens");
    String invalid = invalid(request, counting);
    if (invalid != null) {
      ex.finish(400, error("invalid_request_error", invalid, id));
      return;
    }
    if (counting) {
      ex.finish(200, new JsonObject().put("input_tokens", MockAnthropicTokens.input(request)));
      return;
    }
    MockAnthropicAnswer a = MockAnthropicAnswer.of(request, b);
    if (request.path("stream").asBoolean(false)) ex.stream(MockAnthropicStream.of("msg_" + id, a), b);
    else ex.finish(200, message("msg_" + id, a, true));
  }

  /** A body that is not JSON, as Anthropic words it. */
  static void unreadable(MockExchange ex, String id) {
    ex.resp.putHeader("request-id", "req_" + id);
    ex.finish(400, error("invalid_request_error", "There was an error parsing the body of your request.", id));
  }

  /** The first problem with a request, in Anthropic's words, or null. */
  private static String invalid(JsonNode body, boolean counting) {
    if (!body.hasNonNull("model")) return "model: Field required";
    if (!body.path("model").isTextual()) return "model: Input should be a valid string";
    if (!counting) {
      JsonNode max = body.get("max_tokens");
      if (max == null || max.isNull()) return "max_tokens: Field required";
      if (!max.isIntegralNumber()) return "max_tokens: Input should be a valid integer";
      if (max.asLong() < 1) return "max_tokens: Input should be greater than or equal to 1";
    }
    JsonNode messages = body.get("messages");
    if (messages == null || messages.isNull()) return "messages: Field required";
    if (!messages.isArray()) return "messages: Input should be a valid list";
    for (int i = 0; i < messages.size(); i++) {
      String role = messages.get(i).path("role").asText();
      if (!role.equals("user") && !role.equals("assistant")) return "messages." + i + ".role: Input should be 'user' or 'assistant'";
    }
    return null;
  }

  /** The message object: finished, or (for {@code message_start}) with no content, no stop reason and 1 output token. */
  static JsonObject message(String id, MockAnthropicAnswer a, boolean done) {
    JsonArray content = new JsonArray();
    if (done) a.blocks.forEach(block -> content.add(block.json()));
    return new JsonObject().put("id", id).put("type", "message").put("role", "assistant").put("model", a.model)
        .put("content", content).put("stop_reason", done ? a.stopReason : null).put("stop_sequence", (Object) null)
        .put("usage", new JsonObject()
            .put("input_tokens", a.inputTokens)
            .put("cache_creation_input_tokens", a.cacheWriteTokens)
            .put("cache_read_input_tokens", a.cacheReadTokens)
            .put("cache_creation", new JsonObject()
                .put("ephemeral_5m_input_tokens", a.cacheWriteTokens).put("ephemeral_1h_input_tokens", 0))
            .put("output_tokens", done ? a.outputTokens() : 1)
            .put("service_tier", "standard"));
  }

  /** An error of the status asked for by {@code x-mock-fault}, typed as Anthropic types it. */
  private static void fault(MockExchange ex, int status, String id) {
    if (status == 429) ex.resp.putHeader("retry-after", ex.retryAfter());
    JsonObject body = switch (status) {
      case 400 -> error("invalid_request_error", "mock fault 400: invalid request", id);
      case 401 -> error("authentication_error", "invalid x-api-key", id);
      case 403 -> error("permission_error", "Your API key does not have permission to use the specified resource.", id);
      case 404 -> error("not_found_error", "Not found", id);
      case 429 -> error("rate_limit_error", "mock fault 429: this request would exceed your rate limit", id);
      case 529 -> error("overloaded_error", "Overloaded", id);
      case 503 -> error("api_error", "Service unavailable", id);
      default -> error("api_error", "Internal server error", id);
    };
    ex.finish(status, body);
  }

  static JsonObject error(String type, String message, String id) {
    return new JsonObject().put("type", "error")
        .put("error", new JsonObject().put("type", type).put("message", message)).put("request_id", "req_" + id);
  }
}
