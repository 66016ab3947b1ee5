package dev.tollgate.provider;

import dev.tollgate.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** A kind of provider, by its {@code type:} in config: checks a provider's settings and makes its adapter. */
public interface ProviderType {
  /** The {@code type:} value, e.g. {@code openai}. */
  String name();

  /** The first problem with a provider's settings for this type, or null. */
  Problem check(GatewayConfig.Provider provider);

  /** The adapter for a checked provider (starting what it runs in-process, if anything). */
  Future<ProviderAdapter> start(Vertx vertx, GatewayConfig.Provider provider);

  /** A setting (e.g. {@code base-url}) and what is wrong with it. */
  record Problem(String setting, String message) {}

  /** The check shared by providers reached over HTTP with keys of their own. */
  static Problem needsUrlAndKeys(GatewayConfig.Provider p) {
    if (p.baseUrl() == null) return new Problem("base-url", "is required for type " + p.type());
    if (p.keys().isEmpty()) return new Problem("keys", "needs at least one key");
    return null;
  }
}
