package dev.tollgate.pipeline;

import dev.tollgate.route.RouteTarget;
import dev.tollgate.wire.Translation;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/** The upstream attempts of one request, written by the upstream stage: which target, when, and the answer. */
public final class Attempts {
  private RouteTarget target;
  private int count;
  private long sentNanos;
  private long headersNanos;
  private HttpClientRequest inFlight;
  private HttpClientResponse answer;
  private Translation translation;

  /** The target tried last (the one that answered, if any); null before the first attempt. */
  public RouteTarget target() { return target; }
  public int count() { return count; }
  /** When the last request was sent upstream, or 0 if none was. */
  public long sentNanos() { return sentNanos; }
  /** When the answering upstream's headers arrived, or 0. */
  public long headersNanos() { return headersNanos; }
  /** The upstream response the relay passes on. */
  public HttpClientResponse answer() { return answer; }
  /** How the answer turns into the client's API, when its provider speaks another; else null. */
  public Translation translation() { return translation; }

  void trying(RouteTarget target) {
    this.target = target;
    count++;
  }

  void sent(HttpClientRequest request) {
    inFlight = request;
    sentNanos = System.nanoTime();
  }

  void headers(long nanos) {
    headersNanos = nanos;
  }

  void answered(HttpClientResponse response, Translation translation) {
    this.answer = response;
    this.translation = translation;
  }

  /** Resets the upstream request in flight, if any: the client is gone. */
  void cancel() {
    HttpClientRequest r = inFlight;
    if (r != null) r.reset();
  }

  /** Resets the upstream request in flight, if any, failing it with {@code cause} (a timeout of the gateway's). */
  void abort(Throwable cause) {
    HttpClientRequest r = inFlight;
    if (r != null) r.reset(0, cause);
  }
}
