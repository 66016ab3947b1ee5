package dev.tollgate.provider.openai;

import dev.tollgate.provider.HttpAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.wire.ApiRequest;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/** Any OpenAI-compatible API (OpenAI, vLLM, Ollama, DeepSeek, the fake provider): base URL + path, Bearer key. */
public final class OpenAiAdapter extends HttpAdapter {
  public OpenAiAdapter(String name, URI baseUrl, ProviderKeyPool keys) {
    super(name, "openai", baseUrl, keys);
  }

  @Override
  protected String path(ApiRequest request, String upstreamModel) {
    return request.operation().path();
  }

  @Override
  protected void authorize(RequestOptions options, String secret) {
    options.putHeader("authorization", "Bearer " + secret);
  }
}
