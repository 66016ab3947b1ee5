package dev.tollgate.team;

import java.math.BigDecimal;

/** A spending cap in US dollars per UTC calendar period. */
public record Budget(BigDecimal usd, BudgetPeriod period) {}
