package dev.tollgate.provider;

import dev.tollgate.config.ConfigException;
import dev.tollgate.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The provider types the gateway knows, keyed by their {@code type:} name: adding one is a folder of
 * its own and one entry where the gateway is wired, no switch to edit.
 */
public final class ProviderRegistry {
  private final Map<String, ProviderType> types = new LinkedHashMap<>();

  public ProviderRegistry(List<ProviderType> types) {
    types.forEach(t -> this.types.put(t.name(), t));
  }

  /** Fails, naming the key path, on the first provider whose type is unknown or whose settings it rejects. */
  public void check(GatewayConfig config) {
    for (GatewayConfig.Provider p : config.providers().values()) {
      ProviderType type = types.get(p.type());
      if (type == null) {
        throw ConfigException.at(config.source(), p.path("type"),
            "must be one of " + String.join(", ", types.keySet()) + ", got '" + p.type() + "'");
      }
      ProviderType.Problem problem = type.check(p);
      if (problem != null) throw ConfigException.at(config.source(), p.path(problem.setting()), problem.message());
    }
  }

  /** The adapters of every configured provider, by provider name. */
  public Future<Map<String, ProviderAdapter>> start(Vertx vertx, GatewayConfig config) {
    check(config);
    Map<String, ProviderAdapter> adapters = new LinkedHashMap<>();
    Future<Void> chain = Future.succeededFuture();
    for (GatewayConfig.Provider p : config.providers().values()) {
      chain = chain.compose(v -> types.get(p.type()).start(vertx, p).map(adapter -> {
        adapters.put(p.name(), adapter);
        return null;
      }));
    }
    return chain.map(v -> Map.copyOf(adapters));
  }
}
