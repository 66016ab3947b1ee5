package dev.tollgate.quota;

import dev.tollgate.core.Saturating;

/**
 * A sliding one-minute window in 60 one-second buckets: the sum covers the current second and the
 * 59 before it, so a limit holds over any minute to within one second's share. Not thread-safe: the
 * owner locks.
 */
final class MinuteWindow {
  private static final int SECONDS = 60;
  private final long[] second = new long[SECONDS];
  private final long[] value = new long[SECONDS];

  private static boolean live(long bucketSecond, long nowSecond) {
    return bucketSecond > nowSecond - SECONDS && bucketSecond <= nowSecond;
  }

  long sum(long nowMillis) {
    long now = nowMillis / 1000;
    long sum = 0;
    for (int i = 0; i < SECONDS; i++) if (live(second[i], now)) sum = Saturating.add(sum, value[i]);
    return sum;
  }

  void add(long sec, long amount) {
    int i = (int) Math.floorMod(sec, (long) SECONDS);
    if (second[i] != sec) {
      second[i] = sec;
      value[i] = 0;
    }
    value[i] = Saturating.add(value[i], amount);
  }

  /** Corrects a second's amount (a reservation settled to actual use), if that second is still in the window. */
  void adjust(long sec, long delta, long nowMillis) {
    int i = (int) Math.floorMod(sec, (long) SECONDS);
    if (second[i] == sec && live(sec, nowMillis / 1000)) value[i] = Math.max(0, Saturating.add(value[i], delta));
  }

  /** Milliseconds until at least {@code amount} has left the window. */
  long untilFreed(long nowMillis, long amount) {
    long now = nowMillis / 1000;
    long freed = 0;
    for (long s = now - SECONDS + 1; s <= now; s++) {
      int i = (int) Math.floorMod(s, (long) SECONDS);
      if (second[i] == s) freed = Saturating.add(freed, value[i]);
      if (freed >= amount) return Math.max(1, (s + SECONDS) * 1000 - nowMillis);
    }
    return Math.max(1, (now + SECONDS) * 1000 - nowMillis);
  }

  /** Milliseconds until everything now in the window has left it. */
  long untilClear(long nowMillis) {
    long now = nowMillis / 1000;
    for (long s = now; s > now - SECONDS; s--) {
      int i = (int) Math.floorMod(s, (long) SECONDS);
      if (second[i] == s && value[i] > 0) return (s + SECONDS) * 1000 - nowMillis;
    }
    return 0;
  }
}
