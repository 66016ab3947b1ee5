package dev.tollgate.core;

import java.math.BigDecimal;

/** Money as a whole number of nano-dollars (1e-9 USD): exact, and cheap to add on the hot path. */
public final class NanoUsd {
  private static final BigDecimal PER_USD = BigDecimal.valueOf(1_000_000_000L);

  private NanoUsd() {}

  /** Exact: fails if the amount has more than nine decimals or does not fit a long. */
  public static long of(BigDecimal usd) {
    return usd.multiply(PER_USD).longValueExact();
  }

  public static BigDecimal toUsd(long nanos) {
    return BigDecimal.valueOf(nanos, 9);
  }

  /** For people: no trailing zeros beyond the cents ({@code 1.50}, {@code 0.000155}). */
  public static BigDecimal display(long nanos) {
    BigDecimal v = toUsd(nanos).stripTrailingZeros();
    return v.scale() < 2 ? v.setScale(2) : v;
  }
}
