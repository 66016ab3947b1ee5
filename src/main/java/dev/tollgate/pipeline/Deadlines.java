package dev.tollgate.pipeline;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * Per-request timeouts (body read, first byte, total) on one timer wheel shared by the process, instead of a
 * Vert.x timer each: a request's deadlines are set and cancelled in constant time without touching its event
 * loop's scheduled-task queue (a Vert.x timer and its cancellation cost ~2 % of a request's CPU under load).
 * A deadline fires within {@link #TICK_MS} of its time, on the event loop that set it, and never after it was
 * cancelled there.
 */
final class Deadlines {
  static final long TICK_MS = 10;
  private static final HashedWheelTimer WHEEL = new HashedWheelTimer(r -> {
    Thread t = new Thread(r, "tollgate-deadlines");
    t.setDaemon(true);
    return t;
  }, TICK_MS, TimeUnit.MILLISECONDS, 1024);

  private Deadlines() {}

  /** One deadline; {@link #cancel()} on the event loop that set it. */
  static final class Deadline implements TimerTask {
    private final Context context;
    private final Runnable action;
    private Timeout timeout;
    private boolean cancelled; // the event loop's own

    private Deadline(Context context, Runnable action) {
      this.context = context;
      this.action = action;
    }

    @Override
    public void run(Timeout expired) {
      context.runOnContext(v -> {
        if (!cancelled) action.run();
      });
    }

    void cancel() {
      cancelled = true;
      timeout.cancel();
    }
  }

  /** Runs {@code action} on the calling event loop in {@code delayMs} unless cancelled first. */
  static Deadline after(long delayMs, Runnable action) {
    Context context = Vertx.currentContext();
    if (context == null) throw new IllegalStateException("a deadline is set on an event loop");
    Deadline d = new Deadline(context, action);
    d.timeout = WHEEL.newTimeout(d, Math.max(1, delayMs), TimeUnit.MILLISECONDS);
    return d;
  }
}
