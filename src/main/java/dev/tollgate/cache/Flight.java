package dev.tollgate.cache;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One cacheable request in flight, which identical requests follow instead of calling upstream. Its
 * leader feeds it the answer as it relays it (stream events in order, or the finished answer); followers,
 * on any event loop, read what is there from their own position and are woken when more comes. It holds
 * at most {@code maxBytes} of events: a longer answer fails it for followers that have not started, and
 * ends it (broken) for those streaming. Thread-safe.
 */
public final class Flight {
  /** How the flight ended, if it has. */
  public enum State { FLYING, LANDED, FAILED }

  /** What a follower sees from its position: the events it has not read, and the state (with the answer once landed). */
  public record View(List<Buffer> events, State state, CachedAnswer answer) {}

  private final Flights registry;
  private final String key;
  private final long maxBytes;
  private final List<Buffer> events = new ArrayList<>();
  private final List<Runnable> watchers = new ArrayList<>();
  private long bytes;
  private int followers;
  private State state = State.FLYING;
  private CachedAnswer answer;
  private boolean tooLarge;

  Flight(Flights registry, String key, long maxBytes) {
    this.registry = registry;
    this.key = key;
    this.maxBytes = maxBytes;
  }

  String key() {
    return key;
  }

  // ---- the leader

  /** A streamed event, as the leader relays it. */
  public void event(Buffer raw) {
    List<Runnable> wake;
    boolean overflow;
    synchronized (this) {
      if (state != State.FLYING) return;
      overflow = bytes + raw.length() > maxBytes;
      if (overflow) {
        state = State.FAILED;
        tooLarge = true;
        events.clear();
      } else {
        bytes += raw.length();
        events.add(raw);
      }
      wake = List.copyOf(watchers);
      if (overflow) watchers.clear();
    }
    if (overflow) registry.remove(this);
    wake.forEach(Runnable::run);
  }

  /** The complete answer: followers get it (a streaming one has had its events already). */
  public void land(CachedAnswer complete) {
    end(State.LANDED, complete);
  }

  /** No complete answer came: followers that have not started go upstream themselves; streaming ones end broken. */
  public void fail() {
    end(State.FAILED, null);
  }

  private void end(State end, CachedAnswer complete) {
    List<Runnable> wake;
    synchronized (this) {
      if (state != State.FLYING) return;
      state = end;
      answer = complete;
      wake = List.copyOf(watchers);
      watchers.clear();
    }
    registry.remove(this);
    wake.forEach(Runnable::run);
  }

  /** Whether a follower still reads this flight: then the leader keeps its upstream call going even if its own client left. */
  public synchronized boolean followed() {
    return followers > 0 && state == State.FLYING;
  }

  // ---- followers

  synchronized boolean follow(int maxFollowers) {
    if (state != State.FLYING || followers >= maxFollowers) return false;
    followers++;
    return true;
  }

  /** A follower that will read no more (its client left, or it was served). */
  public synchronized void unfollow() {
    followers = Math.max(0, followers - 1);
  }

  /** Calls {@code wake} (from whichever thread feeds the flight) at each change until it ends. */
  public synchronized void watch(Runnable wake) {
    if (state == State.FLYING) watchers.add(wake);
  }

  public synchronized void unwatch(Runnable wake) {
    watchers.remove(wake);
  }

  public synchronized State state() {
    return state;
  }

  public synchronized int eventCount() {
    return events.size();
  }

  /** The answer, once landed. */
  public synchronized CachedAnswer answer() {
    return answer;
  }

  /** Whether it failed because its answer outgrew what a flight holds (following again would fail again). */
  public synchronized boolean tooLarge() {
    return tooLarge;
  }

  public synchronized View read(int from) {
    List<Buffer> fresh = from >= events.size() ? List.of() : List.copyOf(events.subList(from, events.size()));
    return new View(fresh, state, answer);
  }
}
