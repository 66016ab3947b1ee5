package dev.tollgate.team;

import java.math.BigDecimal;

/** A spending cap in US dollars per UTC calendar period. */
public record Budget(BigDecimal usd, BudgetPeriod period) {
  public Budget {
    // one canonical form (10, not 10.00 or 1E+1), so equal budgets are equal and print plainly
    usd = usd.stripTrailingZeros();
    if (usd.scale() < 0) usd = usd.setScale(0);
  }
}
