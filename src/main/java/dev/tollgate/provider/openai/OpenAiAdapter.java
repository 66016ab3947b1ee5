package dev.tollgate.provider.openai;

import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.provider.UpstreamAddress;
import dev.tollgate.provider.UpstreamRequest;
import dev.tollgate.wire.ApiRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/** Any OpenAI-compatible API (OpenAI, vLLM, Ollama, DeepSeek, the fake provider): base URL + path, Bearer key. */
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
  public String dialect() {
    return "openai";
  }

  @Override
  public ProviderKeyPool keys() {
    return keys;
  }

  @Override
  public UpstreamRequest prepare(ApiRequest request, String upstreamModel, String secret, MultiMap clientHeaders) {
    RequestOptions options = address.post(request.operation().path(), clientHeaders);
    options.putHeader("authorization", "Bearer " + secret);
    return new UpstreamRequest(options, Buffer.buffer(request.dialect().upstreamBody(request, upstreamModel)));
  }
}
