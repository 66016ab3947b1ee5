package dev.tollgate.pipeline;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Switches that exist only for benchmarks, to measure a stage's cost by leaving its work out (ablation):
 * {@code -Dtollgate.bench.off=auth,admit,estimate,meter,metrics,journal,store}. Never for production — with them
 * requests are not authenticated ({@code auth}: the first caller is reused for every later request), limited
 * ({@code admit}), estimated ({@code estimate}: input counted as 0 tokens), billed ({@code meter}) or counted
 * ({@code metrics}: request metrics and the access log), their usage records are not journaled ({@code journal})
 * or kept ({@code store}: the ledger's batches are taken and thrown away; the server reads these two) — and the
 * gateway logs a warning at start when any is set.
 */
public final class BenchSwitches {
  private static final Set<String> OFF = Arrays.stream(System.getProperty("tollgate.bench.off", "").split(","))
      .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());

  static final boolean AUTH_OFF = OFF.contains("auth");
  static final boolean ADMIT_OFF = OFF.contains("admit");
  static final boolean ESTIMATE_OFF = OFF.contains("estimate");
  static final boolean METER_OFF = OFF.contains("meter");
  static final boolean METRICS_OFF = OFF.contains("metrics");

  private BenchSwitches() {}

  /** What is switched off, for the start-up warning; empty in every real deployment. */
  public static Set<String> off() {
    return OFF;
  }
}
