package dev.tollgate.provider.anthropic;

import dev.tollgate.provider.HttpAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.wire.ApiRequest;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/**
 * Anthropic's API (base URL with its {@code /v1}): the key as {@code x-api-key}, and the API version
 * ({@code anthropic-version}): the provider's {@code api-version} when configured, else the client's own, else
 * {@value AnthropicType#DEFAULT_API_VERSION}. A client's {@code anthropic-beta} goes on as it is.
 */
public final class AnthropicAdapter extends HttpAdapter {
  private final String apiVersion;

  /** @param apiVersion the configured version, or null to keep a client's */
  public AnthropicAdapter(String name, URI baseUrl, ProviderKeyPool keys, String apiVersion) {
    super(name, "anthropic", baseUrl, keys);
    this.apiVersion = apiVersion;
  }

  @Override
  protected String path(ApiRequest request, String upstreamModel) {
    return request.operation().path();
  }

  @Override
  protected void authorize(RequestOptions options, String secret) {
    options.putHeader("x-api-key", secret);
    if (apiVersion != null) options.putHeader("anthropic-version", apiVersion);
    else if (!options.getHeaders().contains("anthropic-version")) options.putHeader("anthropic-version", AnthropicType.DEFAULT_API_VERSION);
  }
}
