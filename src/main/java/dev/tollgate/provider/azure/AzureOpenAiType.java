package dev.tollgate.provider.azure;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.provider.ProviderType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** {@code type: azure-openai}: an Azure OpenAI resource at {@code base-url}; {@code api-version} defaults to 2024-10-21. */
public final class AzureOpenAiType implements ProviderType {
  static final String DEFAULT_API_VERSION = "2024-10-21";

  @Override
  public String name() {
    return "azure-openai";
  }

  @Override
  public Problem check(GatewayConfig.Provider p) {
    return ProviderType.needsUrlAndKeys(p);
  }

  @Override
  public Future<ProviderAdapter> start(Vertx vertx, GatewayConfig.Provider p) {
    return Future.succeededFuture(new AzureOpenAiAdapter(p.name(), p.baseUrl(),
        p.apiVersion() == null ? DEFAULT_API_VERSION : p.apiVersion(), new ProviderKeyPool(p.keys())));
  }
}
