package dev.tollgate.core;

/**
 * Token and money arithmetic that sticks at the ends of {@code long} instead of wrapping: a count near
 * 2^63 stays huge (and is refused by any limit) rather than turning negative and switching the limit off.
 */
public final class Saturating {
  private Saturating() {}

  public static long add(long a, long b) {
    long sum = a + b;
    // overflow only when both have the same sign and the sum's sign differs
    if (((a ^ sum) & (b ^ sum)) < 0) return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    return sum;
  }

  public static long multiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) return lo;
    return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
  }

  /** {@code value} held within {@code [min, max]}. */
  public static long clamp(long value, long min, long max) {
    return Math.max(min, Math.min(max, value));
  }
}
