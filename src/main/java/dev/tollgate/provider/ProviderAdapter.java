package dev.tollgate.provider;

import dev.tollgate.wire.ApiRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/**
 * One configured provider as the upstream of a request: it names the wire format its API speaks and
 * prepares the whole upstream request (URL, headers with its key, body).
 */
public interface ProviderAdapter {
  /** The provider's name in config. */
  String name();

  /** The name of the dialect its API speaks, e.g. {@code openai}; requests in another dialect cannot go to it. */
  String dialect();

  ProviderKeyPool keys();

  /**
   * The upstream request for a client's request to {@code upstreamModel}, carrying {@code secret} (one of
   * {@link #keys()}) and the client headers that may go on.
   */
  UpstreamRequest prepare(ApiRequest request, String upstreamModel, String secret, MultiMap clientHeaders);

  /** Releases what the provider runs in-process (the built-in fake provider). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
