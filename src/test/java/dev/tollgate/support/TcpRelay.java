package dev.tollgate.support;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay in front of a real server (PostgreSQL here) that a test can cut and restore, to make
 * the server unreachable for a while without stopping it.
 */
public final class TcpRelay implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final NetServer server;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  public TcpRelay(int targetPort) {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(in -> {
      if (cut) {
        in.close();
        return;
      }
      in.pause();
      client.connect(targetPort, "127.0.0.1").onSuccess(out -> {
        synchronized (this) {
          if (cut) {
            in.close();
            out.close();
            return;
          }
          sockets.add(in);
          sockets.add(out);
        }
        in.closeHandler(v -> out.close());
        out.closeHandler(v -> in.close());
        in.pipeTo(out);
        out.pipeTo(in);
        in.resume();
      }).onFailure(e -> in.close());
    });
    TestStack.await(server.listen(0, "127.0.0.1"));
  }

  public int port() {
    return server.actualPort();
  }

  /** Drops every open connection and refuses new ones until {@link #restore()}. */
  public synchronized void cut() {
    cut = true;
    sockets.forEach(NetSocket::close);
    sockets.clear();
  }

  public void restore() {
    cut = false;
  }

  @Override
  public void close() {
    TestStack.await(vertx.close());
  }
}
