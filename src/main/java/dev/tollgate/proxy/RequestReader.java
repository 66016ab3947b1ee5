package dev.tollgate.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.server.GatewayFailure;
import io.vertx.core.buffer.Buffer;

/** Reads a client's JSON body into an {@link ApiRequest}, or fails with OpenAI's 400 errors. */
public final class RequestReader {
  private final ObjectMapper json;

  public RequestReader(ObjectMapper json) {
    this.json = json;
  }

  /**
   * @param pathModel the model named by the URL ({@code /v1/engines/{engine}/…},
   *     {@code /openai/deployments/{deployment}/…}), which takes the place of the body's; or null
   */
  public ApiRequest read(Endpoint endpoint, Buffer raw, String pathModel) {
    JsonNode tree;
    try {
      tree = json.readTree(raw.getBytes());
    } catch (Exception e) {
      throw GatewayFailure.badRequest("We could not parse the JSON body of your request. The body must be a JSON object.", null);
    }
    if (tree == null || !tree.isObject()) {
      throw GatewayFailure.badRequest("The request body must be a JSON object.", null);
    }
    ObjectNode body = (ObjectNode) tree;
    String model = pathModel;
    if (model == null) {
      JsonNode m = body.get("model");
      if (m == null || m.isNull() || (m.isTextual() && m.asText().isBlank())) {
        throw GatewayFailure.badRequest("You must provide a model parameter.", "model");
      }
      if (!m.isTextual()) throw GatewayFailure.badRequest("'model' must be a string.", "model");
      model = m.asText();
    }
    boolean stream = false;
    JsonNode s = body.get("stream");
    if (s != null && !s.isNull()) {
      if (!s.isBoolean()) throw GatewayFailure.badRequest("'stream' must be a boolean.", "stream");
      stream = s.asBoolean() && endpoint.streams();
    }
    boolean wantsUsage = body.path("stream_options").path("include_usage").asBoolean(false);
    Long maxTokens = null;
    for (String field : endpoint.maxTokensFields()) {
      JsonNode n = body.get(field);
      if (n == null || n.isNull()) continue;
      if (!n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < 1) {
        throw GatewayFailure.badRequest("'" + field + "' must be a positive integer.", field);
      }
      maxTokens = n.asLong();
      break;
    }
    JsonNode user = body.get("user");
    return new ApiRequest(endpoint, body, model, stream, wantsUsage, maxTokens,
        user != null && user.isTextual() ? user.asText() : null);
  }
}
