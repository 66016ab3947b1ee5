package dev.tollgate.pipeline;

import dev.tollgate.cache.Flight;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A follower's view of an identical request's stream in flight: the events it already has, then the live
 * ones as the leader relays them, read on the follower's own event loop and at its client's pace. A flight
 * that lands ends the stream; one that fails breaks it (the client gets the error event).
 */
final class FlightStream implements ReadStream<Buffer> {
  private final Context context;
  private final Flight flight;
  private final Runnable wake;
  private int position;
  private boolean paused;
  private boolean ended;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  FlightStream(Context context, Flight flight) {
    this.context = context;
    this.flight = flight;
    this.wake = () -> context.runOnContext(v -> pump());
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.handler = handler;
    if (handler != null) {
      flight.watch(wake);
      wake.run();
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    paused = true;
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    if (paused) {
      paused = false;
      wake.run();
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    return resume();
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  private void pump() {
    if (ended || handler == null) return;
    Flight.View view = flight.read(position);
    for (Buffer event : view.events()) {
      if (paused) return;
      position++;
      handler.handle(event);
    }
    // a flight that has ended gets no more events: this view held the last of them
    if (paused || view.state() == Flight.State.FLYING) return;
    ended = true;
    flight.unwatch(wake);
    if (view.state() == Flight.State.LANDED) {
      if (endHandler != null) endHandler.handle(null);
    } else if (exceptionHandler != null) {
      exceptionHandler.handle(new IllegalStateException("the stream this request followed broke"));
    }
  }
}
