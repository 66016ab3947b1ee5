package dev.tollgate.wire;

import dev.tollgate.core.GatewayFailure;

/**
 * One client API's wire format, pure: how its requests read, what their prompt is, how the answers and
 * streams of a provider speaking it are observed, and what its errors look like. The pipeline and the
 * provider adapters hold no format knowledge of their own.
 */
public interface Dialect {
  /** The dialect's name, e.g. {@code openai}. */
  String name();

  /**
   * Reads a client's body for an operation, or fails with this API's 400s.
   *
   * @param pathModel the model named by the URL (legacy paths), which takes the place of the body's; or null
   */
  ApiRequest read(Operation operation, byte[] body, String pathModel);

  /** The text the request sends to the model, piece by piece, and the tokens its framing adds. */
  Prompt prompt(ApiRequest request);

  /** The body for a provider speaking this dialect: the upstream model's name, and stream usage asked for. */
  byte[] upstreamBody(ApiRequest request, String upstreamModel);

  /** A fresh observer for one streamed answer, adding the text the model produces to {@code produced}. */
  StreamObserver observe(ApiRequest request, ProducedText produced);

  /** The usage of a non-streamed answer, or when it reports none, its text (for an estimate). */
  Answer readAnswer(ApiRequest request, byte[] body);

  /**
   * The request's fields that cannot change its answer (e.g. {@code stream}, {@code user}): left out of a
   * cache key. Every other field is part of it.
   */
  java.util.Set<String> answerNeutralFields();

  /**
   * The non-streamed answer a complete stream of this operation adds up to, exactly for everything the
   * stream carries; null when the events do not make a complete answer.
   */
  byte[] assemble(ApiRequest request, java.util.List<StreamEvent> events);

  /**
   * A non-streamed answer as the stream that would have carried it: the SSE events (each a complete
   * {@code event:}/{@code data:} block ending in a blank line) of a live stream, in several events, with
   * the usage event included (observers hide it from clients that did not ask).
   */
  java.util.List<byte[]> replay(ApiRequest request, byte[] answer);

  /** The error body this API's clients understand. */
  byte[] errorBody(GatewayFailure failure);

  /**
   * The event that ends a stream that cannot go on (the upstream broke or went silent, the gateway is
   * stopping), in this API's shape: a client sees an error, never a clean-looking end.
   */
  byte[] errorEvent(ApiRequest request, GatewayFailure failure);

  /** An upstream's error body (already in this API's shape) as the event that ends a stream already begun. */
  byte[] errorEvent(byte[] errorBody);

  /** The answer to a token-counting operation; only dialects that have one are asked. */
  default byte[] tokenCount(long inputTokens) {
    throw new UnsupportedOperationException(name() + " has no token-counting operation");
  }

  /** What a stream sends while the model has not begun its answer, so idle connections stay open. */
  default byte[] keepalive() {
    return KEEPALIVE_COMMENT;
  }

  /** An SSE comment, which every SSE client skips. */
  byte[] KEEPALIVE_COMMENT = ": keepalive\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
}
