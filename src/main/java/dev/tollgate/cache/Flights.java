package dev.tollgate.cache;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Coalescing: while a cacheable request is in flight, identical ones (same key) follow it rather than
 * call upstream. The first leads; up to {@code maxFollowers} follow; beyond that, a request goes alone.
 */
public final class Flights {
  /** A request's part in its key's flight. */
  public sealed interface Seat permits Leads, Follows, Alone {}

  /** The request goes upstream and feeds the flight; it must land or fail it. */
  public record Leads(Flight flight) implements Seat {}

  /** The request reads the leader's answer. */
  public record Follows(Flight flight) implements Seat {}

  /** The flight is full: the request goes upstream on its own. */
  public record Alone() implements Seat {}

  private final ConcurrentHashMap<String, Flight> flying = new ConcurrentHashMap<>();
  private final int maxFollowers;
  private final long maxBytes;

  public Flights(int maxFollowers, long maxBytes) {
    this.maxFollowers = maxFollowers;
    this.maxBytes = maxBytes;
  }

  public Seat join(String key) {
    Flight mine = new Flight(this, key, maxBytes);
    Flight existing = flying.putIfAbsent(key, mine);
    if (existing == null) return new Leads(mine);
    return existing.follow(maxFollowers) ? new Follows(existing) : new Alone();
  }

  /** Flights in the air (for tests and metrics). */
  public int size() {
    return flying.size();
  }

  void remove(Flight f) {
    flying.remove(f.key(), f);
  }
}
