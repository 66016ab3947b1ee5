package dev.tollgate.wire.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.Prompt;
import dev.tollgate.wire.RequestBody;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * An OpenAI request body read in one streaming pass, without a tree: it is checked to be one JSON object
 * with no key twice (as {@link dev.tollgate.wire.StrictJson} reads), its model, {@code stream},
 * {@code stream_options.include_usage}, output cap and {@code user} are taken, and its prompt is collected
 * on the way. The body goes upstream as the client's bytes with the model's value replaced and, where the
 * gateway asks for a stream's usage, {@code stream_options} added at the end (where a provider that lets the last of
 * two keys win, or matches keys ignoring case, still reads the gateway's). A body the bytes cannot be changed so in
 * (a {@code stream_options} without {@code include_usage}, a model given in the path and not as a string in the
 * body), and bytes a provider could read otherwise than Jackson did (a byte order mark; UTF-8 that is not strictly
 * well formed, such as an overlong {@code o} in {@code "stream_\u00c1\u00afptions"}, which Jackson reads as the
 * letter), are written from the tree instead, as Jackson read them.
 */
final class OpenAiBody extends RequestBody {
  private static final byte[] STREAM_USAGE = "\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.US_ASCII);

  /** The body's model string, or null when it is not a string. */
  private String modelText;
  private boolean hasModel;
  private JsonToken stream;
  private boolean hasStreamOptions;
  private boolean wantsUsage;
  /**
   * The output cap fields' values as read, in the endpoint's order: {@link #ABSENT} (no field, or null),
   * {@link #NOT_INTEGER} (another kind of value), or the integer (one beyond a long's range as {@code Long.MAX_VALUE}
   * or -1).
   */
  private long[] caps;
  private String user;
  private Prompt prompt;
  /** Benchmark only: the bytes go upstream as they came. */
  private boolean verbatim;

  private OpenAiBody(byte[] raw, ObjectReader reader) {
    super(raw, reader);
  }

  private static final long ABSENT = Long.MIN_VALUE;
  private static final long NOT_INTEGER = Long.MIN_VALUE + 1;

  /** Reads a request, refusing with a 400 what OpenAI would refuse before the model runs. */
  static ApiRequest read(OpenAiDialect dialect, OpenAiEndpoint endpoint, byte[] raw, String pathModel, ObjectReader reader) {
    OpenAiBody body = new OpenAiBody(raw, reader);
    OpenAiPrompt prompt = new OpenAiPrompt(endpoint, reader.getFactory());
    String[] capFields = endpoint.maxTokensFields();
    body.caps = new long[capFields.length];
    Arrays.fill(body.caps, ABSENT);
    body.readFields(UNPARSABLE, (field, value, p) -> {
      if (!body.top(field, value, p, capFields) && !prompt.field(field, p)) p.skipChildren();
    });
    body.prompt = prompt.prompt();
    return body.request(dialect, endpoint, pathModel);
  }

