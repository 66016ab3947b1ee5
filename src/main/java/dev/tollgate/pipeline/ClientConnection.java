package dev.tollgate.pipeline;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.StreamResetException;
import java.io.IOException;

/** The client's side of a request: whether a failure to read its body or write its answer is its connection going away. */
final class ClientConnection {
  private ClientConnection() {}

  /**
   * Whether {@code failure}, met reading the client's body or writing its answer, is the client's connection having gone
   * (closed, reset, a broken pipe) rather than a failure of the gateway's. The response knows once Vert.x has handled the
   * close (a write after it fails with Vert.x's "Connection was closed"); a read or write that meets the reset before
   * that fails with the socket's own error, an {@link IOException} ("Connection reset by peer", "Broken pipe").
   */
  static boolean lost(HttpServerResponse response, Throwable failure) {
    return response.closed() || failure instanceof HttpClosedException || failure instanceof StreamResetException
        || failure instanceof IOException;
  }
}
