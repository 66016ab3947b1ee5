package dev.tollgate.billing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.metrics.GatewayMetrics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local append-only journal of the usage records not yet in the store, so that a gateway killed outright
 * (or stopped while its store is down) loses only the records it had not yet handed to the operating system.
 * Records are appended by a thread of its own, every 2 ms while they come (it sleeps until the next one, or the
 * next fsync, after ~4 ms without one), and fsync'd in batches; a full segment file is deleted once every record
 * in it is in the store, and the one being written is cut back to its header whenever all of its records are. Each
 * gateway writes in a directory of its own, locked while it runs; at start-up, the directories of gateways that
 * are gone are taken over and their records written again (the store adds a record once however often it is
 * written). Records are written as {@link JournalCodec}'s frames; segments of JSON lines, from gateways before it,
 * are still read.
 */
final class LedgerJournal {
  private static final Logger log = LoggerFactory.getLogger(LedgerJournal.class);
  private static final long SEGMENT_BYTES = 4 << 20;
  /** How long a copy of a damaged segment is kept. */
  static final java.time.Duration DAMAGED_KEPT = java.time.Duration.ofDays(30);
  private static final long SYNC_EVERY_NANOS = 50_000_000;
  private static final int MAX_GROUP = 2_000;
  /** How often the journal thread takes what has come: a record is journaled at most this much later. */
  private static final long TICK_NANOS = 2_000_000;
  /**
   * Ticks in a row without a record after which the thread sleeps until a record wakes it: 2 (~4 ms). While
   * records come at least every few ms, appends never wake the thread (it looks every 2 ms); when they come
   * further apart, a sleeping thread woken per record costs less than looking every 2 ms in between (at ~80
   * records/s, as 100 slow streams make, 100 ticks of quiet kept it looking ~500 times a second).
   */
  private static final int IDLE_TICKS = 2;

  /** One file of the journal: deleted once it is closed and none of its records waits for the store. */
  static final class Segment {
    final Path file;
    final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicBoolean deleted = new AtomicBoolean();
    private volatile boolean closed;
    private long bytes;

    Segment(Path file) {
      this.file = file;
    }

    void close() {
      closed = true;
      if (outstanding.get() == 0) delete();
    }

    void written(int records) {
      if (outstanding.addAndGet(-records) == 0 && closed) delete();
    }

