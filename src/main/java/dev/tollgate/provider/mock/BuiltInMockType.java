package dev.tollgate.provider.mock;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.GatewayConfig.ProviderKey;
import dev.tollgate.config.Secret;
import dev.tollgate.mock.MockProvider;
import dev.tollgate.provider.HttpAdapter;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.provider.ProviderType;
import dev.tollgate.provider.UpstreamRequest;
import dev.tollgate.provider.anthropic.AnthropicAdapter;
import dev.tollgate.provider.openai.OpenAiAdapter;
import dev.tollgate.wire.ApiRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The built-in fake provider, started in-process on a port of its own and reached over HTTP like a real
 * upstream, so a new user can try everything offline: {@code type: mock} speaks OpenAI's API,
 * {@code type: mock-anthropic} Anthropic's.
 */
public final class BuiltInMockType implements ProviderType {
  private final String name;
  private final BiFunction<GatewayConfig.Provider, URI, HttpAdapter> adapter;

  private BuiltInMockType(String name, BiFunction<GatewayConfig.Provider, URI, HttpAdapter> adapter) {
    this.name = name;
    this.adapter = adapter;
  }

  /** {@code type: mock}: the fake provider as an OpenAI-compatible API. */
  public static BuiltInMockType openAi() {
    return new BuiltInMockType("mock", (p, url) -> new OpenAiAdapter(p.name(), url, new ProviderKeyPool(keys(p))));
  }

  /** {@code type: mock-anthropic}: the fake provider as Anthropic's Messages API. */
  public static BuiltInMockType anthropic() {
    return new BuiltInMockType("mock-anthropic", (p, url) -> new AnthropicAdapter(p.name(), url, new ProviderKeyPool(keys(p)),
        p.apiVersion()));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Problem check(GatewayConfig.Provider p) {
    if (p.baseUrl() != null) return new Problem("base-url", "is not used by type " + name + " (it runs in-process)");
    return null;
  }

  @Override
  public Future<ProviderAdapter> start(Vertx vertx, GatewayConfig.Provider p) {
    return MockProvider.start(vertx, "127.0.0.1", 0)
        .map(mock -> new Running(adapter.apply(p, URI.create("http://127.0.0.1:" + mock.port() + "/v1")), mock));
  }

  private static List<ProviderKey> keys(GatewayConfig.Provider p) {
    return p.keys().isEmpty() ? List.of(new ProviderKey(new Secret("mock-provider-key", "builtin:mock"), 1)) : p.keys();
  }

  /** The HTTP adapter in front of the in-process fake provider, which it stops on close. */
  private record Running(HttpAdapter http, MockProvider mock) implements ProviderAdapter {
    @Override
    public String name() {
      return http.name();
    }

    @Override
    public String dialect() {
      return http.dialect();
    }

    @Override
    public ProviderKeyPool keys() {
      return http.keys();
    }

    @Override
    public UpstreamRequest prepare(ApiRequest request, String upstreamModel, String secret, MultiMap clientHeaders) {
      return http.prepare(request, upstreamModel, secret, clientHeaders);
    }

    @Override
    public Future<Void> close() {
      return mock.close();
    }
  }
}
