package dev.tollgate.core;

import java.util.Arrays;
import java.util.Locale;
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
public enum BenchSwitches {
  AUTH, ADMIT, ESTIMATE, METER, METRICS, JOURNAL, STORE,
  /** Request ids and Server-Timing: no id made or sent (one constant id), no timing header. */
  IDS,
  /**
   * Body parsing (OpenAI dialect): no JSON tree of the request; its model and {@code stream} read by a streaming scan and
   * its bytes sent upstream as they came (the model not rewritten, the prompt empty): the floor of a tree-less parse.
   */
  PARSE;

  private volatile boolean off; // read per request: one plain load

  static {
    set(System.getProperty("tollgate.bench.off", ""));
  }

  /** Whether this stage's work is left out. */
  public boolean off() {
    return off;
  }

  /** Switches off what the comma-separated list names (unknown names are ignored) and on everything else; what is off now. */
  public static Set<String> set(String list) {
    Set<String> names = Arrays.stream(list.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    for (BenchSwitches s : values()) s.off = names.contains(s.name().toLowerCase(Locale.ROOT));
    return leftOut();
  }

  /** The names of what is switched off, for the warnings; empty in every real deployment. */
  public static Set<String> leftOut() {
    return Arrays.stream(values()).filter(BenchSwitches::off).map(s -> s.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
  }
}
