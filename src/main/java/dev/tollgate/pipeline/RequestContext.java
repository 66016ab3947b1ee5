package dev.tollgate.pipeline;

import dev.tollgate.auth.Caller;
import dev.tollgate.billing.Charge;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.route.Route;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.Dialect;
import dev.tollgate.wire.Operation;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request on its way through the pipeline. Each part is written by one stage and read by
 * the ones after it: the caller (authenticate), the request (read body), the route (route), the cache
 * state (cache lookup; the cache stage marks what it served), the attempts (upstream), the outcome (relay),
 * the charge (meter). Confined to the request's event loop.
 */
public final class RequestContext {
  private static final Logger log = LoggerFactory.getLogger(RequestContext.class);

  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final Dialect dialect;
  private final Operation operation;
  private final String pathModel;
  private final String requestId;
  private final long startNanos;
  private final long startMillis;
  private final Attempts attempts = new Attempts();
  private final Outcome outcome = new Outcome();
  private Caller caller;
  private ApiRequest api;
  private Route route;
  private Charge charge;
  private CacheState cache;
  private AnswerTap tap;
  private GatewayFailure failure;
  private boolean clientGone;
  private boolean watching;
  private List<Runnable> onClientGone;

  /**
   * @param pathModel the model named in the URL (legacy engine and Azure deployment paths), or null
   */
  public RequestContext(HttpServerRequest request, Dialect dialect, Operation operation, String pathModel) {
    this.request = request;
    this.response = request.response();
    this.dialect = dialect;
    this.operation = operation;
    this.pathModel = pathModel;
    this.requestId = RequestIds.of(request);
    this.startNanos = System.nanoTime();
    this.startMillis = System.currentTimeMillis();
  }

  public HttpServerRequest request() { return request; }
  public HttpServerResponse response() { return response; }
  /** The client API's wire format. */
  public Dialect dialect() { return dialect; }
  public Operation operation() { return operation; }
  public String pathModel() { return pathModel; }
  public String requestId() { return requestId; }
  public long startNanos() { return startNanos; }
  public long startMillis() { return startMillis; }

  /** Who is calling; set by the authenticate stage. */
  public Caller caller() { return caller; }
  /** Whether this is one of the warm-up's synthetic requests (false until authenticated). */
  boolean synthetic() { return caller != null && caller.synthetic(); }
  /** The request as read; set by the read-body stage. */
  public ApiRequest api() { return api; }
  /** Where the request goes; set by the route stage. */
  public Route route() { return route; }
  /** The upstream attempts; written by the upstream stage. */
  public Attempts attempts() { return attempts; }
  /** How the answer went; written by the relay stage. */
  public Outcome outcome() { return outcome; }
  /** What the request was billed; set by the meter stage's after-work, null before. */
  public Charge charge() { return charge; }
  /** What the response cache found and did; set by the cache lookup stage, null for a model that is not cached. */
  public CacheState cache() { return cache; }
  /** What sees the answer as it is relayed (the cache, to store it and serve identical requests); or null. */
  AnswerTap tap() { return tap; }

  void caller(Caller caller) {
    this.caller = once(this.caller, caller, "caller");
  }

  void api(ApiRequest api) {
    this.api = once(this.api, api, "request");
  }

  void route(Route route) {
    this.route = once(this.route, route, "route");
  }

  void charge(Charge charge) {
    this.charge = once(this.charge, charge, "charge");
  }

  void cache(CacheState cache) {
    this.cache = once(this.cache, cache, "cache state");
  }

  void tap(AnswerTap tap) {
    this.tap = once(this.tap, tap, "answer tap");
  }

  private static <T> T once(T current, T value, String part) {
    if (current != null) throw new IllegalStateException("the request's " + part + " is already set");
    return value;
  }

  /** Whether the client went away before its response was complete. */
  public boolean clientGone() {
    return clientGone;
  }

  /**
   * From now on, the client's connection closing before the response has ended is the client leaving. The response
   * stage watches from the start, so a close while no later stage listens (admission, a cache lookup) is not missed:
   * Vert.x tells a close handler set after the close nothing.
   */
  void watchClient() {
    if (watching) return;
    watching = true;
    response.closeHandler(v -> {
      if (!response.ended()) clientLeft();
    });
  }

  /** Runs {@code hook} when the client goes away before its response is complete. */
  void onClientGone(Runnable hook) {
    watchClient();
    if (onClientGone == null) onClientGone = new ArrayList<>(2);
    onClientGone.add(hook);
  }

  /**
   * The client went away before its response was complete (seen by the response, while its body was read, or when its
   * answer could not be written to the end).
   */
  void clientLeft() {
    if (clientGone) return;
    clientGone = true;
    if (onClientGone != null) onClientGone.forEach(Runnable::run);
  }

  /**
   * The last write of the client's answer ({@code end}), as a stage returns it. Its failing because the client's
   * connection went before the answer was through (closed, or reset while the answer was still being written — the
   * response has ended by then, so the close handler does not count it) is the client leaving, not a failure of the
   * gateway's; any other failure is passed on.
   */
  Future<Void> delivered(Future<Void> end) {
    return end.recover(failure -> {
      if (!ClientConnection.lost(response, failure)) return Future.failedFuture(failure);
      log.debug("request {}: the client's connection went while its answer was written: {}", requestId, failure.toString());
      clientLeft();
      return Future.succeededFuture();
    });
  }

  /**
   * Records how the request failed, as the client is told; the first failure counts. A failure the
   * gateway did not expect is logged here, once, with the request's id.
   */
  GatewayFailure failed(Throwable cause) {
    if (failure == null) {
      failure = GatewayFailure.of(cause);
      if (!(cause instanceof GatewayFailure)) log.error("unexpected failure in request {}", requestId, cause);
    }
    return failure;
  }

  /**
   * The status the request ended with, as the ledger and the access log keep it: its failure's; for a stream
   * that broke off, 502 (504 when the upstream went silent, 503 when the gateway stopped) although the client
   * had a 200; 499 for a client that left before its answer was complete; else the answer's.
   */
  public int status() {
    if (failure != null) return failure.status();
    if (outcome.stoppedByShutdown()) return 503;
    if (outcome.streamBroken()) return outcome.timedOut() ? 504 : 502;
    if (clientGone) return 499;
    return outcome.status();
  }

  /** What happened, in a word: ok, error, cut (a stream broken off), timeout, client_gone or shutdown. */
  public String outcomeName() {
    if (failure != null) return failure.status() == 504 ? "timeout" : "error";
    if (outcome.stoppedByShutdown()) return "shutdown";
    if (outcome.streamBroken()) return outcome.timedOut() ? "timeout" : "cut";
    if (clientGone) return "client_gone";
    return outcome.status() >= 400 ? "error" : "ok";
  }

  /** The failure's error code, or null. */
  public String errorCode() {
    return failure == null ? null : failure.code();
  }

  public String modelOrUnknown() {
    return route != null ? route.model() : "unknown";
  }

  public boolean streamed() {
    return api != null && api.stream();
  }
}
