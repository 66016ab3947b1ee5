package dev.tollgate.mock;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What the fake provider saw: tests assert on it (keys received, resets, concurrency, backpressure). */
public final class MockStats {
  /** One request as the fake provider received it. */
  public record Seen(String method, String uri, MultiMap headers, String body) {}

  private final ArrayDeque<Seen> recent = new ArrayDeque<>();
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger resets = new AtomicInteger();
  final AtomicInteger active = new AtomicInteger();
  final AtomicInteger maxActive = new AtomicInteger();
  final AtomicLong streamBytesWritten = new AtomicLong();
  final AtomicInteger writeStalls = new AtomicInteger();

  synchronized void record(Seen seen) {
    recent.addLast(seen);
    if (recent.size() > 200) recent.removeFirst();
  }

  void enter() {
    int now = active.incrementAndGet();
    maxActive.accumulateAndGet(now, Math::max);
  }

  public synchronized List<Seen> recent() {
    return new ArrayList<>(recent);
  }

  public synchronized Seen last() {
    return recent.peekLast();
  }

  public int requests() { return requests.get(); }
  /** Requests whose connection was closed by the client before the answer was complete. */
  public int resets() { return resets.get(); }
  public int active() { return active.get(); }
  public int maxActive() { return maxActive.get(); }
  public long streamBytesWritten() { return streamBytesWritten.get(); }
  /** How often a stream had to wait because the reader's queue was full. */
  public int writeStalls() { return writeStalls.get(); }

  public synchronized void reset() {
    recent.clear();
    requests.set(0);
    resets.set(0);
    maxActive.set(active.get());
    streamBytesWritten.set(0);
    writeStalls.set(0);
  }
}
