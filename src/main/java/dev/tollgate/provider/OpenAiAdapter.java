package dev.tollgate.provider;

import dev.tollgate.proxy.Endpoint;
import io.vertx.core.MultiMap;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/** Any OpenAI-compatible API (OpenAI, vLLM, Ollama, DeepSeek, the fake provider): Bearer key, base URL + path. */
public final class OpenAiAdapter implements ProviderAdapter {
  private final String name;
  private final ProviderKeyPool keys;
  private final UpstreamAddress address;

  public OpenAiAdapter(String name, URI baseUrl, ProviderKeyPool keys) {
    this.name = name;
    this.keys = keys;
    this.address = UpstreamAddress.of(baseUrl);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ProviderKeyPool keys() {
    return keys;
  }

  @Override
  public RequestOptions request(Endpoint endpoint, String upstreamModel) {
    return address.post(endpoint.path);
  }

  @Override
  public void authorize(MultiMap headers, String secret) {
    headers.set("authorization", "Bearer " + secret);
  }
}
