package dev.tollgate.wire.anthropic;

import static dev.tollgate.wire.JsonText.quote;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.StreamEvent;
import java.nio.charset.StandardCharsets;

/**
 * Anthropic's error body, {@code {"type":"error","error":{"type","message"}}}, whose type follows the status
 * as Anthropic's API sets it: 400 {@code invalid_request_error}, 401 {@code authentication_error}, 403
 * {@code permission_error}, 404 {@code not_found_error}, 413 {@code request_too_large}, 429
 * {@code rate_limit_error}, 503 and 529 {@code overloaded_error}, 504 {@code timeout_error}, other 5xx
 * {@code api_error}.
 */
public final class AnthropicErrors {
  private AnthropicErrors() {}

  public static String type(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      case 504 -> "timeout_error";
      default -> status >= 500 ? "api_error" : "invalid_request_error";
    };
  }

  public static byte[] body(GatewayFailure f) {
    return body(type(f.status()), f.getMessage());
  }

  public static byte[] body(String type, String message) {
    StringBuilder sb = new StringBuilder(160).append("{\"type\":\"error\",\"error\":{\"type\":");
    quote(sb, type);
    sb.append(",\"message\":");
    quote(sb, message);
    sb.append("}}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A stream's error event carrying an error body. */
  public static byte[] event(byte[] body) {
    return StreamEvent.frame("error", body);
  }


}
