package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event loops' deadline wheels: on time, on the right context, never after a cancel, nothing left behind. */
class DeadlinesTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** Runs {@code body} on an event loop context and waits for it. */
  private <T> T onLoop(Context context, java.util.concurrent.Callable<T> body) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        result.complete(body.call());
      } catch (Exception e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void a_deadline_fires_once_its_time_is_up_on_the_context_that_set_it() throws Exception {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Long> fired = new CompletableFuture<>();
    AtomicInteger runs = new AtomicInteger();
    long set = onLoop(context, () -> {
      long now = System.nanoTime();
      Deadlines.after(120, () -> {
        runs.incrementAndGet();
        if (Vertx.currentContext() == context) fired.complete(System.nanoTime());
        else fired.completeExceptionally(new AssertionError("fired on another context: " + Vertx.currentContext()));
      });
      return now;
    });

    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(fired.get(10, TimeUnit.SECONDS) - set);
    assertThat(elapsedMs).isBetween(120L, 120L + 1000L);
    assertThat(runs).hasValue(1);
    assertThat(onLoop(context, Deadlines::pending)).isZero();
  }

  @Test
  void a_cancelled_deadline_never_fires_even_when_cancelled_from_another_thread_nor_one_far_ahead() throws Exception {
    Context context = vertx.getOrCreateContext();
    AtomicInteger cancelledRuns = new AtomicInteger();
    CountDownLatch later = new CountDownLatch(1);
    List<Deadlines.Deadline> set = onLoop(context, () -> List.of(
        Deadlines.after(30, cancelledRuns::incrementAndGet),
        Deadlines.after(60, cancelledRuns::incrementAndGet)));
    set.get(0).cancel(); // from this test thread: handed to the loop
    onLoop(context, () -> {
      set.get(1).cancel();
      // a deadline too far ahead to add to a clock without overflowing: never due
      Deadlines.after(Long.MAX_VALUE, cancelledRuns::incrementAndGet);
      Deadlines.after(200, later::countDown); // set after the others: once it fired, they would have had their turn
      return null;
    });

    assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(cancelledRuns).hasValue(0);
    assertThat(onLoop(context, Deadlines::pending)).as("the far one waits").isOne();
  }

  @Test
  void many_deadlines_over_several_turns_of_the_wheel_each_fire_once_and_none_early() throws Exception {
    Context context = vertx.getOrCreateContext();
    Random random = new Random(7);
    int count = 400;
    long turnMs = Deadlines.SLOTS * Deadlines.TICK_MS;
    Map<Integer, Long> early = new ConcurrentHashMap<>();
    Map<Integer, Integer> runs = new ConcurrentHashMap<>();
    CountDownLatch all = new CountDownLatch(count / 2);
    List<Deadlines.Deadline> cancelLater = new ArrayList<>();
    onLoop(context, () -> {
      for (int i = 0; i < count; i++) {
        int id = i;
        // up to two and a half turns away: a deadline waits in its slot while the wheel passes it
        long delay = 1 + random.nextInt((int) (turnMs * 5 / 2));
        long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
        Deadlines.Deadline d = Deadlines.after(delay, () -> {
          runs.merge(id, 1, Integer::sum);
          if (System.nanoTime() < due) early.put(id, due - System.nanoTime());
          all.countDown();
        });
        if (i % 2 == 1) cancelLater.add(d); // the odd ones are cancelled at once
      }
      cancelLater.forEach(Deadlines.Deadline::cancel);
      return null;
    });

    assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
    // the last one had its turn: nothing else is due, and none is left on the wheel
    assertThat(onLoop(context, Deadlines::pending)).isZero();
    assertThat(early).isEmpty();
    assertThat(runs.keySet()).allMatch(id -> id % 2 == 0).hasSize(count / 2);
    assertThat(runs.values()).containsOnly(1);
  }

  @Test
  void a_deadline_is_set_on_an_event_loop_only() {
    assertThatThrownBy(() -> Deadlines.after(10, () -> { })).isInstanceOf(IllegalStateException.class);
  }
}
