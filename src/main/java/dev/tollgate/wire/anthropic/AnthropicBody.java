package dev.tollgate.wire.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.Operation;
import dev.tollgate.wire.Prompt;
import dev.tollgate.wire.RequestBody;
import java.io.IOException;
import java.math.BigInteger;

/**
 * A Messages (or count_tokens) body read in one streaming pass, without a tree: it is checked to be one JSON object
 * with no key twice (as {@link dev.tollgate.wire.StrictJson} reads), its model, {@code messages}, {@code max_tokens},
 * {@code stream} and {@code metadata.user_id} are taken, and its prompt is collected on the way. The 400s, their
 * messages and their order are the tree's: what is not JSON first, then the fields in the order Anthropic checks
 * them. The body goes upstream as the client's bytes with the model's value replaced (see {@link
 * RequestBody#spliced}).
 */
final class AnthropicBody extends RequestBody {
  static final String NOT_JSON = "The request body is not valid JSON.";

  private JsonToken model;
  private String modelText;
  private JsonToken messages;
  private JsonToken maxTokens;
  private BigInteger maxValue;
  private JsonToken stream;
  private String user;
  private Prompt prompt;

  private AnthropicBody(byte[] raw, ObjectReader reader) {
    super(raw, reader);
  }

  /** Reads a request, refusing with a 400 what Anthropic would refuse before the model runs. */
  static ApiRequest read(AnthropicDialect dialect, Operation operation, byte[] raw, ObjectReader reader) {
    AnthropicBody body = new AnthropicBody(raw, reader);
    AnthropicPrompt prompt = new AnthropicPrompt(reader.getFactory());
    body.readFields(NOT_JSON, (field, value, p) -> {
      if (!body.top(field, value, p) && !prompt.field(field, p)) p.skipChildren();
    });
    body.prompt = prompt.prompt();
    return body.request(dialect, operation);
  }

  /** Takes a field the gateway reads itself; false for any other. */
  private boolean top(String field, JsonToken value, JsonParser p) throws IOException {
    switch (field) {
      case "model" -> {
        model = value;
        modelText = readModel(value, p);
      }
      case "messages" -> {
        messages = value;
        return false; // the prompt reads it
      }
      case "max_tokens" -> {
        maxTokens = value;
        if (value == JsonToken.VALUE_NUMBER_INT) maxValue = p.getBigIntegerValue();
        p.skipChildren();
      }
      case "stream" -> {
        stream = value;
        p.skipChildren();
      }
      case "metadata" -> {
        if (value != JsonToken.START_OBJECT) {
          p.skipChildren();
          return true;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          JsonToken v = p.nextToken();
          if (p.currentName().equals("user_id") && v == JsonToken.VALUE_STRING) user = p.getText();
          else p.skipChildren();
        }
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  private ApiRequest request(AnthropicDialect dialect, Operation operation) {
    if (model == null || model == JsonToken.VALUE_NULL) throw GatewayFailure.badRequest("model: Field required", "model");
    if (modelText == null || modelText.isBlank()) throw GatewayFailure.badRequest("model: Input should be a valid string", "model");
    if (messages == null || messages == JsonToken.VALUE_NULL) throw GatewayFailure.badRequest("messages: Field required", "messages");
    if (messages != JsonToken.START_ARRAY) throw GatewayFailure.badRequest("messages: Input should be a valid list", "messages");
    long max = 0;
    boolean streams = false;
    if (operation == AnthropicOperation.MESSAGES) {
      if (maxTokens == null || maxTokens == JsonToken.VALUE_NULL) {
        throw GatewayFailure.badRequest("max_tokens: Field required", "max_tokens");
      }
      if (maxValue == null || maxValue.signum() < 1) {
        throw GatewayFailure.badRequest("max_tokens: Input should be a positive integer", "max_tokens");
      }
      if (maxValue.compareTo(BigInteger.valueOf(ApiRequest.MAX_OUTPUT_TOKENS)) > 0) {
        throw GatewayFailure.badRequest("max_tokens: Input should be less than or equal to " + ApiRequest.MAX_OUTPUT_TOKENS,
            "max_tokens");
      }
      max = maxValue.longValue();
      if (stream != null && stream != JsonToken.VALUE_NULL) {
        if (stream != JsonToken.VALUE_TRUE && stream != JsonToken.VALUE_FALSE) {
          throw GatewayFailure.badRequest("stream: Input should be a valid boolean", "stream");
        }
        streams = stream == JsonToken.VALUE_TRUE;
      }
    }
    return new ApiRequest(dialect, operation, this, modelText, streams, true, max, user);
  }

  Prompt prompt() {
    return prompt;
  }

  /** The body for upstream: the client's bytes with the model's value replaced, or null where the tree must be written. */
  byte[] upstream(String upstreamModel) {
    return spliced(upstreamModel, null);
  }
}
