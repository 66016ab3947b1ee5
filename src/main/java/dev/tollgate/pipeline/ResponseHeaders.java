package dev.tollgate.pipeline;

import dev.tollgate.core.BenchSwitches;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.Set;

/** Headers the gateway puts on client responses, and which upstream headers it passes on. */
final class ResponseHeaders {
  /**
   * Upstream headers not passed on: hop-by-hop headers, the length (the gateway frames the body
   * itself), the provider's request id and organisation, and its rate limits and priority capacity (OpenAI's
   * {@code x-ratelimit-*}, Anthropic's {@code anthropic-ratelimit-*} and {@code anthropic-priority-*}), which
   * describe the gateway's central account rather than the caller's team.
   */
  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-request-id");
  private static final CharSequence SERVER_TIMING = HttpHeaders.createOptimized("server-timing");
  private static final Set<String> DROPPED = Set.of(
      "connection", "keep-alive", "transfer-encoding", "content-length", "x-request-id", "request-id", "set-cookie",
      "openai-organization", "openai-project", "anthropic-organization-id", "server", "date", "alt-svc",
      "strict-transport-security");

  private ResponseHeaders() {}

  static void copyUpstream(MultiMap from, MultiMap to) {
    from.forEach((name, value) -> {
      String n = name.toLowerCase(Locale.ROOT);
      if (!DROPPED.contains(n) && !n.startsWith("x-ratelimit-") && !n.startsWith("anthropic-ratelimit-")
          && !n.startsWith("anthropic-priority-") && !n.startsWith("cf-")) {
        to.add(name, value);
      }
    });
    String upstreamId = from.get("x-request-id") != null ? from.get("x-request-id") : from.get("request-id");
    if (upstreamId != null) to.set("x-upstream-request-id", upstreamId);
  }

  /** Commits a 200 event stream: chunked, not cached or buffered by proxies on the way, with the gateway's headers. */
  static void startEventStream(RequestContext ctx, HttpServerResponse out) {
    out.setStatusCode(200).setChunked(true);
    out.putHeader("content-type", "text/event-stream; charset=utf-8");
    out.putHeader("cache-control", "no-cache");
    out.putHeader("x-accel-buffering", "no");
    gateway(ctx, out);
  }

  /** {@code x-request-id} and {@code Server-Timing}: the gateway's own time and the upstream's, in ms. */
  static void gateway(RequestContext ctx, HttpServerResponse out) {
    if (BenchSwitches.IDS.off()) return;
    out.putHeader(REQUEST_ID, ctx.requestId());
    long now = System.nanoTime();
    long sent = ctx.attempts().sentNanos();
    long headers = ctx.attempts().headersNanos();
    StringBuilder timing = new StringBuilder(48);
    if (sent != 0 && headers != 0) {
      long upstream = headers - sent;
      timing.append("gateway;dur=").append(ms(now - ctx.startNanos() - upstream))
          .append(", upstream;dur=").append(ms(upstream));
    } else {
      timing.append("gateway;dur=").append(ms(now - ctx.startNanos()));
    }
    out.putHeader(SERVER_TIMING, timing.toString());
  }

  private static String ms(long nanos) {
    long micros = Math.max(0, nanos / 1000);
    long frac = micros % 1000;
    return micros / 1000 + (frac < 10 ? ".00" : frac < 100 ? ".0" : ".") + frac;
  }
}
