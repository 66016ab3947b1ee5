package dev.tollgate.billing;

import dev.tollgate.core.Usage;

/**
 * What one request is billed: its tokens and their cost in nano-dollars (1e-9 USD). {@code estimated}:
 * the provider reported no usage and the tokens were counted by the gateway's tokenizer;
 * {@code priced}: the price book had a price for the model.
 */
public record Charge(Usage usage, long costNanos, boolean estimated, boolean priced) {
  public static final Charge NONE = new Charge(Usage.ZERO, 0, false, true);
}
