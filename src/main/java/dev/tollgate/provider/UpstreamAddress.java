package dev.tollgate.provider;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/** Where a provider's base URL points: host, port, TLS and the path every request goes below. */
public record UpstreamAddress(String host, int port, boolean ssl, String basePath) {
  /**
   * Client headers never forwarded: credentials and the account they scope to (a client's OpenAI organization
   * or project next to the gateway's key is a 401 upstream), cookies, hop-by-hop headers and what the gateway
   * sets itself. Everything else goes on (OpenAI-Beta, the SDKs' own headers).
   */
  private static final Set<String> NOT_FORWARDED = Set.of(
      "authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie",
      "host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
      "proxy-authorization", "proxy-connection", "accept-encoding", "x-request-id", "expect", "cache-control");

  public static UpstreamAddress of(URI baseUrl) {
    boolean ssl = "https".equals(baseUrl.getScheme());
    return new UpstreamAddress(baseUrl.getHost(), baseUrl.getPort() > 0 ? baseUrl.getPort() : ssl ? 443 : 80, ssl,
        baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath());
  }

  /**
   * A JSON POST to {@code basePath + path} (path may carry a query), with the client's headers that may
   * go on; the caller adds the provider's credential.
   */
  public RequestOptions post(String path, MultiMap clientHeaders) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    clientHeaders.forEach((name, value) -> {
      if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) headers.add(name, value);
    });
    headers.set("content-type", "application/json");
    return new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setSsl(ssl).setURI(basePath + path)
        .setHeaders(headers);
  }
}
