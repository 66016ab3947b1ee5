package dev.tollgate.wire.openai;

import static dev.tollgate.wire.JsonText.quote;

import dev.tollgate.core.GatewayFailure;
import java.nio.charset.StandardCharsets;

/** OpenAI's error body, {@code {"error":{"message","type","param","code"}}}. */
public final class OpenAiErrors {
  private OpenAiErrors() {}

  public static byte[] body(GatewayFailure f) {
    StringBuilder sb = new StringBuilder(160).append("{\"error\":{\"message\":");
    quote(sb, f.getMessage());
    sb.append(",\"type\":");
    quote(sb, f.type());
    sb.append(",\"param\":");
    quote(sb, f.param());
    sb.append(",\"code\":");
    quote(sb, f.code());
    sb.append("}}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A Responses API stream's error event, {@code {"type":"error","code","message","param"}}. */
  static String responsesEvent(GatewayFailure f) {
    StringBuilder sb = new StringBuilder(160).append("{\"type\":\"error\",\"code\":");
    quote(sb, f.code());
    sb.append(",\"message\":");
    quote(sb, f.getMessage());
    sb.append(",\"param\":");
    quote(sb, f.param());
    sb.append('}');
    return sb.toString();
  }

}
