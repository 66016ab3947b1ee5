package dev.tollgate.pipeline;

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

  void log(RequestContext ctx, long nanos) {
    if (!enabled) return;
    var caller = ctx.caller();
    var target = ctx.attempts().target();
    log.info("{} {} {} {} outcome={} team={} key={} model={} upstream={} attempts={} stream={} ms={}",
        ctx.requestId(), ctx.request().method(), ctx.request().path(), ctx.status(), ctx.outcomeName(),
        caller == null ? "-" : caller.team().id(),
        caller == null ? "-" : caller.key().id(),
        ctx.route() == null ? "-" : ctx.route().model(),
        target == null ? "-" : target.provider() + "/" + target.upstreamModel(), ctx.attempts().count(),
        ctx.streamed(), nanos / 1_000_000);
  }
}
