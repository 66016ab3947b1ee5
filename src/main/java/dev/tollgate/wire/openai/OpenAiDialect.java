package dev.tollgate.wire.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.tollgate.core.BenchSwitches;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.Answer;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.Dialect;
import dev.tollgate.wire.Operation;
import dev.tollgate.wire.ProducedText;
import dev.tollgate.wire.Prompt;
import dev.tollgate.wire.StreamEvent;
import dev.tollgate.wire.StreamObserver;
import dev.tollgate.wire.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * OpenAI's wire format (chat completions, completions, embeddings, responses), spoken by OpenAI SDKs
 * and by every OpenAI-compatible provider.
 */
public final class OpenAiDialect implements Dialect {
  /**
   * Fields that change how an answer is delivered, billed or attributed, never what it says: out of the
   * cache key. The model is there as the upstream model the request resolves to.
   */
  private static final Set<String> ANSWER_NEUTRAL = Set.of(
      "model", "stream", "stream_options", "user", "metadata", "store", "service_tier", "prompt_cache_key",
      "safety_identifier", "background");

  private final ObjectMapper json;
  /** Client request bodies: read strictly (see {@link StrictJson}). */
  private final ObjectReader requests;
  private final ChatStreamFormat chat;
  private final ChatStreamFormat completions;
  private final ResponsesStreamFormat responses;

  public OpenAiDialect(ObjectMapper json) {
    this.json = json;
    this.requests = StrictJson.reader(json);
    this.chat = new ChatStreamFormat(json, false);
    this.completions = new ChatStreamFormat(json, true);
    this.responses = new ResponsesStreamFormat(json);
  }

  @Override
  public String name() {
    return "openai";
  }

  /** The operations, in the order the router mounts them. */
  public List<OpenAiEndpoint> operations() {
    return List.of(OpenAiEndpoint.values());
  }

  @Override
  public ApiRequest read(Operation operation, byte[] raw, String pathModel) {
    OpenAiEndpoint endpoint = (OpenAiEndpoint) operation;
    if (BenchSwitches.PARSE.off()) return unparsed(endpoint, raw, pathModel);
    JsonNode tree;
    try {
      tree = requests.readTree(raw);
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
    Long maxTokens = endpoint.generates() ? null : 0L;
    for (String field : endpoint.maxTokensFields()) {
      JsonNode n = body.get(field);
      if (n == null || n.isNull()) continue;
      if (!n.isIntegralNumber() || n.bigIntegerValue().signum() < 1) {
        throw GatewayFailure.badRequest("'" + field + "' must be a positive integer.", field);
      }
      if (!n.canConvertToLong() || n.asLong() > ApiRequest.MAX_OUTPUT_TOKENS) {
        throw GatewayFailure.badRequest("'" + field + "' must be at most " + ApiRequest.MAX_OUTPUT_TOKENS + ".", field);
      }
      maxTokens = n.asLong();
      break;
    }
    JsonNode user = body.get("user");
    return new ApiRequest(this, endpoint, body, model, stream, wantsUsage, maxTokens,
        user != null && user.isTextual() ? user.asText() : null);
  }

  /** Benchmark only ({@link BenchSwitches#PARSE}): the model and {@code stream} by a streaming scan, the bytes kept whole. */
  private ApiRequest unparsed(OpenAiEndpoint endpoint, byte[] raw, String pathModel) {
    String model = pathModel;
    boolean stream = false;
    try (JsonParser p = json.createParser(raw)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken value = p.nextToken();
          if (field.equals("model") && value == JsonToken.VALUE_STRING && model == null) model = p.getText();
          else if (field.equals("stream")) stream = value == JsonToken.VALUE_TRUE && endpoint.streams();
          else p.skipChildren();
        }
      }
    } catch (Exception e) {
      throw GatewayFailure.badRequest("We could not parse the JSON body of your request. The body must be a JSON object.", null);
    }
    if (model == null) throw GatewayFailure.badRequest("You must provide a model parameter.", "model");
    ObjectNode kept = json.createObjectNode();
    kept.set(UNPARSED, new POJONode(raw));
    return new ApiRequest(this, endpoint, kept, model, stream, false, endpoint.generates() ? null : 0L, null);
  }

  /** Where {@link #unparsed} keeps the request's bytes (a parsed body never holds a POJO node, whatever its names). */
  private static final String UNPARSED = "\u0000unparsed";

  @Override
  public Prompt prompt(ApiRequest request) {
    return OpenAiPrompt.of((OpenAiEndpoint) request.operation(), request.body());
  }

  @Override
  public byte[] upstreamBody(ApiRequest request, String upstreamModel) {
    ObjectNode body = request.body();
    if (body.get(UNPARSED) instanceof POJONode unparsed) return (byte[]) unparsed.getPojo();
    body.put("model", upstreamModel);
    if (request.stream() && ((OpenAiEndpoint) request.operation()).takesStreamOptions && !request.clientWantsUsage()) {
      JsonNodes.objectAt(body, "stream_options").put("include_usage", true);
    }
    try {
      return json.writeValueAsBytes(body);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write a JSON tree that was read", e);
    }
  }

  @Override
  public StreamObserver observe(ApiRequest request, ProducedText produced) {
    return request.operation() == OpenAiEndpoint.RESPONSES
        ? new ResponsesStreamObserver(json, produced)
        : new ChatStreamObserver(json, request.clientWantsUsage(), produced);
  }

  @Override
  public Answer readAnswer(ApiRequest request, byte[] body) {
    return Answer.read(json, body, OpenAiUsage::read, OpenAiDialect::answerText);
  }

  /** Text the model produced in a non-streamed answer. */
  private static String answerText(JsonNode body) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode choice : body.path("choices")) {
      JsonNode text = choice.has("message") ? choice.path("message").get("content") : choice.get("text");
      if (text != null && text.isTextual()) sb.append(text.asText());
    }
    for (JsonNode item : body.path("output")) {
      for (JsonNode part : item.path("content")) {
        if (part.has("text")) sb.append(part.path("text").asText());
      }
    }
    return sb.toString();
  }

  @Override
  public Set<String> answerNeutralFields() {
    return ANSWER_NEUTRAL;
  }

  @Override
  public byte[] assemble(ApiRequest request, List<StreamEvent> events) {
    return switch ((OpenAiEndpoint) request.operation()) {
      case CHAT_COMPLETIONS -> chat.assemble(events);
      case COMPLETIONS -> completions.assemble(events);
      case RESPONSES -> responses.assemble(events);
      case EMBEDDINGS -> null;
    };
  }

  @Override
  public List<byte[]> replay(ApiRequest request, byte[] answer) {
    return switch ((OpenAiEndpoint) request.operation()) {
      case CHAT_COMPLETIONS -> chat.replay(answer);
      case COMPLETIONS -> completions.replay(answer);
      case RESPONSES -> responses.replay(answer);
      case EMBEDDINGS -> throw new IllegalArgumentException("embeddings do not stream");
    };
  }

  @Override
  public byte[] errorBody(GatewayFailure failure) {
    return OpenAiErrors.body(failure);
  }

  @Override
  public byte[] errorEvent(byte[] errorBody) {
    return StreamEvent.frame(null, errorBody);
  }


  @Override
  public byte[] errorEvent(ApiRequest request, GatewayFailure failure) {
    if (request.operation() != OpenAiEndpoint.RESPONSES) {
      return ("data: " + new String(OpenAiErrors.body(failure), StandardCharsets.UTF_8) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
    return ("event: error\ndata: " + OpenAiErrors.responsesEvent(failure) + "\n\n").getBytes(StandardCharsets.UTF_8);
  }
}
