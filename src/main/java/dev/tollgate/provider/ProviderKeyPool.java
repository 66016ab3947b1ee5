package dev.tollgate.provider;

import dev.tollgate.config.GatewayConfig.ProviderKey;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A provider's keys, chosen at random in proportion to their weights. A key the provider answered 429 for
 * cools down (skipped while another key is ready); one it answered 401 or 403 for is paused (out of the
 * rotation) for a while. Keys are known by their position in the config, never by their secret.
 */
public final class ProviderKeyPool {
  /** What a key can do now. */
  public enum State { READY, COOLING, PAUSED }

  private final java.util.List<ProviderKey> keys;
  private final AtomicLongArray coolUntilNanos;
  private final AtomicLongArray pausedUntilNanos;

  public ProviderKeyPool(java.util.List<ProviderKey> keys) {
    this.keys = java.util.List.copyOf(keys);
    this.coolUntilNanos = new AtomicLongArray(keys.size());
    this.pausedUntilNanos = new AtomicLongArray(keys.size());
    // nanoTime's origin is arbitrary (it may be negative): every key starts ready as of now
    long now = System.nanoTime();
    for (int i = 0; i < keys.size(); i++) {
      coolUntilNanos.set(i, now);
      pausedUntilNanos.set(i, now);
    }
  }

  public int size() {
    return keys.size();
  }

  /**
   * The key to use first: a ready one; if none is, one cooling down; if every key is paused, one of those
   * anyway (a provider with one key stays usable when its key was refused once, and the next refusal shows).
   */
  public int pick() {
    int ready = pick(0L, State.READY);
    if (ready >= 0) return ready;
    int cooling = pick(0L, State.COOLING);
    return cooling >= 0 ? cooling : pick(0L, State.PAUSED);
  }

  /**
   * The next key to try in a request that already tried the keys in {@code tried} (bit i: key i): a ready key
   * not tried yet, or -1.
   */
  public int next(long tried) {
    return pick(tried, State.READY);
  }

  /** A key in the given state (and not excluded), chosen by weight; -1 if none. */
  private int pick(long excluded, State wanted) {
    long now = System.nanoTime();
    int total = 0;
    int n = keys.size();
    for (int i = 0; i < n; i++) if (eligible(i, excluded, wanted, now)) total += keys.get(i).weight();
    if (total == 0) return -1;
    int r = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(total);
    for (int i = 0; i < n; i++) {
      if (!eligible(i, excluded, wanted, now)) continue;
      r -= keys.get(i).weight();
      if (r < 0) return i;
    }
    return -1;
  }

  private boolean eligible(int i, long excluded, State wanted, long now) {
    if (i < 64 && (excluded & (1L << i)) != 0) return false;
    return state(i, now) == wanted;
  }

  public String secret(int index) {
    return keys.get(index).secret().reveal();
  }

  /** After a 429: skipped for {@code seconds} (1 to 60) while another key is ready. */
  public void coolDown(int index, long seconds) {
    coolUntilNanos.set(index, System.nanoTime() + Math.min(Math.max(seconds, 1), 60) * 1_000_000_000L);
  }

  /** After a 401/403: out of the rotation for {@code pause}. */
  public void pause(int index, Duration pause) {
    pausedUntilNanos.set(index, System.nanoTime() + pause.toNanos());
  }

  public State state(int index) {
    return state(index, System.nanoTime());
  }

  private State state(int i, long now) {
    if (pausedUntilNanos.get(i) - now > 0) return State.PAUSED;
    if (coolUntilNanos.get(i) - now > 0) return State.COOLING;
    return State.READY;
  }
}
