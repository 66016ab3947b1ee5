package dev.tollgate.provider;

import dev.tollgate.wire.ApiRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/**
 * A provider reached over HTTP at a base URL with keys of its own: the request goes to a path below
 * the base URL that the provider decides, carrying the key where the provider wants it.
 */
public abstract class HttpAdapter implements ProviderAdapter {
  private final String name;
  private final String dialect;
  private final ProviderKeyPool keys;
  private final UpstreamAddress address;

  protected HttpAdapter(String name, String dialect, URI baseUrl, ProviderKeyPool keys) {
    this.name = name;
    this.dialect = dialect;
    this.keys = keys;
    this.address = UpstreamAddress.of(baseUrl);
  }

  /** The path below the base URL (with a query, if any) for a request to {@code upstreamModel}. */
  protected abstract String path(ApiRequest request, String upstreamModel);

  /** Puts the provider key on the request. */
  protected abstract void authorize(RequestOptions options, String secret);

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String dialect() {
    return dialect;
  }

  @Override
  public final ProviderKeyPool keys() {
    return keys;
  }

  @Override
  public UpstreamRequest prepare(ApiRequest request, String upstreamModel, String secret, MultiMap clientHeaders) {
    RequestOptions options = address.post(path(request, upstreamModel), clientHeaders);
    authorize(options, secret);
    return new UpstreamRequest(options, Buffer.buffer(request.dialect().upstreamBody(request, upstreamModel)));
  }
}
