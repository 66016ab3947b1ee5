package dev.tollgate.server;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps any failure to OpenAI's error JSON, {@code {"error":{"message","type","param","code"}}}. */
public final class ErrorResponses {
  private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {}

  public static GatewayFailure asFailure(Throwable t) {
    if (t instanceof GatewayFailure f) return f;
    log.error("unexpected failure in request pipeline", t);
    return GatewayFailure.internal();
  }

  public static Buffer json(GatewayFailure f) {
    StringBuilder sb = new StringBuilder(160).append("{\"error\":{\"message\":");
    quote(sb, f.getMessage());
    sb.append(",\"type\":");
    quote(sb, f.type());
    sb.append(",\"param\":");
    quote(sb, f.param());
    sb.append(",\"code\":");
    quote(sb, f.code());
    sb.append("}}");
    return Buffer.buffer(sb.toString());
  }

  /** Sends the error unless a response is already on its way; never throws. */
  public static void send(HttpServerResponse response, Throwable failure) {
    GatewayFailure f = asFailure(failure);
    if (response.headWritten() || response.ended() || response.closed()) {
      if (!response.ended() && !response.closed()) response.reset();
      return;
    }
    response.setStatusCode(f.status());
    response.headers().addAll(f.headers());
    response.putHeader("content-type", "application/json");
    response.end(json(f));
  }

  private static void quote(StringBuilder sb, String s) {
    if (s == null) {
      sb.append("null");
      return;
    }
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    sb.append('"');
  }
}
