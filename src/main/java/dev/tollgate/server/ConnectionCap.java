package dev.tollgate.server;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.pipeline.ErrorReply;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code server.max-connections} client connections at once, across every event loop. A connection past
 * the cap is not dropped unanswered: its first request gets {@code 503 server_busy} with {@code Retry-After: 1} and
 * the connection is closed, so a client sees why. One instance per gateway; {@link #perLoop()} per event loop.
 */
final class ConnectionCap {
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
  Loop perLoop() {
    return new Loop();
  }

  final class Loop {
    private final Set<HttpConnection> excess = new HashSet<>();

    void connected(HttpConnection c) {
      if (open.incrementAndGet() > max) {
        open.decrementAndGet();
        excess.add(c);
        c.closeHandler(v -> excess.remove(c));
        onRefused.run();
      } else {
        c.closeHandler(v -> open.decrementAndGet());
      }
    }

    /** True when the request came on a connection over the cap, and has been answered. */
    boolean refused(HttpServerRequest req) {
      if (excess.isEmpty() || !excess.contains(req.connection())) return false;
      ErrorReply.sendAndClose(req, new GatewayFailure(503, "server_error", "server_busy", null,
          "This gateway has " + max + " connections open (server.max-connections); retry shortly.")
          .header("retry-after", "1"));
      return true;
    }
  }
}
