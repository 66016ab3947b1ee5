package dev.tollgate.pipeline;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.List;

/** Events already at hand (a cached answer's replay) as a stream that honours pause and resume, like an upstream's. */
final class ReplayStream implements ReadStream<Buffer> {
  private final Context context;
  private final List<byte[]> events;
  private int next;
  private boolean paused;
  private boolean ended;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;

  ReplayStream(Context context, List<byte[]> events) {
    this.context = context;
    this.events = events;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.handler = handler;
    if (handler != null) context.runOnContext(v -> pump());
    return this;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
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
      context.runOnContext(v -> pump());
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
    while (!paused && handler != null && next < events.size()) handler.handle(Buffer.buffer(events.get(next++)));
    if (!paused && next == events.size() && !ended && endHandler != null) {
      ended = true;
      endHandler.handle(null);
    }
  }
}
