package dev.tollgate.wire.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    if (BenchSwitches.PARSE.off()) return OpenAiBody.unparsed(this, endpoint, raw, pathModel, requests);
    return OpenAiBody.read(this, endpoint, raw, pathModel, requests);
  }

  @Override
  public Prompt prompt(ApiRequest request) {
    if (request.body() instanceof OpenAiBody read) return read.prompt();
    return OpenAiPrompt.of((OpenAiEndpoint) request.operation(), json.getFactory(), request.body().tree());
  }

  @Override
  public byte[] upstreamBody(ApiRequest request, String upstreamModel) {
    boolean askUsage = request.stream() && ((OpenAiEndpoint) request.operation()).takesStreamOptions && !request.clientWantsUsage();
    if (request.body() instanceof OpenAiBody read) {
      byte[] spliced = read.upstream(upstreamModel, askUsage);
      if (spliced != null) return spliced;
    }
    ObjectNode body = request.body().tree();
    body.put("model", upstreamModel);
    if (askUsage) JsonNodes.objectAt(body, "stream_options").put("include_usage", true);
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
