package dev.tollgate.billing;

import java.math.BigDecimal;

/**
 * US dollars per 1M tokens of each kind: input, input read from the provider's prompt cache, output,
 * reasoning, and input written to the prompt cache. Cached input and cache writes default to input, reasoning
 * to output. Prices with at most six decimals (a whole number of pico-dollars per token) are also kept as
 * integers, so the hot path prices a request in long arithmetic, with the same exact result.
 */
public record Price(BigDecimal input, BigDecimal cachedInput, BigDecimal output, BigDecimal reasoning, BigDecimal cacheWrite) {
  /** A price without a cache-write price of its own (cache writes at the input price). */
  public Price(BigDecimal input, BigDecimal cachedInput, BigDecimal output, BigDecimal reasoning) {
    this(input, cachedInput, output, reasoning, input);
  }

  /** Pico-dollars per token: input, cached input, output, reasoning, cache write; null when one is finer than that. */
  long[] picosPerToken() {
    BigDecimal[] all = {input, cachedInput, output, reasoning, cacheWrite};
    long[] p = new long[all.length];
    for (int i = 0; i < all.length; i++) {
      BigDecimal picos = all[i].movePointRight(6);
      if (picos.stripTrailingZeros().scale() > 0 || picos.compareTo(BigDecimal.valueOf(1_000_000_000_000L)) > 0) return null;
      p[i] = picos.longValueExact();
    }
    return p;
  }
}
