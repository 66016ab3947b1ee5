package dev.tollgate.provider.azure;

import dev.tollgate.provider.HttpAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.openai.OpenAiEndpoint;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Azure OpenAI: the target model is the deployment name in the URL, the API version is a query
 * parameter, and the key goes in the {@code api-key} header.
 */
public final class AzureOpenAiAdapter extends HttpAdapter {
  private final String apiVersion;

  public AzureOpenAiAdapter(String name, URI baseUrl, String apiVersion, ProviderKeyPool keys) {
    super(name, "openai", baseUrl, keys);
    this.apiVersion = URLEncoder.encode(apiVersion, StandardCharsets.UTF_8);
  }

  @Override
  protected String path(ApiRequest request, String deployment) {
    // the responses API names the deployment in the body; the others route by URL
    if (request.operation() == OpenAiEndpoint.RESPONSES) return "/openai/responses?api-version=" + apiVersion;
    return "/openai/deployments/" + URLEncoder.encode(deployment, StandardCharsets.UTF_8) + request.operation().path()
        + "?api-version=" + apiVersion;
  }

  @Override
  protected void authorize(RequestOptions options, String secret) {
    options.putHeader("api-key", secret);
  }
}
