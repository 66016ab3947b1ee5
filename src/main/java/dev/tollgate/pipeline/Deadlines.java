package dev.tollgate.pipeline;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.ThreadExecutorMap;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Per-request timeouts (body read, first byte, total) on a timer wheel of each event loop's own, instead of a
 * Vert.x timer each: a request's deadlines are set and cancelled in constant time on its event loop, with no
 * other thread involved (a Vert.x timer and its cancellation cost ~2 % of a request's CPU under load; a wheel
 * on a thread of its own woke 100 times a second and handed every deadline across threads). The loop sweeps
 * its wheel only when a deadline falls due, or once a turn (1.28 s) while later ones are pending; with none
 * pending it schedules nothing. A deadline fires within {@link #TICK_MS} of its time (later only if its loop
 * is busy), on the context that set it, and never after it was cancelled.
 */
final class Deadlines {
  static final long TICK_MS = 10;
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MS);
  /** Slots of the wheel: one turn is 128 ticks (1.28 s); a later deadline waits in its slot for its turn. */
  static final int SLOTS = 128;
  private static final FastThreadLocal<Wheel> WHEELS = new FastThreadLocal<>();

  private Deadlines() {}

  /** One deadline; {@link #cancel()} on the event loop that set it. */
  static final class Deadline {
    private final Wheel wheel;
    private final Context context;
    private final Runnable action;
    private final long tick;
    private Deadline prev;
    private Deadline next;
    /** In its slot's list: neither fired nor cancelled yet. */
    private boolean linked;
    private boolean cancelled;

    private Deadline(Wheel wheel, Context context, Runnable action, long tick) {
      this.wheel = wheel;
      this.context = context;
      this.action = action;
      this.tick = tick;
    }

    void cancel() {
      if (!wheel.executor.inEventLoop()) {
        try {
          wheel.executor.execute(this::cancel);
        } catch (RejectedExecutionException stopped) {
          // the loop has shut down: its deadlines fire no more
        }
        return;
      }
      cancelled = true;
      if (linked) wheel.unlink(this);
    }
  }

  /** Runs {@code action} on the calling event loop's context in {@code delayMs} unless cancelled first. */
  static Deadline after(long delayMs, Runnable action) {
    Context context = Vertx.currentContext();
    EventExecutor executor = ThreadExecutorMap.currentExecutor();
    if (context == null || executor == null || !context.isEventLoopContext()) {
      throw new IllegalStateException("a deadline is set on an event loop");
    }
    Wheel wheel = WHEELS.get();
    if (wheel == null) {
      wheel = new Wheel(executor);
      WHEELS.set(wheel);
    }
    return wheel.add(context, action, Math.max(1, delayMs));
  }

  /** Pending deadlines on the calling thread's wheel (for tests). */
  static int pending() {
    Wheel wheel = WHEELS.get();
    return wheel == null ? 0 : wheel.pending;
  }

  /** One event loop's wheel: touched only on that loop. */
  private static final class Wheel {
    private final EventExecutor executor;
    private final long origin = System.nanoTime();
    private final Deadline[] heads = new Deadline[SLOTS];
    /** The last tick swept: deadlines due at ticks up to it have fired. */
    private long swept;
    private int pending;
    private ScheduledFuture<?> scheduled;
    private long scheduledTick = Long.MAX_VALUE;
    private final Runnable sweep = this::sweep;

    Wheel(EventExecutor executor) {
      this.executor = executor;
    }

    Deadline add(Context context, Runnable action, long delayMs) {
      // at most ~73,000 years ahead, so that no sum overflows (a longer one never fires either way)
      long due = System.nanoTime() - origin + Math.min(TimeUnit.MILLISECONDS.toNanos(delayMs), Long.MAX_VALUE / 4);
      // the first tick at or after the deadline (tick t ends at t * TICK_NANOS), never one already swept
      long tick = Math.max(swept + 1, (due + TICK_NANOS - 1) / TICK_NANOS);
      Deadline d = new Deadline(this, context, action, tick);
      int slot = (int) (tick % SLOTS);
      d.next = heads[slot];
      if (d.next != null) d.next.prev = d;
      heads[slot] = d;
      d.linked = true;
      pending++;
      sweepAt(tick);
      return d;
    }

    void unlink(Deadline d) {
      if (d.prev != null) d.prev.next = d.next;
      else heads[(int) (d.tick % SLOTS)] = d.next;
      if (d.next != null) d.next.prev = d.prev;
      d.prev = null;
      d.next = null;
      d.linked = false;
      pending--;
    }

    /** A sweep at the end of {@code tick}, unless one comes sooner. */
    private void sweepAt(long tick) {
      if (tick >= scheduledTick) return;
      if (scheduled != null) scheduled.cancel(false);
      scheduledTick = tick;
      long wait = tick * TICK_NANOS - (System.nanoTime() - origin);
      try {
        scheduled = executor.schedule(sweep, Math.max(0, wait), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException stopping) {
        scheduled = null; // the event loop is shutting down: its requests end with it
      }
    }

    private void sweep() {
      scheduled = null;
      scheduledTick = Long.MAX_VALUE;
      long now = (System.nanoTime() - origin) / TICK_NANOS;
      // each slot at most once: after a turn's worth of ticks every slot has been looked at
      for (long t = Math.max(swept + 1, now - SLOTS + 1); t <= now && pending > 0; t++) {
        Deadline d = heads[(int) (t % SLOTS)];
        while (d != null) {
          Deadline next = d.next;
          if (d.tick <= now) {
            unlink(d);
            Deadline due = d;
            due.context.runOnContext(v -> {
              if (!due.cancelled) due.action.run();
            });
          }
          d = next;
        }
      }
      swept = Math.max(swept, now);
      if (pending > 0) sweepAt(nextDue(now));
    }

    /** The first tick after {@code now} with a deadline due, or a turn on when none is due within one. */
    private long nextDue(long now) {
      for (long t = now + 1; t <= now + SLOTS; t++) {
        for (Deadline d = heads[(int) (t % SLOTS)]; d != null; d = d.next) {
          if (d.tick == t) return t;
        }
      }
      return now + SLOTS;
    }
  }
}
