package dev.tollgate.provider;

import dev.tollgate.proxy.Endpoint;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
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
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String basePath;
  private final String apiVersion;

  public AzureOpenAiAdapter(String name, URI baseUrl, String apiVersion, ProviderKeyPool keys) {
    this.name = name;
    this.keys = keys;
    this.ssl = "https".equals(baseUrl.getScheme());
    this.host = baseUrl.getHost();
    this.port = baseUrl.getPort() > 0 ? baseUrl.getPort() : ssl ? 443 : 80;
    this.basePath = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
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
    String uri = endpoint == Endpoint.RESPONSES
        ? basePath + "/openai/responses?api-version=" + apiVersion
        : basePath + "/openai/deployments/" + URLEncoder.encode(deployment, StandardCharsets.UTF_8) + endpoint.path
            + "?api-version=" + apiVersion;
    return new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setSsl(ssl).setURI(uri);
  }

  @Override
  public void authorize(MultiMap headers, String secret) {
    headers.set("api-key", secret);
  }
}
