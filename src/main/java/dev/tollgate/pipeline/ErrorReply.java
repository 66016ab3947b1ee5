package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.openai.OpenAiErrors;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
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
    response.end(Buffer.buffer(body));
  }

  /**
   * As {@link #send(HttpServerResponse, Throwable)}, then the connection is let go once the answer is written:
   * for a client that will not be heard out (a connection over the cap).
   */
  public static void sendAndClose(HttpServerRequest request, Throwable failure) {
    closeAfter(request, true);
    send(request.response(), failure);
  }

  /**
   * Lets the connection go once the response is written (Vert.x does not close an HTTP/1.1 connection because the
   * response says {@code connection: close}). On HTTP/2, where that header is illegal and other streams share the
   * connection, only the request's own stream ends — unless {@code wholeConnection}, then it is shut down
   * gracefully (GOAWAY: streams under way finish).
   */
  /**
   * As {@link #closeAfter} with only the request's own stream on HTTP/2; on HTTP/1.1, once the answer is written, the
   * rest of a body the client is still sending is read and dropped for up to {@link #LINGER_MS} before the connection
   * goes. Closing with received bytes unread makes the kernel answer with a reset, which can destroy the answer (a 413,
   * a 408) before the client has read it; nginx's "lingering close" is the same.
   */
  static void closeAfterDraining(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) return;
    HttpConnection connection = request.connection();
    request.response().putHeader("connection", "close").endHandler(v -> {
      Context context = Vertx.currentContext();
      if (request.isEnded() || context == null) {
        connection.close();
        return;
      }
      long linger = context.owner().setTimer(LINGER_MS, t -> connection.close());
      request.exceptionHandler(e -> connection.close());
      request.endHandler(end -> {
        context.owner().cancelTimer(linger);
        connection.close();
      });
      request.handler(dropped -> { });
      request.resume();
    });
  }

  /** How long a refused body is read and dropped, at most, before its connection is closed. */
  static final long LINGER_MS = 2_000;

  static void closeAfter(HttpServerRequest request, boolean wholeConnection) {
    HttpConnection connection = request.connection();
    if (request.version() == HttpVersion.HTTP_2) {
      if (wholeConnection) request.response().endHandler(v -> connection.shutdown());
      return;
    }
    request.response().putHeader("connection", "close").endHandler(v -> connection.close());
  }
}