  /** Benchmark only: the model and {@code stream} read, nothing else; the bytes go upstream unchanged. */
  static ApiRequest unparsed(OpenAiDialect dialect, OpenAiEndpoint endpoint, byte[] raw, String pathModel, ObjectReader reader) {
    OpenAiBody body = new OpenAiBody(raw, reader);
    body.verbatim = true;
    body.caps = new long[0];
    body.prompt = new Prompt(List.of(), 0);
    try (JsonParser p = reader.createParser(raw)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken value = p.nextToken();
          if (field.equals("model") && value == JsonToken.VALUE_STRING) body.modelText = p.getText();
          else if (field.equals("stream")) body.stream = value;
          else p.skipChildren();
        }
      }
    } catch (Exception e) {
      throw GatewayFailure.badRequest(UNPARSABLE, null);
    }
    body.hasModel = body.modelText != null;
    return body.request(dialect, endpoint, pathModel);
  }

  /** Takes a field the gateway reads itself; false for any other. */
  private boolean top(String field, JsonToken value, JsonParser p, String[] capFields) throws IOException {
    switch (field) {
      case "model" -> {
        hasModel = value != JsonToken.VALUE_NULL;
        modelText = readModel(value, p);
        return true;
      }
      case "stream" -> {
        stream = value;
        p.skipChildren();
        return true;
      }
      case "stream_options" -> {
        hasStreamOptions = true;
        if (value != JsonToken.START_OBJECT) {
          p.skipChildren();
          return true;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          JsonToken v = p.nextToken();
          if (p.currentName().equals("include_usage")) wantsUsage = truthy(v, p);
          p.skipChildren();
        }
        return true;
      }
      case "user" -> {
        if (value == JsonToken.VALUE_STRING) user = p.getText();
        else p.skipChildren();
        return true;
      }
      default -> {
        for (int i = 0; i < capFields.length; i++) {
          if (!field.equals(capFields[i])) continue;
          if (value == JsonToken.VALUE_NUMBER_INT) {
            caps[i] = p.getNumberType() != JsonParser.NumberType.BIG_INTEGER ? p.getLongValue()
                : p.getBigIntegerValue().signum() > 0 ? Long.MAX_VALUE : -1;
          } else if (value != JsonToken.VALUE_NULL) {
            caps[i] = NOT_INTEGER;
          }
          p.skipChildren();
          return true;
        }
        return false;
      }
    }
  }

  /** {@code include_usage} as a tree's {@code asBoolean(false)} reads it: true, a non-zero integer, or the text "true". */
  private static boolean truthy(JsonToken v, JsonParser p) throws IOException {
    return switch (v) {
      case VALUE_TRUE -> true;
      case VALUE_NUMBER_INT -> p.getBigIntegerValue().signum() != 0;
      case VALUE_STRING -> p.getText().trim().equals("true");
      default -> false;
    };
  }

  private ApiRequest request(OpenAiDialect dialect, OpenAiEndpoint endpoint, String pathModel) {
    String model = pathModel;
    if (model == null) {
      if (!hasModel || (modelText != null && modelText.isBlank())) {
        throw GatewayFailure.badRequest("You must provide a model parameter.", "model");
      }
      if (modelText == null) throw GatewayFailure.badRequest("'model' must be a string.", "model");
      model = modelText;
    }
    boolean streams = false;
    if (stream != null && stream != JsonToken.VALUE_NULL) {
      if (stream != JsonToken.VALUE_TRUE && stream != JsonToken.VALUE_FALSE) {
        throw GatewayFailure.badRequest("'stream' must be a boolean.", "stream");
      }
      streams = stream == JsonToken.VALUE_TRUE && endpoint.streams();
    }
    Long maxTokens = endpoint.generates() ? null : 0L;
    String[] capFields = endpoint.maxTokensFields();
    for (int i = 0; i < caps.length; i++) {
      long cap = caps[i];
      if (cap == ABSENT) continue;
      String field = capFields[i];
      if (cap == NOT_INTEGER || cap < 1) throw GatewayFailure.badRequest("'" + field + "' must be a positive integer.", field);
      if (cap > ApiRequest.MAX_OUTPUT_TOKENS) {
        throw GatewayFailure.badRequest("'" + field + "' must be at most " + ApiRequest.MAX_OUTPUT_TOKENS + ".", field);
      }
      maxTokens = cap;
      break;
    }
    return new ApiRequest(dialect, endpoint, this, model, streams, wantsUsage, maxTokens, user);
  }

  Prompt prompt() {
    return prompt;
  }

  /**
   * The body for upstream, made from the client's bytes: the model's value replaced, {@code ,"stream_options":
   * {"include_usage":true}} put before the closing brace when {@code askUsage}. Null when the bytes cannot be
   * changed so, or should not go upstream as they are (the caller writes the tree instead).
   */
  byte[] upstream(String upstreamModel, boolean askUsage) {
    if (verbatim) return raw();
    if (askUsage && hasStreamOptions) return null;
    return spliced(upstreamModel, askUsage ? STREAM_USAGE : null);
  }
}
