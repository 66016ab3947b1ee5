package dev.tollgate.provider.azure;

import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.provider.UpstreamAddress;
import dev.tollgate.provider.UpstreamRequest;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.openai.OpenAiEndpoint;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
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
  public String dialect() {
    return "openai";
  }

  @Override
  public ProviderKeyPool keys() {
    return keys;
  }

  @Override
  public UpstreamRequest prepare(ApiRequest request, String deployment, String secret, MultiMap clientHeaders) {
    // the responses API names the deployment in the body; the others route by URL
    String path = request.operation() == OpenAiEndpoint.RESPONSES
        ? "/openai/responses?api-version=" + apiVersion
        : "/openai/deployments/" + URLEncoder.encode(deployment, StandardCharsets.UTF_8) + request.operation().path()
            + "?api-version=" + apiVersion;
    RequestOptions options = address.post(path, clientHeaders);
    options.putHeader("api-key", secret);
    return new UpstreamRequest(options, Buffer.buffer(request.dialect().upstreamBody(request, deployment)));
  }
}
