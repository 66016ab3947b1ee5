package dev.tollgate.provider;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.GatewayConfig.ProviderKey;
import dev.tollgate.config.Secret;
import dev.tollgate.mock.MockProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the provider adapters from config, starting the in-process fake provider for {@code type: mock}. */
public final class Providers {
  private final Map<String, ProviderAdapter> adapters;
  private final List<MockProvider> mocks;

  private Providers(Map<String, ProviderAdapter> adapters, List<MockProvider> mocks) {
    this.adapters = adapters;
    this.mocks = mocks;
  }

  public static Future<Providers> start(Vertx vertx, Map<String, GatewayConfig.Provider> config) {
    Map<String, ProviderAdapter> adapters = new LinkedHashMap<>();
    List<MockProvider> mocks = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (GatewayConfig.Provider p : config.values()) {
      chain = chain.compose(v -> switch (p.type()) {
        case OPENAI -> {
          adapters.put(p.name(), new OpenAiAdapter(p.name(), p.baseUrl(), new ProviderKeyPool(p.keys())));
          yield Future.succeededFuture();
        }
        case AZURE_OPENAI -> {
          adapters.put(p.name(), new AzureOpenAiAdapter(p.name(), p.baseUrl(), p.apiVersion(), new ProviderKeyPool(p.keys())));
          yield Future.succeededFuture();
        }
        case MOCK -> MockProvider.start(vertx, "127.0.0.1", 0).map(mock -> {
          mocks.add(mock);
          List<ProviderKey> keys = p.keys().isEmpty()
              ? List.of(new ProviderKey(new Secret("mock-provider-key", "builtin:mock"), 1))
              : p.keys();
          adapters.put(p.name(), new OpenAiAdapter(p.name(), URI.create("http://127.0.0.1:" + mock.port() + "/v1"),
              new ProviderKeyPool(keys)));
          return null;
        });
      });
    }
    return chain.map(v -> new Providers(Map.copyOf(adapters), mocks));
  }

  public Map<String, ProviderAdapter> adapters() {
    return adapters;
  }

  public Future<Void> close() {
    return Future.all(mocks.stream().map(MockProvider::close).toList()).mapEmpty();
  }
}
