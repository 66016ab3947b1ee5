package dev.tollgate.wire.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/** Anthropic's Messages API, spoken by Anthropic SDKs (and Claude Code) and by Anthropic's API. */
public final class AnthropicDialect implements Dialect {
  /** Fields that change how an answer is delivered or attributed, never what it says: out of the cache key. */
  private static final Set<String> ANSWER_NEUTRAL = Set.of("model", "stream", "metadata", "service_tier");
  private static final byte[] PING = "event: ping\ndata: {\"type\": \"ping\"}\n\n".getBytes(StandardCharsets.UTF_8);

  private final ObjectMapper json;
  /** Client request bodies: read strictly (see {@link StrictJson}). */
  private final ObjectReader requests;
  private final MessageStreamFormat messages;

  public AnthropicDialect(ObjectMapper json) {
    this.json = json;
    this.requests = StrictJson.reader(json);
    this.messages = new MessageStreamFormat(json);
  }

  @Override
  public String name() {
    return "anthropic";
  }

  /**
   * Reads a Messages (or count_tokens) body in one streaming pass (see {@link AnthropicBody}), with the 400s Anthropic
   * gives for what it rejects: a body that is not a JSON object, no model, no messages array, and for messages no
   * positive {@code max_tokens}.
   */
  @Override
  public ApiRequest read(Operation operation, byte[] raw, String pathModel) {
    return AnthropicBody.read(this, operation, raw, requests);
  }

  @Override
  public Prompt prompt(ApiRequest request) {
    if (request.body() instanceof AnthropicBody read) return read.prompt();
    return AnthropicPrompt.of(json.getFactory(), request.body().tree());
  }

  @Override
  public byte[] upstreamBody(ApiRequest request, String upstreamModel) {
    if (request.body() instanceof AnthropicBody read) {
      byte[] spliced = read.upstream(upstreamModel);
      if (spliced != null) return spliced;
    }
    ObjectNode body = request.body().tree();
    body.put("model", upstreamModel);
    try {
      return json.writeValueAsBytes(body);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write a JSON tree that was read", e);
    }
  }

  @Override
  public StreamObserver observe(ApiRequest request, ProducedText produced) {
    return new MessageStreamObserver(json, produced);
  }

  @Override
  public Answer readAnswer(ApiRequest request, byte[] body) {
    return Answer.read(json, body, p -> AnthropicUsage.read(p.readValueAsTree()), AnthropicDialect::answerText);
  }

  private static String answerText(JsonNode message) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode block : message.path("content")) {
      if (block.has("text")) sb.append(block.path("text").asText());
      else if (block.has("thinking")) sb.append(block.path("thinking").asText());
      else if (block.has("input")) sb.append(block.get("input").toString());
    }
    return sb.toString();
  }

  @Override
  public Set<String> answerNeutralFields() {
    return ANSWER_NEUTRAL;
  }

  @Override
  public byte[] assemble(ApiRequest request, List<StreamEvent> events) {
    return messages.assemble(events);
  }

  @Override
  public List<byte[]> replay(ApiRequest request, byte[] answer) {
    return messages.replay(answer);
  }

  @Override
  public byte[] errorBody(GatewayFailure failure) {
    return AnthropicErrors.body(failure);
  }

  @Override
  public byte[] errorEvent(ApiRequest request, GatewayFailure failure) {
    return AnthropicErrors.event(AnthropicErrors.body(failure));
  }

  @Override
  public byte[] errorEvent(byte[] errorBody) {
    return AnthropicErrors.event(errorBody);
  }

  @Override
  public byte[] tokenCount(long inputTokens) {
    return ("{\"input_tokens\":" + inputTokens + "}").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] keepalive() {
    return PING;
  }
}
