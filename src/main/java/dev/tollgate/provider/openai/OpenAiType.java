package dev.tollgate.provider.openai;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.provider.ProviderType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** {@code type: openai}: an OpenAI-compatible API at {@code base-url}, with its keys. */
public final class OpenAiType implements ProviderType {
  @Override
  public String name() {
    return "openai";
  }

  @Override
  public Problem check(GatewayConfig.Provider p) {
    return ProviderType.needsUrlAndKeys(p);
  }

  @Override
  public Future<ProviderAdapter> start(Vertx vertx, GatewayConfig.Provider p) {
    return Future.succeededFuture(new OpenAiAdapter(p.name(), p.baseUrl(), new ProviderKeyPool(p.keys()), p.organization(),
        p.project()));
  }
}
