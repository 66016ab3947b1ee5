package dev.tollgate.billing;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes usage events to the store asynchronously, in batches (by size or interval), on a worker
 * thread of its own. While the store is down, events wait in a bounded buffer and the batch is
 * retried with backoff; an event that does not fit is counted and logged loudly, never dropped
 * silently. Shutdown flushes everything.
 */
public final class Ledger {
  private static final Logger log = LoggerFactory.getLogger(Ledger.class);
  private static final long MAX_BACKOFF_MS = 5_000;
  /**
   * Records that wake the writer, at most: writes stay short bursts of CPU while the load is light (a
   * long one holds a core an event loop may wake up for), and grow to a batch as the load rises.
   */
  private static final int TRICKLE = 100;

  private final Vertx vertx;
  private final UsageRecords store;
  private final GatewayConfig.Billing config;
  private final Clock clock;
  private final WorkerExecutor writer;
  private final int trickle;
  private final ConcurrentLinkedQueue<UsageEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicBoolean writing = new AtomicBoolean();
  private final GatewayMetrics metrics;
  private List<UsageEvent> retry; // the batch that failed last; touched only by the writer thread
  private volatile long backoffMs;
  private volatile long retryAtNanos;
  private volatile long lastDropLogNanos;
  private long flushTimer = -1;
  private long pruneTimer = -1;

  public Ledger(Vertx vertx, UsageRecords store, GatewayConfig.Billing config, GatewayMetrics metrics, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.config = config;
    this.clock = clock;
    this.writer = vertx.createSharedWorkerExecutor("tollgate-ledger", 1);
    this.trickle = Math.min(TRICKLE, config.batchSize());
    this.metrics = metrics;
    metrics.ledgerPending(pending::get);
  }

  public void start() {
    flushTimer = vertx.setPeriodic(config.flushInterval().toMillis(), t -> kick());
    pruneTimer = vertx.setPeriodic(Duration.ofHours(1).toMillis(), t -> prune());
  }

  /** Queues an event; never blocks. */
  public void record(UsageEvent event) {
    if (pending.incrementAndGet() > config.bufferLimit()) {
      pending.decrementAndGet();
      metrics.ledgerDropped();
      long now = System.nanoTime();
      if (now - lastDropLogNanos > 1_000_000_000L) {
        lastDropLogNanos = now;
        log.error("LEDGER BUFFER FULL ({} records waiting): usage record {} for team {} was NOT recorded; "
            + "the store has been failing, see tollgate_ledger_dropped_total", config.bufferLimit(), event.requestId(), event.teamId());
      }
      return;
    }
    queue.add(event);
    if (pending.get() >= trickle) kick();
  }

  /**
   * Whether so many records wait that new requests should be turned away: at half the buffer, the
   * gateway sheds load (503) rather than risk records it could not keep.
   */
  public boolean backlogged() {
    return pending.get() > config.bufferLimit() / 2;
  }

  /** Records waiting to be written (including a batch being retried). */
  public int pending() {
    return pending.get();
  }

  /** Starts writing on the writer thread unless it is busy or backing off; one batch per task, then again if more wait. */
  private void kick() {
    if (System.nanoTime() - retryAtNanos < 0) return;
    if (!writing.compareAndSet(false, true)) return;
    writer.executeBlocking(this::writeOneBatch, false).onComplete(ar -> {
      writing.set(false);
      if (ar.succeeded() && ar.result() && pending.get() >= trickle) kick();
    });
  }

  /** Writes batches until nothing is pending or a write fails; for shutdown. */
  private boolean writeWhatIsPending() {
    while (pending.get() > 0 || retry != null) {
      if (!writeOneBatch()) return false;
    }
    return true;
  }

  /** Writes the next batch (a failed one first); false if the store refused it. Runs on the writer thread. */
  private boolean writeOneBatch() {
    List<UsageEvent> batch = retry != null ? retry : nextBatch();
    if (batch.isEmpty()) return true;
    try {
      store.write(batch);
    } catch (Exception e) {
      retry = batch;
      metrics.ledgerWriteFailure();
      backoffMs = backoffMs == 0 ? 250 : Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      retryAtNanos = System.nanoTime() + backoffMs * 1_000_000;
      log.warn("cannot write {} usage records ({} waiting); retrying in {} ms: {}", batch.size(), pending.get(), backoffMs,
          e.toString());
      return false;
    }
    if (retry != null) log.info("usage records are being written again after a store failure");
    retry = null;
    backoffMs = 0;
    retryAtNanos = 0;
    pending.addAndGet(-batch.size());
    metrics.ledgerWritten(batch.size());
    return true;
  }

  private List<UsageEvent> nextBatch() {
    List<UsageEvent> batch = new ArrayList<>(Math.min(config.batchSize(), Math.max(pending.get(), 1)));
    UsageEvent e;
    while (batch.size() < config.batchSize() && (e = queue.poll()) != null) batch.add(e);
    return batch;
  }

  /**
   * Writes everything pending, retrying until done or the time is up; for shutdown. Records still
   * pending after that are reported loudly.
   */
  public Future<Void> flush(Duration timeout) {
    if (flushTimer >= 0) vertx.cancelTimer(flushTimer);
    if (pruneTimer >= 0) vertx.cancelTimer(pruneTimer);
    long deadline = System.nanoTime() + timeout.toNanos();
    // the writer has one thread, so this runs after any write in progress
    return writer.executeBlocking(() -> {
      while (!writeWhatIsPending() && System.nanoTime() < deadline) {
        Thread.sleep(Math.min(backoffMs, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      }
      if (pending.get() > 0) {
        log.error("SHUTDOWN WITH {} USAGE RECORDS UNWRITTEN: the store did not accept them within {}", pending.get(), timeout);
      }
      return null;
    }, false);
  }

  private void prune() {
    store.prune(clock.instant().minus(config.retention()))
        .onSuccess(n -> {
          if (n > 0) log.info("pruned {} usage records older than {}", n, config.retention());
        })
        .onFailure(e -> log.warn("cannot prune old usage records: {}", e.toString()));
  }

  public Future<Void> close() {
    return writer.close();
  }
}