    private void delete() {
      if (!deleted.compareAndSet(false, true)) return;
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        log.warn("cannot delete the written journal segment {}: {}", file, e.toString());
      }
    }
  }

  /** A record on its way to the store, with the segment that holds it (null: it could not be journaled). */
  record Entry(UsageEvent event, Segment segment) {}

  private record Barrier(CountDownLatch passed) {}

  private final Path own;
  private final FileChannel lockChannel;
  private final FileLock lock;
  /** Reads the segments of gateways from before the binary frames: a JSON object per line. */
  private static final String JSON_LINES = ".jsonl";

  private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  /**
   * Filled by the event loops without waking anyone: the journal thread takes what has come every {@link #TICK_NANOS}.
   * (A blocking queue woke the thread for nearly every record under load — a futex wake, a context switch and a
   * {@code write} per record, ~45 µs of CPU per request on this kind of VM.)
   */
  private final ConcurrentLinkedQueue<Object> incoming = new ConcurrentLinkedQueue<>();
  /** Set while the journal thread sleeps until woken: the next record wakes it. */
  private final AtomicBoolean asleep = new AtomicBoolean();
  private final GatewayMetrics metrics;
  private Consumer<List<Entry>> downstream;
  private Thread thread;
  private volatile boolean stopping;
  // the journal thread's own
  private final JournalCodec codec = new JournalCodec();
  private Segment active;
  private FileChannel channel;
  private long nextSegment;
  private boolean unsynced;
  private long lastSyncNanos;
  private long lastFailureLogNanos;

  private LedgerJournal(Path own, FileChannel lockChannel, FileLock lock, GatewayMetrics metrics) {
    this.own = own;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.metrics = metrics;
  }

  /** Opens a directory of this gateway's own under {@code root}. Blocking. */
  static LedgerJournal open(Path root, GatewayMetrics metrics) throws IOException {
    Files.createDirectories(root);
    Path own = root.resolve(ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()));
    Files.createDirectories(own);
    FileChannel lockChannel = FileChannel.open(own.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    return new LedgerJournal(own, lockChannel, lockChannel.lock(), metrics);
  }

  Path directory() {
    return own;
  }

  /**
   * The records of gateways that are gone (their directory is not locked): their segments move into this
   * journal, to be deleted once written. A record cut short by the kill is skipped. Blocking; before {@link #start}.
   */
  List<Entry> takeOver() throws IOException {
    dropOldDamagedCopies();
    List<Entry> entries = new ArrayList<>();
    List<Path> others;
    try (Stream<Path> dirs = Files.list(own.getParent())) {
      others = dirs.filter(d -> Files.isDirectory(d) && !d.equals(own)).sorted().toList();
    }
    for (Path dir : others) {
      try (FileChannel other = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock held;
        try {
          held = other.tryLock();
        } catch (OverlappingFileLockException inThisProcess) {
          held = null;
        }
        if (held == null) continue; // its gateway is alive
        List<Path> segments;
        try (Stream<Path> files = Files.list(dir)) {
          segments = files.filter(LedgerJournal::isSegment).sorted().toList();
        }
        for (Path file : segments) {
          // a segment keeps its format's extension: one written before JSON lines gave way to frames is read as before
          String format = file.getFileName().toString().endsWith(JSON_LINES) ? JSON_LINES : JournalCodec.EXTENSION;
          Segment s = new Segment(Files.move(file, own.resolve(segmentName(nextSegment++, format))));
          int before = entries.size();
          readInto(s, file, entries);
          s.outstanding.set(entries.size() - before);
          s.close();
        }
        held.release();
      }
      Files.deleteIfExists(dir.resolve("lock"));
      Files.deleteIfExists(dir);
    }
    return entries;
  }

  /** @param from where the segment was before it was taken over, for the log */
  private void readInto(Segment s, Path from, List<Entry> entries) throws IOException {
    if (s.file.getFileName().toString().endsWith(JSON_LINES)) readJsonLines(s, entries);
    else readFrames(s, from, entries);
  }

  private void readFrames(Segment s, Path from, List<Entry> entries) throws IOException {
    JournalCodec.Read read = JournalCodec.decode(Files.readAllBytes(s.file));
    for (UsageEvent e : read.events()) entries.add(new Entry(e, s));
    if (read.damagedInside()) {
      log.error("journal segment {} (taken over from {}): {} bytes inside it could not be read and were skipped, with the "
          + "records they held ({} records read)", s.file, from, read.unreadableBytes(), read.events().size());
      keepDamaged(s);
    } else if (read.unreadableBytes() > 0) {
      log.warn("journal segment {}: its last {} bytes skipped (a write cut short)", s.file, read.unreadableBytes());
    }
  }

  /**
   * Deletes the copies of damaged segments ({@link #keepDamaged}) not changed for {@link #DAMAGED_KEPT}: time enough
   * for a person to look at them, without letting them pile up on the journal's volume.
   */
  private void dropOldDamagedCopies() throws IOException {
    long before = System.currentTimeMillis() - DAMAGED_KEPT.toMillis();
    List<Path> copies;
    try (Stream<Path> files = Files.list(own.getParent())) {
      copies = files.filter(f -> f.getFileName().toString().endsWith(".damaged") && Files.isRegularFile(f)).toList();
    }
    for (Path copy : copies) {
      try {
        if (Files.getLastModifiedTime(copy).toMillis() >= before) continue;
        Files.delete(copy);
        log.warn("deleted {}, a copy of a damaged journal segment kept for {} days", copy, DAMAGED_KEPT.toDays());
      } catch (IOException e) {
        log.warn("cannot delete the old copy of a damaged journal segment {}: {}", copy, e.toString());
      }
    }
  }

  /** A copy of a segment damaged inside, for a person to look at: the segment itself goes once its records are written. */
  private void keepDamaged(Segment s) {
    Path copy = own.getParent().resolve(s.file.getFileName() + "." + own.getFileName() + ".damaged");
    try {
      Files.copy(s.file, copy, StandardCopyOption.REPLACE_EXISTING);
      log.error("a copy of the damaged journal segment is kept in {}", copy);
    } catch (IOException e) {
      log.error("cannot keep a copy of the damaged journal segment {}: {}", s.file, e.toString());
    }
  }

  /** A segment of a gateway from before the binary frames: a JSON object per line. */
  private void readJsonLines(Segment s, List<Entry> entries) throws IOException {
    int unreadable = 0;
    try (BufferedReader in = Files.newBufferedReader(s.file)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) continue;
        try {
          entries.add(new Entry(json.readValue(line, UsageEvent.class), s));
        } catch (IOException e) {
          unreadable++;
        }
      }
    }
    if (unreadable > 0) log.warn("journal segment {}: {} unreadable lines skipped (a write cut short)", s.file, unreadable);
  }

  private static String segmentName(long n, String format) {
    return String.format("%012d", n) + format;
  }

  private static boolean isSegment(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(JournalCodec.EXTENSION) || name.endsWith(JSON_LINES);
  }

  /** Starts the journal thread, which hands every record on, journaled or not, in the order it came. */
  void start(Consumer<List<Entry>> downstream) {
    this.downstream = downstream;
    // named apart from the writer ("tollgate-ledger-N") within the 15 characters /proc shows
    thread = new Thread(this::run, "tollgate-journal");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a record to be journaled; never blocks. */
  void append(UsageEvent event) {
    incoming.add(event);
    wake();
  }

  private void wake() {
    if (asleep.get() && asleep.compareAndSet(true, false)) LockSupport.unpark(thread);
  }

  /** Waits until every record appended so far has been handed on. */
  void drain() throws InterruptedException {
    CountDownLatch passed = new CountDownLatch(1);
    incoming.add(new Barrier(passed));
    wake();
    passed.await();
  }

  /** What the store has taken: segments whose records are all in the store go. */
  static void written(List<Entry> entries) {
    Segment current = null;
    int count = 0;
    for (Entry e : entries) {
      if (e.segment() != current) {
        if (current != null) current.written(count);
        current = e.segment();
        count = 0;
      }
      count++;
    }
    if (current != null) current.written(count);
  }

  private void run() {
    List<Object> group = new ArrayList<>();
    int idleTicks = 0;
    while (!stopping || !incoming.isEmpty()) {
      try {
        for (Object o; group.size() < MAX_GROUP && (o = incoming.poll()) != null; ) group.add(o);
        emptyIfStored();
        if (!group.isEmpty()) {
          journal(group);
          group.clear();
        }
        if (unsynced && System.nanoTime() - lastSyncNanos >= SYNC_EVERY_NANOS) sync();
        emptyIfStored();
        if (!incoming.isEmpty()) {
          idleTicks = 0;
        } else if (++idleTicks < IDLE_TICKS) {
          LockSupport.parkNanos(TICK_NANOS);
        } else if (!stopping) {
          // quiet: asleep until a record comes (append wakes it), or until the group written last is due its fsync
          asleep.set(true);
          if (incoming.isEmpty() && !stopping) {
            if (unsynced) LockSupport.parkNanos(this, Math.max(1, lastSyncNanos + SYNC_EVERY_NANOS - System.nanoTime()));
            else LockSupport.park(this);
          }
          asleep.set(false);
          idleTicks = 0;
        }
        if (Thread.interrupted()) return;
      } catch (RuntimeException e) {
        log.error("the ledger journal failed", e);
      }
    }
    if (unsynced) sync();
  }

  private void journal(List<Object> group) {
    List<UsageEvent> events = new ArrayList<>(group.size());
    for (Object o : group) {
      if (o instanceof UsageEvent e) events.add(e);
    }
    List<Entry> entries = new ArrayList<>(events.size());
    Segment segment = events.isEmpty() ? null : append(events);
    for (UsageEvent e : events) entries.add(new Entry(e, segment));
    if (!entries.isEmpty()) downstream.accept(entries);
    for (Object o : group) {
      if (o instanceof Barrier b) b.passed().countDown();
    }
  }

  /** Writes the records to the active segment; the segment, or null if the write failed (undone, so no frame is left torn). */
  private Segment append(List<UsageEvent> events) {
    long before = -1;
    try {
      if (active == null || active.bytes >= SEGMENT_BYTES) rotate();
      if (active == null) openSegment();
      ByteBuffer buffer = codec.encode(events);
      before = active.bytes;
      int length = buffer.remaining();
      while (buffer.hasRemaining()) channel.write(buffer);
      active.bytes += length;
      active.outstanding.addAndGet(events.size());
      metrics.ledgerJournaled(events.size());
      unsynced = true;
      return active;
    } catch (IOException | UncheckedIOException e) {
      metrics.ledgerJournalFailure();
      undo(before);
      long now = System.nanoTime();
      if (now - lastFailureLogNanos > 10_000_000_000L) {
        lastFailureLogNanos = now;
        log.error("cannot append {} usage records to the ledger journal in {} ({}): they are kept in memory only until "
            + "written to the store; see tollgate_ledger_journal_failures_total", events.size(), own, e.toString());
      }
      return null;
    }
  }

  private void undo(long goodBytes) {
    if (channel == null || goodBytes < 0) return;
    try {
      channel.truncate(goodBytes);
      channel.position(goodBytes);
    } catch (IOException e) {
      // the segment cannot be trusted past this point: start another one
      closeActive();
    }
  }

  private void openSegment() throws IOException {
    Segment s = new Segment(own.resolve(segmentName(nextSegment++, JournalCodec.EXTENSION)));
    FileChannel opened = FileChannel.open(s.file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      ByteBuffer header = ByteBuffer.wrap(codec.startSegment());
      while (header.hasRemaining()) opened.write(header);
    } catch (IOException e) {
      opened.close();
      Files.deleteIfExists(s.file); // no frame may follow a header cut short
      throw e;
    }
    s.bytes = JournalCodec.HEADER;
    channel = opened;
    active = s;
  }

  /**
   * When every record of the active segment is in the store, cuts the segment back to a header, to be written on:
   * nothing in it needs keeping, nor an fsync. (Closing it for a new file instead cost an fsync, a close, an unlink and
   * a create per record where records come a few a second, each stored before the next comes: streams.) The header is
   * a new one, with a salt of its own: if a crash undid the cut, the frames from before it would not read as this
   * segment's. A segment that cannot be cut is closed, and the next record opens another.
   */
  private void emptyIfStored() {
    if (active == null || active.bytes <= JournalCodec.HEADER || active.outstanding.get() != 0) return;
    try {
      channel.truncate(JournalCodec.HEADER);
      ByteBuffer header = ByteBuffer.wrap(codec.startSegment());
      while (header.hasRemaining()) channel.write(header, header.position());
      channel.position(JournalCodec.HEADER);
      active.bytes = JournalCodec.HEADER;
      unsynced = false;
    } catch (IOException e) {
      closeActive();
    }
  }

  private void rotate() {
    if (active == null) return;
    if (unsynced) sync();
    closeActive();
  }

  private void closeActive() {
    try {
      channel.close();
    } catch (IOException e) {
      log.warn("cannot close the journal segment {}: {}", active.file, e.toString());
    }
    Segment closing = active;
    active = null;
    channel = null;
    closing.close();
  }

  private void sync() {
    try {
      if (channel != null) channel.force(false);
    } catch (IOException e) {
      metrics.ledgerJournalFailure();
      log.warn("cannot fsync the ledger journal {}: {}", active.file, e.toString());
    }
    unsynced = false;
    lastSyncNanos = System.nanoTime();
  }

  /**
   * Stops the thread once everything queued is handed on, then closes the journal: segments whose records
   * are all in the store are deleted, the others stay for the next start. Blocking.
   */
  void close() throws InterruptedException {
    stopping = true;
    if (thread != null) {
      LockSupport.unpark(thread);
      thread.join(10_000);
    }
    if (active != null) rotate();
    try {
      lock.release();
      lockChannel.close();
      try (Stream<Path> left = Files.list(own)) {
        if (left.noneMatch(LedgerJournal::isSegment)) {
          Files.deleteIfExists(own.resolve("lock"));
          Files.deleteIfExists(own);
        }
      }
    } catch (IOException e) {
      log.warn("cannot close the ledger journal {}: {}", own, e.toString());
    }
  }
}
