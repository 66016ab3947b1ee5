package dev.tollgate.pipeline;

import dev.tollgate.wire.StreamObserver;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/**
 * Relays an upstream event stream to the client event by event, as each arrives: no buffering or
 * coalescing, the upstream paused while the client's write queue is full. The dialect's observer reads
 * usage and text as events pass (and hides the usage event the gateway asked for on the client's
 * behalf); a stream that breaks before its last event ends with the dialect's error event, never a
 * clean-looking end.
 */
final class SseRelay {
  private final RequestContext ctx;
  private final HttpClientResponse upstream;
  private final HttpServerResponse client;
  private final StreamObserver observer;
  private final Runnable onFirstEvent;
  private final SseParser parser = new SseParser();
  private final Promise<Void> done = Promise.promise();
  private boolean firstEvent = true;

  SseRelay(RequestContext ctx, HttpClientResponse upstream, Runnable onFirstEvent) {
    this.ctx = ctx;
    this.upstream = upstream;
    this.client = ctx.response();
    this.observer = ctx.api().dialect().observe(ctx.api());
    this.onFirstEvent = onFirstEvent;
    ctx.outcome().stream(observer);
  }

  /** Completes when the client's response has ended or the client has gone. */
  Future<Void> run() {
    client.drainHandler(v -> upstream.resume());
    upstream.handler(this::onChunk);
    upstream.exceptionHandler(this::onBroken);
    upstream.endHandler(v -> {
      if (observer.ended()) finish();
      else onBroken(null);
    });
    return done.future();
  }

  /** Called when the client goes away: the upstream stage resets the upstream request. */
  void clientGone() {
    done.tryComplete();
  }

  private void onChunk(Buffer chunk) {
    if (ctx.clientGone()) return;
    parser.feed(chunk, this::onEvent);
    if (client.writeQueueFull()) upstream.pause();
  }

  private void onEvent(SseParser.Event e) {
    if (ctx.clientGone()) return;
    if (!observer.relay(e.name(), e.data())) return;
    if (firstEvent) {
      firstEvent = false;
      ctx.outcome().firstEvent(System.nanoTime());
      onFirstEvent.run();
    }
    client.write(e.raw());
  }

  private void onBroken(Throwable cause) {
    if (ctx.clientGone()) {
      done.tryComplete();
      return;
    }
    if (done.future().isComplete()) return;
    ctx.outcome().broken(cause != null && UpstreamStage.isTimeout(cause));
    client.write(Buffer.buffer(ctx.api().dialect().brokenStreamEvent(ctx.api())));
    finish();
  }

  private void finish() {
    if (!client.ended() && !client.closed()) client.end();
    done.tryComplete();
  }
}
