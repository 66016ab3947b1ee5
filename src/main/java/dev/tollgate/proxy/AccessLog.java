package dev.tollgate.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per client request on the {@code tollgate.access} logger. It logs the path, never the
 * query string, so a key passed as {@code ?api-key=} cannot reach the log.
 */
public final class AccessLog {
  private static final Logger log = LoggerFactory.getLogger("tollgate.access");
  private final boolean enabled;

  public AccessLog(boolean enabled) {
    this.enabled = enabled && log.isInfoEnabled();
  }

  void log(Exchange ex, long nanos) {
    if (!enabled) return;
    log.info("{} {} {} {} team={} key={} model={} upstream={} stream={} ms={}",
        ex.requestId, ex.request.method(), ex.request.path(), ex.status,
        ex.caller == null ? "-" : ex.caller.team().id(),
        ex.caller == null ? "-" : ex.caller.key().id(),
        ex.route == null ? "-" : ex.route.model(),
        ex.target == null ? "-" : ex.target.provider() + "/" + ex.target.upstreamModel(),
        ex.streamed(), nanos / 1_000_000);
  }
}
