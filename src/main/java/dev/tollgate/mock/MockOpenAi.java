package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** OpenAI's API: chat completions, completions, responses and embeddings, with OpenAI's errors and faults. */
final class MockOpenAi {
  private MockOpenAi() {}

  static void answer(MockExchange ex, String path, JsonNode request, MockBehaviour b, String id) {
    if (b.failStatus() != 0) {
      fault(ex, b.failStatus());
      return;
    }
    JsonObject invalid = MockOpenAiRequests.invalid(path, request);
    if (invalid != null) {
      ex.finish(400, invalid);
      return;
    }
    boolean stream = request.path("stream").asBoolean(false);
    boolean includeUsage = request.path("stream_options").path("include_usage").asBoolean(false) && !b.noUsage();
    if (path.endsWith("/chat/completions")) {
      MockAnswer a = MockAnswer.of(path, request, b);
      if (stream) ex.stream(MockStreams.chat("chatcmpl-" + id, a, b, includeUsage, false), b);
      else ex.finish(200, withoutUsage(MockBodies.chat("chatcmpl-" + id, a, b), b));
    } else if (path.endsWith("/completions")) {
      MockAnswer a = MockAnswer.of(path, request, b);
      if (stream) ex.stream(MockStreams.chat("cmpl-" + id, a, b, includeUsage, true), b);
      else ex.finish(200, withoutUsage(MockBodies.completion("cmpl-" + id, a, b), b));
    } else if (path.endsWith("/responses")) {
      MockAnswer a = MockAnswer.of(path, request, b);
      if (stream) ex.stream(MockResponsesStream.of("resp_" + id, a, request, b), b);
      else ex.finish(200, MockBodies.response("resp_" + id, a, request, b, true));
    } else if (path.endsWith("/embeddings")) {
      ex.finish(200, embeddings(request));
    } else {
      ex.finish(404, MockBodies.error("Unknown path " + path, "invalid_request_error", null, "unknown_url"));
    }
  }

  private static JsonObject embeddings(JsonNode request) {
    JsonNode input = request.path("input");
    JsonArray inputs = new JsonArray();
    if (input.isArray()) input.forEach(i -> inputs.add(i.isTextual() ? i.asText() : i.toString()));
    else inputs.add(input.asText());
    int tokens = 0;
    for (int i = 0; i < inputs.size(); i++) tokens += MockTokens.count(inputs.getString(i));
    boolean base64 = "base64".equals(request.path("encoding_format").asText());
    int dims = request.path("dimensions").asInt(8);
    return MockBodies.embeddings(inputs, request.path("model").asText("mock-embed"), base64, dims, tokens);
  }

  /** An error of the status asked for by {@code x-mock-fault}, typed as OpenAI types it. */
  private static void fault(MockExchange ex, int status) {
    if (status == 429) ex.resp.putHeader("retry-after", ex.retryAfter());
    String type = switch (status) {
      case 400, 401, 403, 404 -> "invalid_request_error";
      case 429 -> "requests";
      default -> "server_error";
    };
    String code = switch (status) {
      case 401 -> "invalid_api_key";
      case 403 -> "unsupported_country_region_territory";
      case 404 -> "model_not_found";
      case 429 -> "rate_limit_exceeded";
      default -> null;
    };
    ex.finish(status, MockBodies.error("mock fault " + status, type, null, code));
  }

  private static JsonObject withoutUsage(JsonObject body, MockBehaviour b) {
    if (b.noUsage()) body.remove("usage");
    return body;
  }
}
