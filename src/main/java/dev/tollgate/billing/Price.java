package dev.tollgate.billing;

import java.math.BigDecimal;

/**
 * US dollars per 1M tokens of each kind. Cached input and reasoning default to input and output.
 * Prices with at most six decimals (a whole number of pico-dollars per token) are also kept as
 * integers, so the hot path prices a request in long arithmetic, with the same exact result.
 */
public record Price(BigDecimal input, BigDecimal cachedInput, BigDecimal output, BigDecimal reasoning) {
  /** Pico-dollars per token: input, cached input, output, reasoning; null when one is finer than that. */
  long[] picosPerToken() {
    long[] p = new long[4];
    BigDecimal[] all = {input, cachedInput, output, reasoning};
    for (int i = 0; i < 4; i++) {
      BigDecimal picos = all[i].movePointRight(6);
      if (picos.stripTrailingZeros().scale() > 0 || picos.compareTo(BigDecimal.valueOf(1_000_000_000_000L)) > 0) return null;
      p[i] = picos.longValueExact();
    }
    return p;
  }
}
