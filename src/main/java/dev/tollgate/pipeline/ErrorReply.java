package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.openai.OpenAiErrors;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends a failure as an error response: its status, its headers and an error body in the client API's shape. */
public final class ErrorReply {
  private static final Logger log = LoggerFactory.getLogger(ErrorReply.class);

  private ErrorReply() {}

  /**
   * In OpenAI's shape (the admin API, unknown paths): for callers outside the pipeline. A failure the
   * gateway did not expect is logged here and answered as a 500 without details.
   */
  public static void send(HttpServerResponse response, Throwable failure) {
    if (!(failure instanceof GatewayFailure)) log.error("unexpected failure", failure);
    GatewayFailure f = GatewayFailure.of(failure);
    send(response, f, OpenAiErrors.body(f));
  }

  /** Sends the error unless a response is already on its way (then the connection is reset); never throws. */
  static void send(HttpServerResponse response, GatewayFailure f, byte[] body) {
    if (response.headWritten() || response.ended() || response.closed()) {
      if (!response.ended() && !response.closed()) response.reset();
      return;
    }
    response.setStatusCode(f.status());
    f.headers().forEach(response::putHeader);
    response.putHeader("content-type", "application/json");
    if ("close".equals(f.headers().get("connection"))) {
      // a client that will not be heard out (a body too slow, a connection over the cap): answered, then let go
      response.end(Buffer.buffer(body)).onComplete(x -> response.close());
    } else {
      response.end(Buffer.buffer(body));
    }
  }
}
