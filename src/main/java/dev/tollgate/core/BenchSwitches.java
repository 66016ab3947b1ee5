package dev.tollgate.core;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Switches that exist only for benchmarks, to measure a stage's cost by leaving its work out (ablation):
 * {@code -Dtollgate.bench.off=auth,admit,estimate,meter,metrics,journal,store}. Never for production — with them
 * requests are not authenticated ({@code auth}: the first caller is reused for every later request), limited
 * ({@code admit}), estimated ({@code estimate}: input counted as 0 tokens), billed ({@code meter}) or counted
 * ({@code metrics}: request metrics and the access log), their usage records are not journaled ({@code journal})
 * or kept ({@code store}: the ledger's batches are taken and thrown away) — and the gateway logs a warning when any
 * is set. With {@code -Dtollgate.bench.off-file=PATH} the server reads the set from that file while it runs, so a
 * benchmark can switch a stage off and on again in one process (one JIT state, no start-to-start noise).
 */
public final class BenchSwitches {
  /** The names a switch may have. */
  public static final Set<String> NAMES = Set.of("auth", "admit", "estimate", "meter", "metrics", "journal", "store");

  private static volatile Set<String> off = Set.of();
  private static volatile boolean auth;
  private static volatile boolean admit;
  private static volatile boolean estimate;
  private static volatile boolean meter;
  private static volatile boolean metrics;
  private static volatile boolean journal;
  private static volatile boolean store;

  static {
    set(System.getProperty("tollgate.bench.off", ""));
  }

  private BenchSwitches() {}

  /** Switches off what the comma-separated list names (unknown names are ignored) and on everything else; what is off now. */
  public static Set<String> set(String list) {
    Set<String> names = Arrays.stream(list.split(",")).map(String::trim).filter(NAMES::contains)
        .collect(Collectors.toUnmodifiableSet());
    auth = names.contains("auth");
    admit = names.contains("admit");
    estimate = names.contains("estimate");
    meter = names.contains("meter");
    metrics = names.contains("metrics");
    journal = names.contains("journal");
    store = names.contains("store");
    off = names;
    return names;
  }

  /** What is switched off, for the warnings; empty in every real deployment. */
  public static Set<String> off() {
    return off;
  }

  public static boolean authOff() {
    return auth;
  }

  public static boolean admitOff() {
    return admit;
  }

  public static boolean estimateOff() {
    return estimate;
  }

  public static boolean meterOff() {
    return meter;
  }

  public static boolean metricsOff() {
    return metrics;
  }

  public static boolean journalOff() {
    return journal;
  }

  public static boolean storeOff() {
    return store;
  }
}
