package dev.tollgate.mock;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;

/**
 * One request's answer, a JSON body or a stream of events paced by its behaviour (interval, cut, the reader's
 * backpressure); it tracks whether the client went away before the answer was complete.
 */
final class MockExchange {
  private static final int BURST = 256;

  private final Vertx vertx;
  private final MockStats stats;
  final HttpServerRequest req;
  final HttpServerResponse resp;
  private boolean done;
  private boolean closed;

  MockExchange(Vertx vertx, MockStats stats, HttpServerRequest req) {
    this.vertx = vertx;
    this.stats = stats;
    this.req = req;
    this.resp = req.response();
    stats.enter();
    resp.closeHandler(v -> {
      closed = true;
      if (!done) {
        done = true;
        stats.resets.incrementAndGet();
        stats.active.decrementAndGet();
      }
    });
  }

  boolean closed() {
    return closed;
  }

  private void complete() {
    if (!done) {
      done = true;
      stats.active.decrementAndGet();
    }
  }

  void finish(int status, JsonObject body) {
    complete();
    resp.setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  void stream(Iterator<Buffer> events, MockBehaviour b) {
    resp.setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8").putHeader("cache-control", "no-cache");
    next(events, 0, b);
  }

  private void next(Iterator<Buffer> events, int sent, MockBehaviour b) {
    int i = sent;
    for (int burst = 0; !closed; burst++) {
      if (!events.hasNext()) {
        complete();
        resp.end();
        return;
      }
      if (i == b.cutAfter()) {
        complete();
        req.connection().close();
        return;
      }
      Buffer e = events.next();
      i++;
      stats.streamBytesWritten.addAndGet(e.length());
      resp.write(e);
      int from = i;
      if (b.intervalMs() > 0 && events.hasNext()) {
        vertx.setTimer(b.intervalMs(), t -> next(events, from, b));
        return;
      }
      if (resp.writeQueueFull()) {
        stats.writeStalls.incrementAndGet();
        resp.drainHandler(v -> next(events, from, b));
        return;
      }
      // a fast reader never fills the queue: let other requests on this event loop in now and then
      if (burst == BURST) {
        vertx.runOnContext(v -> next(events, from, b));
        return;
      }
    }
  }

  /** A 429's {@code retry-after} in seconds: {@code x-mock-retry-after} when the request sends a number, else 1. */
  String retryAfter() {
    String asked = req.getHeader("x-mock-retry-after");
    return asked != null && asked.matches("[0-9]{1,4}") ? asked : "1";
  }
}
