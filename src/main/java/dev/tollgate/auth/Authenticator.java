package dev.tollgate.auth;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.core.QueryString;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;

/**
 * Resolves the caller from the request's credential: {@code Authorization: Bearer}, {@code api-key}
 * (Azure SDKs), {@code x-api-key} (Anthropic SDKs), or, when enabled, the {@code api-key} query
 * parameter. A request may carry the same key in several of them, never two different credentials: the
 * gateway will not guess which one to bill. The credential header is never forwarded upstream (see the
 * provider adapters).
 */
public final class Authenticator {
  private final KeyIndex index;
  private final boolean queryParamKey;
  private final Clock clock;
  private final WarmUpPass warmUp;

  public Authenticator(KeyIndex index, boolean queryParamKey, Clock clock) {
    this(index, queryParamKey, clock, WarmUpPass.none());
  }

  /** @param warmUp the warm-up's credential, accepted while it is open */
  public Authenticator(KeyIndex index, boolean queryParamKey, Clock clock, WarmUpPass warmUp) {
    this.index = index;
    this.queryParamKey = queryParamKey;
    this.clock = clock;
    this.warmUp = warmUp;
  }

  public Caller authenticate(HttpServerRequest request) {
    String secret = credential(request);
    if (secret == null) {
      throw GatewayFailure.invalidKey("You didn't provide an API key. Send it as 'Authorization: Bearer <key>', 'api-key' or 'x-api-key'.");
    }
    Caller caller = index.find(secret);
    // looked up as any key first, so the warm-up runs (and compiles) the path a team key takes
    if (caller == null) caller = warmUp.caller(secret);
    if (caller == null || !caller.key().isActive(clock.instant())) {
      throw GatewayFailure.invalidKey("Incorrect, revoked or expired API key provided.");
    }
    if (!caller.synthetic()) index.touch(caller.key().id());
    return caller;
  }

  /** The one secret the request presents, or null when it presents none. */
  private String credential(HttpServerRequest request) {
    String authorization = request.getHeader("authorization");
    if (authorization != null && !authorization.isBlank() && Credentials.bearer(authorization) == null) {
      if (request.getHeader("api-key") != null || request.getHeader("x-api-key") != null) {
        throw conflict("'Authorization' uses a scheme other than Bearer and an 'api-key' or 'x-api-key' header is also set");
      }
      throw GatewayFailure.invalidKey("The 'Authorization' header must be 'Bearer <key>'.");
    }
    String secret = null;
    secret = same(secret, authorization == null ? null : Credentials.bearer(authorization), "Authorization");
    secret = same(secret, request.getHeader("api-key"), "api-key");
    secret = same(secret, request.getHeader("x-api-key"), "x-api-key");
    // the whole query string is decoded here, first, so a malformed one is a 400 that quotes none of it
    if (queryParamKey) secret = same(secret, QueryString.parse(request.query()).get("api-key"), "the api-key query parameter");
    return secret;
  }

  /** {@code found}, or {@code value} if nothing was found before; a different value is a conflict. */
  private static String same(String found, String value, String where) {
    String v = value == null ? null : value.trim();
    if (v == null || v.isEmpty()) return found;
    if (found == null) return v;
    if (!KeyHash.same(found, v)) throw conflict("a different key is also sent in " + where);
    return found;
  }

  private static GatewayFailure conflict(String detail) {
    return GatewayFailure.invalidKey("The request carries conflicting credentials (" + detail
        + "). Send one credential: the same key may appear in several headers, two different ones may not.");
  }
}
