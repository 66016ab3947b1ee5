package dev.tollgate.auth;

import dev.tollgate.core.GatewayFailure;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;

/**
 * Resolves the caller from the request's credential: {@code Authorization: Bearer}, {@code api-key}
 * (Azure SDKs), {@code x-api-key} (Anthropic SDKs), or, when enabled, the {@code api-key} query
 * parameter. The credential header is never forwarded upstream (see the provider adapters).
 */
public final class Authenticator {
  private final KeyIndex index;
  private final boolean queryParamKey;
  private final Clock clock;

  public Authenticator(KeyIndex index, boolean queryParamKey, Clock clock) {
    this.index = index;
    this.queryParamKey = queryParamKey;
    this.clock = clock;
  }

  public Caller authenticate(HttpServerRequest request) {
    String secret = credential(request);
    if (secret == null || secret.isEmpty()) {
      throw GatewayFailure.invalidKey("You didn't provide an API key. Send it as 'Authorization: Bearer <key>', 'api-key' or 'x-api-key'.");
    }
    Caller caller = index.find(secret);
    if (caller == null || !caller.key().isActive(clock.instant())) {
      throw GatewayFailure.invalidKey("Incorrect, revoked or expired API key provided.");
    }
    index.touch(caller.key().id());
    return caller;
  }

  private String credential(HttpServerRequest request) {
    String auth = request.getHeader("authorization");
    if (auth != null) return Credentials.bearer(auth);
    String key = request.getHeader("api-key");
    if (key == null) key = request.getHeader("x-api-key");
    if (key == null && queryParamKey) key = request.getParam("api-key");
    return key == null ? null : key.trim();
  }
}
