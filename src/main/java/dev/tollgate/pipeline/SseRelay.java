package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.StreamObserver;
import dev.tollgate.wire.Translation;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import java.util.concurrent.TimeoutException;

/**
 * Relays an event stream to the client event by event, as each arrives: no buffering or coalescing, the
 * source paused while the client's write queue is full. The dialect's observer reads usage and text as
 * events pass (and hides the usage event the gateway asked for on the client's behalf); events from a provider
 * speaking another API are observed in its shape and translated into the client's one by one; a stream that
 * breaks before its last event ends with the dialect's error event, never a clean-looking end. A tap, if
 * the request has one, sees every event; while others follow it, the stream is read to its end even after
 * the client left.
 */
final class SseRelay {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SseRelay.class);
  private final RequestContext ctx;
  private final ReadStream<Buffer> source;
  private final HttpServerResponse client;
  private final StreamObserver observer;
  private final Translation.Events translator;
  private final AnswerTap tap;
  private final Runnable onFirstEvent;
  private final SseParser parser = new SseParser();
  private final Promise<Void> done = Promise.promise();
  private final long idleNanos;
  private long lastChunkNanos = System.nanoTime();
  private boolean firstEvent = true;
  /** Set when an event could not be relayed: nothing more is. */
  private boolean stopped;

  /**
   * @param idleMs the longest silence between the source's chunks before the upstream is aborted; 0: none
   * @param translation how the source's events turn into the client's API, or null when they are in it already
   */
  SseRelay(RequestContext ctx, ReadStream<Buffer> source, Runnable onFirstEvent, long idleMs, Translation translation) {
    this.ctx = ctx;
    this.source = source;
    this.client = ctx.response();
    ApiRequest observed = translation == null ? ctx.api() : translation.upstream();
    this.observer = observed.dialect().observe(observed);
    this.translator = translation == null ? null : translation.events();
    this.tap = ctx.tap();
    this.onFirstEvent = onFirstEvent;
    this.idleNanos = idleMs * 1_000_000;
    ctx.outcome().stream(observer);
  }

  /** Completes when the client's response has ended or the client has gone (and no one follows). */
  Future<Void> run(OpenStreams streams) {
    streams.opened(this, Vertx.currentContext());
    done.future().onComplete(x -> streams.closed(this));
    if (idleNanos > 0) watchForSilence();
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

  /** A timer checks a few times per idle period whether the upstream went silent (cheaper than one timer per event). */
  private void watchForSilence() {
    Vertx vertx = Vertx.currentContext().owner();
    long period = Math.max(50, idleNanos / 4_000_000);
    long timer = vertx.setPeriodic(period, id -> {
      // a paused source is the client's slowness, not the upstream's silence
      if (!client.writeQueueFull() && System.nanoTime() - lastChunkNanos > idleNanos) {
        ctx.attempts().abort(new TimeoutException("no event from the upstream within server.idle-timeout"));
      }
    });
    done.future().onComplete(x -> vertx.cancelTimer(timer));
  }

  private void onChunk(Buffer chunk) {
    lastChunkNanos = System.nanoTime();
    if (stopped || ctx.clientGone() && !followed()) return;
    parser.feed(chunk, this::onEvent);
    if (!ctx.clientGone() && client.writeQueueFull()) source.pause();
  }

  private void onEvent(SseParser.Event e) {
    if (stopped) return;
    try {
      if (translator != null) {
        observer.relay(e.name(), e.data());
        translator.translate(e.name(), e.data(), (raw, visible) -> emit(Buffer.buffer(raw), visible));
        return;
      }
      emit(e.raw(), observer.relay(e.name(), e.data()));
    } catch (RuntimeException unreadable) {
      // an event the gateway cannot read or translate: the client gets the error event, the upstream call ends
      log.warn("request {}: cannot relay an upstream event: {}", ctx.requestId(), unreadable.toString());
      stopped = true;
      onBroken(null);
      ctx.attempts().cancel();
    }
  }

  /** An event in the client's API: recorded, and relayed unless the client must not see it. */
  private void emit(Buffer event, boolean visible) {
    if (tap != null) tap.event(event);
    if (ctx.clientGone() || !visible) return;
    Buffer e = event;
    if (firstEvent) {
      firstEvent = false;
      ctx.outcome().firstEvent(System.nanoTime());
      onFirstEvent.run();
    }
    client.write(e);
  }

  private void onBroken(Throwable cause) {
    if (ctx.clientGone()) {
      done.tryComplete();
      return;
    }
    if (done.future().isComplete()) return;
    boolean timeout = cause != null && UpstreamStage.isTimeout(cause);
    ctx.outcome().broken(timeout);
    GatewayFailure why = timeout ? GatewayFailure.upstreamTimeout(provider()) : GatewayFailure.streamBroken();
    client.write(Buffer.buffer(ctx.api().dialect().errorEvent(ctx.api(), why)));
    finish();
  }

  /** The gateway is stopping and this stream outlived its grace: the client gets the error event and a clean end. */
  void stopForShutdown() {
    if (done.future().isComplete()) return;
    ctx.outcome().markStoppedByShutdown();
    if (!ctx.clientGone() && !client.ended() && !client.closed()) {
      client.write(Buffer.buffer(ctx.api().dialect().errorEvent(ctx.api(), GatewayFailure.shuttingDown())));
    }
    finish();
    // after finish: the reset's own failure finds the relay done and adds no event of its own
    ctx.attempts().cancel();
  }

  private String provider() {
    return ctx.attempts().target() == null ? "upstream" : ctx.attempts().target().provider();
  }

  private void finish() {
    if (!client.ended() && !client.closed()) client.end();
    done.tryComplete();
  }
}
