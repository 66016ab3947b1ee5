package dev.tollgate.billing;

import java.math.BigDecimal;

/** US dollars per 1M tokens of each kind. Cached input and reasoning default to input and output. */
public record Price(BigDecimal input, BigDecimal cachedInput, BigDecimal output, BigDecimal reasoning) {}
