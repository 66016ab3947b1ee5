package dev.tollgate.billing;

import dev.tollgate.billing.LedgerJournal.Entry;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.core.BenchSwitches;
import dev.tollgate.core.Saturating;
import dev.tollgate.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes usage events to the store asynchronously, in batches (by size or interval), on a worker
 * thread of its own, after a local journal (when configured) has them. While the store fails, events
 * wait in a bounded buffer and the batch is retried with backoff until the store takes it; an event that
 * does not fit is counted and logged loudly, never dropped silently. Shutdown flushes everything.
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
  private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicBoolean writing = new AtomicBoolean();
  private final ConcurrentHashMap<String, AtomicLong> unwrittenCost = new ConcurrentHashMap<>();
  private final AtomicLong droppedSinceLog = new AtomicLong();
  private final GatewayMetrics metrics;
  private LedgerJournal journal;
  private List<Entry> retry; // the batch that failed last; touched only by the writer thread
  private volatile boolean failing;
  private volatile long failingSinceNanos;
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

  /**
   * Opens the journal (when {@code billing.journal} names one), queues the records that gateways killed
   * before writing them left there, and starts the timed writes.
   */
  public Future<Void> start() {
    Future<Void> opened = config.journal() == null ? Future.succeededFuture() : writer.executeBlocking(() -> {
      journal = LedgerJournal.open(config.journal(), metrics);
      List<Entry> recovered = journal.takeOver();
      if (!recovered.isEmpty()) {
        log.info("ledger journal: {} usage records from the journal of a gateway that stopped; writing them now (those "
            + "already in the store are not added twice)", recovered.size());
        recovered.forEach(e -> addUnwritten(e.event()));
        pending.addAndGet(recovered.size());
        queue.addAll(recovered);
      }
      journal.start(this::journaled);
      log.info("ledger journal: {}", journal.directory());
      return null;
    }, false);
    return opened.map(x -> {
      flushTimer = vertx.setPeriodic(config.flushInterval().toMillis(), t -> kick());
      pruneTimer = vertx.setPeriodic(Duration.ofHours(1).toMillis(), t -> prune());
      return null;
    }).compose(v -> queue.isEmpty() ? Future.succeededFuture() : writer.executeBlocking(() -> {
      // what a killed gateway left, all of it before start-up goes on: its segments hold records already in the store
      // too, which unwrittenCost would count twice in the budgets seeded next
      if (!writeWhatIsQueued()) log.warn("the journal's records will be written once the store takes them");
      return null;
    }, false).mapEmpty());
  }

  /** Queues an event; never blocks. */
  public void record(UsageEvent event) {
    if (pending.incrementAndGet() > config.bufferLimit()) {
      pending.decrementAndGet();
      dropped(event);
      return;
    }
    addUnwritten(event);
    if (journal != null && !BenchSwitches.JOURNAL.off()) {
      journal.append(event);
    } else {
      queue.add(new Entry(event, null));
      if (pending.get() >= trickle) kick();
    }
  }

  private void journaled(List<Entry> entries) {
    queue.addAll(entries);
    if (pending.get() >= trickle) kick();
  }

  private void dropped(UsageEvent event) {
    metrics.ledgerDropped();
    long lost = droppedSinceLog.incrementAndGet();
    long now = System.nanoTime();
    if (now - lastDropLogNanos > 1_000_000_000L) {
      lastDropLogNanos = now;
      droppedSinceLog.addAndGet(-lost);
      log.error("LEDGER BUFFER FULL ({} records waiting): {} usage records, the last {} for team {}, were NOT recorded; "
          + "the store has been failing, see tollgate_ledger_dropped_total", config.bufferLimit(), lost, event.requestId(),
          event.teamId());
    }
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

  /** Whether the last write to the store failed: records wait until a retry succeeds. */
  public boolean storeFailing() {
    return failing;
  }

  /** A team's cost in records not yet in the store (nano-USD), to add to what the store says it spent. */
  public long unwrittenCost(String teamId) {
    AtomicLong cost = unwrittenCost.get(teamId);
    return cost == null ? 0 : cost.get();
  }

  private void addUnwritten(UsageEvent e) {
    if (e.costNanos() > 0) unwrittenCost.computeIfAbsent(e.teamId(), k -> new AtomicLong()).accumulateAndGet(e.costNanos(), Saturating::add);
  }

  /** Starts writing on the writer thread unless it is busy or backing off; one batch per task, then again if more wait. */
  private void kick() {
    if (System.nanoTime() - retryAtNanos < 0) return;
    if (!writing.compareAndSet(false, true)) return;
    writer.executeBlocking(this::writeOneBatch, false).onComplete(ar -> {
      writing.set(false);
      if (ar.succeeded() && ar.result() && pending.get() >= trickle && !queue.isEmpty()) kick();
    });
  }

  /** Writes batches until nothing waits in the queue or a write fails; for shutdown. */
  private boolean writeWhatIsQueued() {
    while (!queue.isEmpty() || retry != null) {
      if (!writeOneBatch()) return false;
    }
    return true;
  }

  /** Writes the next batch (a failed one first); false if the store refused it. Runs on the writer thread. */
  private boolean writeOneBatch() {
    List<Entry> batch = retry != null ? retry : nextBatch();
    if (batch.isEmpty()) return true;
    List<UsageEvent> events = new ArrayList<>(batch.size());
    for (Entry e : batch) events.add(e.event());
    try {
      if (!BenchSwitches.STORE.off()) store.write(events);
    } catch (Exception e) {
      retry = batch;
      failed(e, batch.size());
      return false;
    }
    if (failing) {
      log.info("usage records are being written again after {} s of store failure ({} waiting)",
          (System.nanoTime() - failingSinceNanos) / 1_000_000_000L, pending.get() - batch.size());
    }
    retry = null;
    failing = false;
    backoffMs = 0;
    retryAtNanos = 0;
    pending.addAndGet(-batch.size());
    metrics.ledgerWritten(batch.size());
    LedgerJournal.written(batch);
    for (UsageEvent e : events) {
      if (e.costNanos() > 0) unwrittenCost.get(e.teamId()).addAndGet(-e.costNanos());
    }
    return true;
  }

  private void failed(Exception e, int batchSize) {
    metrics.ledgerWriteFailure();
    backoffMs = backoffMs == 0 ? 250 : Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    retryAtNanos = System.nanoTime() + backoffMs * 1_000_000;
    if (!failing) {
      failing = true;
      failingSinceNanos = System.nanoTime();
      log.error("STORE FAILING: cannot write {} usage records ({} waiting, at most {} are kept); retrying with backoff "
          + "until the store takes them", batchSize, pending.get(), config.bufferLimit(), e);
    } else {
      log.warn("cannot write {} usage records ({} waiting); retrying in {} ms: {}", batchSize, pending.get(), backoffMs, e.toString());
    }
  }

  private List<Entry> nextBatch() {
    List<Entry> batch = new ArrayList<>(Math.min(config.batchSize(), Math.max(pending.get(), 1)));
    Entry e;
    while (batch.size() < config.batchSize() && (e = queue.poll()) != null) batch.add(e);
    return batch;
  }

  /**
   * Writes everything pending, retrying until done or the time is up; for shutdown. Records still
   * pending after that are reported loudly (and stay in the journal, if there is one, for the next start).
   */
  public Future<Void> flush(Duration timeout) {
    if (flushTimer >= 0) vertx.cancelTimer(flushTimer);
    if (pruneTimer >= 0) vertx.cancelTimer(pruneTimer);
    long deadline = System.nanoTime() + timeout.toNanos();
    // the writer has one thread, so this runs after any write in progress
    return writer.executeBlocking(() -> {
      if (journal != null) journal.drain();
      while (!writeWhatIsQueued() && System.nanoTime() < deadline) {
        Thread.sleep(Math.min(backoffMs, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      }
      if (pending.get() > 0 && journal != null) {
        log.error("SHUTDOWN WITH {} USAGE RECORDS UNWRITTEN: the store did not accept them within {}; they stay in the "
            + "ledger journal {} and are written at the next start", pending.get(), timeout, journal.directory());
      } else if (pending.get() > 0) {
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
    Future<Void> journalClosed = journal == null ? Future.succeededFuture() : writer.executeBlocking(() -> {
      journal.close();
      return null;
    }, false);
    return journalClosed.transform(x -> writer.close());
  }
}
