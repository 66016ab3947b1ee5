package dev.tollgate.provider;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/** Where a provider's base URL points: host, port, TLS and the path every request goes below. */
record UpstreamAddress(String host, int port, boolean ssl, String basePath) {
  static UpstreamAddress of(URI baseUrl) {
    boolean ssl = "https".equals(baseUrl.getScheme());
    return new UpstreamAddress(baseUrl.getHost(), baseUrl.getPort() > 0 ? baseUrl.getPort() : ssl ? 443 : 80, ssl,
        baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath());
  }

  /** A POST to {@code basePath + path} (path may carry a query). */
  RequestOptions post(String path) {
    return new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setSsl(ssl).setURI(basePath + path);
  }
}
