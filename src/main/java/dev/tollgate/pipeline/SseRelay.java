package dev.tollgate.pipeline;

import dev.tollgate.billing.TokenCounter;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.ProducedText;
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
  private final long maxEventBytes;
  /** The text the model produced, counted a chunk at a time on a worker as the stream passes. */
  private final ProducedText produced = new ProducedText();
  private final String tokenizer;
  /** Chunks of the produced text being counted; the stream waits while more than one is. */
  private int counting;
  private Promise<Void> allCounted;
  private final Promise<Void> done = Promise.promise();
  private final long idleNanos;
  private long lastChunkNanos = System.nanoTime();
  /** The next check for an upstream gone silent, while the stream lasts. */
  private Deadlines.Deadline silence;
  private boolean firstEvent = true;
  /** Set when an event could not be relayed: nothing more is. */
  private boolean stopped;

  /**
   * @param idleMs the longest silence between the source's chunks before the upstream is aborted; 0: none
   * @param maxEventBytes the largest event held: an upstream event larger ends the stream as broken
   * @param translation how the source's events turn into the client's API, or null when they are in it already
   */
  SseRelay(RequestContext ctx, ReadStream<Buffer> source, Runnable onFirstEvent, long idleMs, long maxEventBytes,
      Translation translation) {
    this.ctx = ctx;
    this.source = source;
    this.client = ctx.response();
    this.maxEventBytes = maxEventBytes;
    ApiRequest observed = translation == null ? ctx.api() : translation.upstream();
    this.tokenizer = ctx.attempts().target() != null ? ctx.attempts().target().upstreamModel() : ctx.route().model();
    this.observer = observed.dialect().observe(observed, produced);
    this.translator = translation == null ? null : translation.events();
    this.tap = ctx.tap();
    this.onFirstEvent = onFirstEvent;
    this.idleNanos = idleMs * 1_000_000;
    ctx.outcome().stream(observer, this::producedTokens);
  }

  /** Completes when the client's response has ended or the client has gone (and no one follows). */
  Future<Void> run(OpenStreams streams) {
    streams.opened(this, Vertx.currentContext());
    done.future().onComplete(x -> streams.closed(this));
    if (idleNanos > 0) watchForSilence();
    client.drainHandler(v -> {
      if (counting <= 1) source.resume();
    });
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

  /**
   * A deadline on the event loop's wheel checks a few times per idle period whether the upstream went silent
   * (cheaper than a timer per event, and than a Vert.x periodic timer per stream), and sets the next check.
   */
  private void watchForSilence() {
    silence = Deadlines.after(silencePeriodMs(), this::checkSilence);
    done.future().onComplete(x -> silence.cancel());
  }

  private long silencePeriodMs() {
    return Math.max(50, idleNanos / 4_000_000);
  }

  private void checkSilence() {
    if (done.future().isComplete()) return;
    // a paused source is the client's slowness or the gateway's counting, not the upstream's silence
    if (counting > 1 || client.writeQueueFull()) {
      lastChunkNanos = System.nanoTime();
    } else if (System.nanoTime() - lastChunkNanos > idleNanos) {
      ctx.attempts().abort(new TimeoutException("no event from the upstream within server.idle-timeout"));
      return;
    }
    silence = Deadlines.after(silencePeriodMs(), this::checkSilence);
  }

  private void onChunk(Buffer chunk) {
    lastChunkNanos = System.nanoTime();
    if (stopped || ctx.clientGone() && !followed()) return;
    parser.feed(chunk, this::onEvent);
    if (parser.pending() > maxEventBytes) {
      // an event larger than the gateway holds: the stream ends as broken, the upstream call with it
      stopped = true;
      onBroken(null);
      ctx.attempts().cancel();
      return;
    }
    if (produced.full()) countAside();
    if (!ctx.clientGone() && client.writeQueueFull()) source.pause();
  }

  /**
   * Counts the produced text's words so far on a worker: a tokenizer counts a few MB per second, which must not
   * hold the event loop. While two chunks are being counted the stream waits (a model writes far slower than
   * this; only a flood of text meets it), so what is held stays bounded.
   */
  private void countAside() {
    String words = produced.takeWords();
    counting++;
    if (counting > 1) source.pause();
    Vertx.currentContext().executeBlocking(() -> (long) TokenCounter.count(tokenizer, words), false).onComplete(ar -> {
      if (ar.succeeded()) {
        produced.counted(ar.result());
      } else {
        log.warn("request {}: counting {} characters of the stream's text failed; the estimate leaves them out: {}",
            ctx.requestId(), words.length(), ar.cause().toString());
      }
      counting--;
      if (counting == 0 && allCounted != null) allCounted.tryComplete();
      if (counting <= 1 && !done.future().isComplete() && (ctx.clientGone() || !client.writeQueueFull())) source.resume();
    });
  }

  /** The tokens of all the text produced, once the counts under way are done: for an estimate. */
  private Future<Long> producedTokens() {
    Future<Void> ready = Future.succeededFuture();
    if (counting > 0) {
      allCounted = Promise.promise();
      ready = allCounted.future();
    }
    return ready.compose(v -> {
      String rest = produced.pending();
      if (rest.length() < 8 * 1024) return Future.succeededFuture(produced.countedTokens() + TokenCounter.count(tokenizer, rest));
      return Vertx.currentContext().executeBlocking(() -> produced.countedTokens() + TokenCounter.count(tokenizer, rest), false);
    });
  }

  private void onEvent(SseParser.Event e) {
    if (stopped) return;
    try {
      if (translator != null) {
        observer.relay(e.name(), e.data());
        translator.translate(e.name(), e.data(), (raw, visible) -> emit(Buffer.buffer(raw), visible));
        return;
      }
      emit(e.raw(), e.relayTo(observer));
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
