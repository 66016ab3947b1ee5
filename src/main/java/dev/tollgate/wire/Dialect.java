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

  /** A fresh observer for one streamed answer. */
  StreamObserver observe(ApiRequest request);

  /** The usage of a non-streamed answer, or when it reports none, its text (for an estimate). */
  Answer readAnswer(ApiRequest request, byte[] body);

  /** The error body this API's clients understand. */
  byte[] errorBody(GatewayFailure failure);

  /** The event that ends a stream that broke, so that no client takes it for a complete answer. */
  byte[] brokenStreamEvent(ApiRequest request);
}
