package dev.tollgate.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one failure type of the gateway: an HTTP status plus OpenAI's error type and code, and the
 * response headers that go with it (e.g. {@code retry-after}). Every part fails with one of these; the
 * client API's dialect turns it into its error body in one place.
 */
public final class GatewayFailure extends RuntimeException {
  private final int status;
  private final String type;
  private final String code;
  private final String param;
  private final Map<String, String> headers = new LinkedHashMap<>(2);

  public GatewayFailure(int status, String type, String code, String param, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }

  public int status() { return status; }
  public String type() { return type; }
  public String code() { return code; }
  public String param() { return param; }

  /** Extra response headers (lower-case names), e.g. {@code retry-after}. */
  public Map<String, String> headers() {
    return Collections.unmodifiableMap(headers);
  }

  public GatewayFailure header(String name, String value) {
    headers.put(name.toLowerCase(java.util.Locale.ROOT), value);
    return this;
  }

  /** The failure itself, or the internal error a client sees for anything the gateway did not expect. */
  public static GatewayFailure of(Throwable t) {
    return t instanceof GatewayFailure f ? f : internal();
  }

  public static GatewayFailure badRequest(String message, String param) {
    return new GatewayFailure(400, "invalid_request_error", null, param, message);
  }

  public static GatewayFailure invalidKey(String message) {
    return new GatewayFailure(401, "invalid_request_error", "invalid_api_key", null, message);
  }

  public static GatewayFailure modelNotFound(String model) {
    return new GatewayFailure(404, "invalid_request_error", "model_not_found", "model",
        "The model '" + model + "' does not exist or you do not have access to it.");
  }

  public static GatewayFailure modelNotAllowed(String model) {
    return new GatewayFailure(403, "invalid_request_error", "model_not_allowed", "model",
        "Your key is not allowed to use the model '" + model + "'.");
  }

  public static GatewayFailure notFound(String message) {
    return new GatewayFailure(404, "invalid_request_error", "not_found", null, message);
  }

  public static GatewayFailure tooLarge(long limit) {
    return new GatewayFailure(413, "invalid_request_error", "request_too_large", null,
        "Request body is larger than the limit of " + limit + " bytes.");
  }

  public static GatewayFailure upstreamUnreachable(String provider) {
    return new GatewayFailure(502, "server_error", "upstream_unreachable", null,
        "The upstream provider '" + provider + "' could not be reached.");
  }

  public static GatewayFailure upstreamAuth(String provider) {
    return new GatewayFailure(502, "server_error", "upstream_auth_failed", null,
        "The gateway's credentials for provider '" + provider + "' were rejected upstream; this is a gateway configuration problem, not your key.");
  }

  public static GatewayFailure upstreamTimeout(String provider) {
    return new GatewayFailure(504, "server_error", "upstream_timeout", null,
        "The upstream provider '" + provider + "' did not answer in time.");
  }

  /** A stream the upstream ended (or broke off) before its last event. */
  public static GatewayFailure streamBroken() {
    return new GatewayFailure(502, "server_error", "upstream_stream_broken", null, "The upstream stream ended before it was complete.");
  }

  /** A stream the gateway ended because it is stopping and the stream outlived the shutdown grace. */
  public static GatewayFailure shuttingDown() {
    return new GatewayFailure(503, "server_error", "server_shutting_down", null,
        "The gateway is restarting and ended this stream at its shutdown grace; retry the request.");
  }

  public static GatewayFailure unavailable(String message) {
    return new GatewayFailure(503, "server_error", "unavailable", null, message);
  }

  public static GatewayFailure internal() {
    return new GatewayFailure(500, "server_error", "internal_error", null, "The gateway failed to process the request.");
  }
}
