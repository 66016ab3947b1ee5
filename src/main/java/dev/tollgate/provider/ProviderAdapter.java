package dev.tollgate.provider;

import dev.tollgate.proxy.Endpoint;
import io.vertx.core.MultiMap;
import io.vertx.core.http.RequestOptions;

/**
 * One provider as the upstream of a request: where to send it and how to authenticate. Adapters
 * for OpenAI-compatible APIs share the OpenAI wire format, so usage extraction is common.
 */
public interface ProviderAdapter {
  String name();

  ProviderKeyPool keys();

  /** The upstream request for an endpoint and an upstream model (host, port, TLS and URI set). */
  RequestOptions request(Endpoint endpoint, String upstreamModel);

  /** Puts the provider key on the upstream request. */
  void authorize(MultiMap headers, String secret);
}
