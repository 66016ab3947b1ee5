package dev.tollgate.proxy;

import dev.tollgate.auth.Caller;
import dev.tollgate.billing.Usage;
import dev.tollgate.route.Route;
import dev.tollgate.route.RouteTarget;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * One client request on its way through the pipeline, and everything settle needs to know about
 * how it went. Confined to the request's event loop.
 */
public final class Exchange {
  public final HttpServerRequest request;
  public final HttpServerResponse response;
  public final String requestId;
  public final long startNanos;
  public final long startMillis;

  public Caller caller;
  public ApiRequest api;
  public Route route;

  /** The target that answered (the last one tried). */
  public RouteTarget target;
  HttpClientRequest upstreamRequest;
  SseRelay relay;
  public long upstreamSentNanos;
  public long upstreamHeadersNanos;
  public long firstEventNanos;
  public int upstreamAttempts;

  /** The usage the provider reported, or null. */
  public Usage reportedUsage;
  /** Text relayed to the client so far (streamed content), for estimates when no usage comes. */
  public final StringBuilder relayedText = new StringBuilder();
  /** What the request was billed, once settled. */
  public dev.tollgate.billing.Charge charge;
  public int status;
  public boolean clientGone;
  public boolean streamBroken;
  public boolean timedOut;
  public String errorCode;

  Exchange(HttpServerRequest request, String requestId) {
    this.request = request;
    this.response = request.response();
    this.requestId = requestId;
    this.startNanos = System.nanoTime();
    this.startMillis = System.currentTimeMillis();
  }

  public boolean streamed() {
    return api != null && api.stream();
  }

  public String modelOrUnknown() {
    return route != null ? route.model() : "unknown";
  }

  /** Resets the upstream request, if one is in flight; used when the client goes away. */
  void cancelUpstream() {
    HttpClientRequest r = upstreamRequest;
    if (r != null) r.reset();
  }
}
