package dev.tollgate.provider;

import dev.tollgate.proxy.Endpoint;
import io.vertx.core.MultiMap;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Azure OpenAI: the target model is the deployment name in the URL, the API version is a query
 * parameter, and the key goes in the {@code api-key} header.
 */
public final class AzureOpenAiAdapter implements ProviderAdapter {
  private final String name;
  private final ProviderKeyPool keys;
  private final UpstreamAddress address;
  private final String apiVersion;

  public AzureOpenAiAdapter(String name, URI baseUrl, String apiVersion, ProviderKeyPool keys) {
    this.name = name;
    this.keys = keys;
    this.address = UpstreamAddress.of(baseUrl);
    this.apiVersion = URLEncoder.encode(apiVersion, StandardCharsets.UTF_8);
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
  public RequestOptions request(Endpoint endpoint, String deployment) {
    // the responses API names the deployment in the body; the others route by URL
    return address.post(endpoint == Endpoint.RESPONSES
        ? "/openai/responses?api-version=" + apiVersion
        : "/openai/deployments/" + URLEncoder.encode(deployment, StandardCharsets.UTF_8) + endpoint.path + "?api-version=" + apiVersion);
  }

  @Override
  public void authorize(MultiMap headers, String secret) {
    headers.set("api-key", secret);
  }
}
