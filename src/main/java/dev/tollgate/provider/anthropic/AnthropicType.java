package dev.tollgate.provider.anthropic;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.provider.ProviderType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** {@code type: anthropic}: Anthropic's Messages API at {@code base-url} (e.g. {@code https://api.anthropic.com/v1}), with its keys. */
public final class AnthropicType implements ProviderType {
  static final String DEFAULT_API_VERSION = "2023-06-01";

  @Override
  public String name() {
    return "anthropic";
  }

  @Override
  public Problem check(GatewayConfig.Provider p) {
    return ProviderType.needsUrlAndKeys(p);
  }

  @Override
  public Future<ProviderAdapter> start(Vertx vertx, GatewayConfig.Provider p) {
    return Future.succeededFuture(new AnthropicAdapter(p.name(), p.baseUrl(), new ProviderKeyPool(p.keys()), p.apiVersion()));
  }
}
