package dev.tollgate.pipeline;

import io.vertx.core.Context;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The streams being relayed, across event loops: what a stopping gateway ends, at its shutdown grace, with
 * an error event (never a silent cut) so clients know to retry.
 */
public final class OpenStreams {
  private final Map<SseRelay, Context> open = new ConcurrentHashMap<>();

  void opened(SseRelay relay, Context context) {
    open.put(relay, context);
  }

  void closed(SseRelay relay) {
    open.remove(relay);
  }

  public int count() {
    return open.size();
  }

  /** Ends every open stream with the error event that says the gateway is stopping; each on its own event loop. */
  public void endAll() {
    open.forEach((relay, context) -> context.runOnContext(v -> relay.stopForShutdown()));
  }
}
