package dev.tollgate.server;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.pipeline.ErrorReply;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code server.max-connections} client connections at once, across every event loop. A connection past
 * the cap is not dropped unanswered: its first request gets {@code 503 server_busy} with {@code Retry-After: 1} and
 * the connection is closed, so a client sees why; one kept open past its answers is closed {@value #GRACE_MS} ms after
 * it was seen. (A connection is seen at its first bytes, when Vert.x tells HTTP/1.1 from HTTP/2; one that never sends
 * any is closed by the server's idle timeout.)
 * Probes and scrapes ({@code /healthz}, {@code /readyz}, {@code /metrics}) are answered even so: a replica at its
 * cap is busy, not dead. One instance per gateway; {@link #perLoop} per event loop.
 */
final class ConnectionCap {
  static final long GRACE_MS = 2000;

  private final AtomicInteger open = new AtomicInteger();
  private final int max;
  private final Runnable onRefused;

  ConnectionCap(int max, Runnable onRefused) {
    this.max = max;
    this.onRefused = onRefused;
  }

  int open() {
    return open.get();
  }

  /** One event loop's view: the connections over the cap it holds (touched by that loop only). */
  Loop perLoop(Vertx vertx) {
    return new Loop(vertx);
  }

  final class Loop {
    private final Set<HttpConnection> excess = new HashSet<>();
    private final Vertx vertx;

    private Loop(Vertx vertx) {
      this.vertx = vertx;
    }

    void connected(HttpConnection c) {
      if (open.incrementAndGet() > max) {
        open.decrementAndGet();
        excess.add(c);
        long timer = vertx.setTimer(GRACE_MS, id -> c.close());
        c.closeHandler(v -> {
          excess.remove(c);
          vertx.cancelTimer(timer);
        });
        onRefused.run();
      } else {
        c.closeHandler(v -> open.decrementAndGet());
      }
    }

    /** True when the request came on a connection over the cap, and has been answered. */
    boolean refused(HttpServerRequest req) {
      if (excess.isEmpty() || !excess.contains(req.connection())) return false;
      String path = req.path();
      if ("/healthz".equals(path) || "/readyz".equals(path) || "/metrics".equals(path)) return false;
      ErrorReply.sendAndClose(req, new GatewayFailure(503, "server_error", "server_busy", null,
          "This gateway has " + max + " connections open (server.max-connections); retry shortly.")
          .header("retry-after", "1"));
      return true;
    }
  }
}
