package dev.tollgate.provider.openai;

import dev.tollgate.provider.HttpAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.wire.ApiRequest;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/**
 * Any OpenAI-compatible API (OpenAI, vLLM, Ollama, DeepSeek, the fake provider): base URL + path, Bearer key,
 * and the organization and project the keys act for, when configured.
 */
public final class OpenAiAdapter extends HttpAdapter {
  private final String organization;
  private final String project;

  public OpenAiAdapter(String name, URI baseUrl, ProviderKeyPool keys) {
    this(name, baseUrl, keys, null, null);
  }

  public OpenAiAdapter(String name, URI baseUrl, ProviderKeyPool keys, String organization, String project) {
    super(name, "openai", baseUrl, keys);
    this.organization = organization;
    this.project = project;
  }

  @Override
  protected String path(ApiRequest request, String upstreamModel) {
    return request.operation().path();
  }

  @Override
  protected void authorize(RequestOptions options, String secret) {
    options.putHeader("authorization", "Bearer " + secret);
    if (organization != null) options.putHeader("openai-organization", organization);
    if (project != null) options.putHeader("openai-project", project);
  }
}
