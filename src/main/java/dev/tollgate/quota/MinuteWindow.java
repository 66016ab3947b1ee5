package dev.tollgate.quota;

import dev.tollgate.core.Saturating;

/**
 * A sliding one-minute window in 60 one-second buckets: the sum covers the current second and the
 * 59 before it, so a limit holds over any minute to within one second's share. The sum is kept for the second
 * it was taken in and updated by what is added, so a window read many times a second adds up its buckets once
 * a second. Not thread-safe: the owner locks.
 */
final class MinuteWindow {
  private static final int SECONDS = 60;
  private final long[] second = new long[SECONDS];
  private final long[] value = new long[SECONDS];
  /** The sum as of second {@link #sumSecond} (none: {@code Long.MIN_VALUE}). */
  private long sum;
  private long sumSecond = Long.MIN_VALUE;

  private static boolean live(long bucketSecond, long nowSecond) {
    return bucketSecond > nowSecond - SECONDS && bucketSecond <= nowSecond;
  }

  long sum(long nowMillis) {
    long now = nowMillis / 1000;
    if (now == sumSecond) return sum;
    long total = 0;
    for (int i = 0; i < SECONDS; i++) if (live(second[i], now)) total = Saturating.add(total, value[i]);
    sum = total;
    sumSecond = now;
    return total;
  }

  /** Keeps the sum true after a bucket of second {@code sec} changed by {@code change}. */
  private void changed(long sec, long change) {
    if (sumSecond == Long.MIN_VALUE) return;
    // a saturated sum cannot be taken back down exactly; a change outside the summed window, or to a second after
    // it, is counted when the sum is next taken
    if (sum == Long.MAX_VALUE || sum == Long.MIN_VALUE || !live(sec, sumSecond)) sumSecond = Long.MIN_VALUE;
    else sum = Saturating.add(sum, change);
  }

  void add(long sec, long amount) {
    int i = (int) Math.floorMod(sec, (long) SECONDS);
    if (second[i] != sec) {
      if (sumSecond != Long.MIN_VALUE && live(second[i], sumSecond)) sumSecond = Long.MIN_VALUE; // a summed bucket reused
      second[i] = sec;
      value[i] = 0;
    }
    long before = value[i];
    value[i] = Saturating.add(before, amount);
    changed(sec, value[i] - before);
  }

  /** Corrects a second's amount (a reservation settled to actual use), if that second is still in the window. */
  void adjust(long sec, long delta, long nowMillis) {
    int i = (int) Math.floorMod(sec, (long) SECONDS);
    if (second[i] == sec && live(sec, nowMillis / 1000)) {
      long before = value[i];
      value[i] = Math.max(0, Saturating.add(before, delta));
      changed(sec, value[i] - before);
    }
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
