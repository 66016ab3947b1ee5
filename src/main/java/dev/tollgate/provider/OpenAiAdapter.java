package dev.tollgate.provider;

import dev.tollgate.proxy.Endpoint;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/** Any OpenAI-compatible API (OpenAI, vLLM, Ollama, DeepSeek, the fake provider): Bearer key, base URL + path. */
public final class OpenAiAdapter implements ProviderAdapter {
  private final String name;
  private final ProviderKeyPool keys;
  private final String host;
  private final int port;
  private final boolean ssl;
  private final String basePath;

  public OpenAiAdapter(String name, URI baseUrl, ProviderKeyPool keys) {
    this.name = name;
    this.keys = keys;
    this.ssl = "https".equals(baseUrl.getScheme());
    this.host = baseUrl.getHost();
    this.port = baseUrl.getPort() > 0 ? baseUrl.getPort() : ssl ? 443 : 80;
    this.basePath = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
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
    return new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setSsl(ssl)
        .setURI(basePath + endpoint.path);
  }

  @Override
  public void authorize(MultiMap headers, String secret) {
    headers.set("authorization", "Bearer " + secret);
  }
}
