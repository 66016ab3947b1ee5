package dev.tollgate.provider.mock;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.GatewayConfig.ProviderKey;
import dev.tollgate.config.Secret;
import dev.tollgate.mock.MockProvider;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.provider.ProviderType;
import dev.tollgate.provider.UpstreamRequest;
import dev.tollgate.provider.openai.OpenAiAdapter;
import dev.tollgate.wire.ApiRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.List;

/**
 * {@code type: mock}: the built-in fake provider, started in-process on a port of its own and reached
 * over HTTP like any OpenAI-compatible upstream, so a new user can try everything offline.
 */
public final class BuiltInMockType implements ProviderType {
  @Override
  public String name() {
    return "mock";
  }

  @Override
  public Problem check(GatewayConfig.Provider p) {
    if (p.baseUrl() != null) return new Problem("base-url", "is not used by type mock (it runs in-process)");
    return null;
  }

  @Override
  public Future<ProviderAdapter> start(Vertx vertx, GatewayConfig.Provider p) {
    return MockProvider.start(vertx, "127.0.0.1", 0).map(mock -> {
      List<ProviderKey> keys = p.keys().isEmpty()
          ? List.of(new ProviderKey(new Secret("mock-provider-key", "builtin:mock"), 1))
          : p.keys();
      OpenAiAdapter http = new OpenAiAdapter(p.name(), URI.create("http://127.0.0.1:" + mock.port() + "/v1"), new ProviderKeyPool(keys));
      return new Running(http, mock);
    });
  }

  /** The OpenAI adapter in front of the in-process fake provider, which it stops on close. */
  private record Running(OpenAiAdapter http, MockProvider mock) implements ProviderAdapter {
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
