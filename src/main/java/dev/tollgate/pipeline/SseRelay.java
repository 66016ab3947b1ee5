package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.StreamObserver;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;

/**
 * Relays an event stream to the client event by event, as each arrives: no buffering or coalescing, the
 * source paused while the client's write queue is full. The dialect's observer reads usage and text as
 * events pass (and hides the usage event the gateway asked for on the client's behalf); a stream that
 * breaks before its last event ends with the dialect's error event, never a clean-looking end. A tap, if
 * the request has one, sees every event; while others follow it, the stream is read to its end even after
 * the client left.
 */
final class SseRelay {
  private final RequestContext ctx;
  private final ReadStream<Buffer> source;
  private final HttpServerResponse client;
  private final StreamObserver observer;
  private final AnswerTap tap;
  private final Runnable onFirstEvent;
  private final SseParser parser = new SseParser();
  private final Promise<Void> done = Promise.promise();
  private boolean firstEvent = true;

  SseRelay(RequestContext ctx, ReadStream<Buffer> source, Runnable onFirstEvent) {
    this.ctx = ctx;
    this.source = source;
    this.client = ctx.response();
    this.observer = ctx.api().dialect().observe(ctx.api());
    this.tap = ctx.tap();
    this.onFirstEvent = onFirstEvent;
    ctx.outcome().stream(observer);
  }

  /** Completes when the client's response has ended or the client has gone (and no one follows). */
  Future<Void> run() {
    client.drainHandler(v -> source.resume());
    source.handler(this::onChunk);
    source.exceptionHandler(this::onBroken);
    source.endHandler(v -> {
      if (!observer.ended()) {
        onBroken(null);
        return;
      }
      if (tap != null) tap.complete();
      finish();
    });
    return done.future();
  }

  /** Called when the client goes away: the upstream stage resets the upstream request, unless others follow it. */
  void clientGone() {
    if (!followed()) done.tryComplete();
    else source.resume();
  }

  private boolean followed() {
    return tap != null && tap.followed();
  }

  private void onChunk(Buffer chunk) {
    if (ctx.clientGone() && !followed()) return;
    parser.feed(chunk, this::onEvent);
    if (!ctx.clientGone() && client.writeQueueFull()) source.pause();
  }

  private void onEvent(SseParser.Event e) {
    if (tap != null) tap.event(e.raw());
    boolean show = observer.relay(e.name(), e.data());
    if (ctx.clientGone() || !show) return;
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
    client.write(Buffer.buffer(ctx.api().dialect().errorEvent(ctx.api(), GatewayFailure.streamBroken())));
    finish();
  }

  private void finish() {
    if (!client.ended() && !client.closed()) client.end();
    done.tryComplete();
  }
}
