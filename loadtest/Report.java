/*
 * Turns the raw measurements of run.sh (lines "RESULT <scenario> key=value ...") into the results
 * tables: medians over the interleaved rounds, Tollgate against the baselines, and each target met or
 * missed by how much.
 *
 *   java loadtest/Report.java RAW_FILE HEADER_FILE [NOISE_LOG]     (prints Markdown on stdout)
 *
 * With NOISE_LOG (lines "EPOCH others_cpu_pct=N", one per 5 s), each measurement that has t_start/t_end gets
 * the mean CPU other processes used meanwhile; medians leave out the runs during which that was over
 * NOISY_PCT % of one core, unless every run of that target was.
 */

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

public class Report {
  static final String[] TARGETS = {"direct", "nginx", "relay", "tollgate"};
  static final int D = 0, N = 1, R = 2, T = 3;   // indices into TARGETS
  static final List<Map<String, String>> rows = new ArrayList<>();
  static final StringBuilder out = new StringBuilder();
  static final List<String> verdicts = new ArrayList<>();
  static final double NOISY_PCT = 25;
  static final List<long[]> noise = new ArrayList<>();   // {epoch seconds, others' CPU %}

  public static void main(String[] args) throws Exception {
    if (args.length > 2 && Files.exists(Path.of(args[2]))) {
      for (String line : Files.readAllLines(Path.of(args[2]))) {
        String[] f = line.trim().split("\\s+");
        if (f.length == 2 && f[1].startsWith("others_cpu_pct=")) {
          noise.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1].substring(15))});
        }
      }
    }
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      if (line.startsWith("RESULT ")) rows.add(withNoise(parse(line)));
    }
    if (args.length > 1) out.append(Files.readString(Path.of(args[1]))).append('\n');
    againstRelay();
    nonStreamed();
    streams();
    memory();
    if (!noise.isEmpty()) {
      long noisy = rows.stream().filter(r -> r.containsKey("noise_pct") && num(r, "noise_pct") > NOISY_PCT).count();
      p("## Noise");
      p("");
      p(String.format(Locale.ROOT, "Runs during which other processes (not this benchmark) used over %.0f%% of one core: %d of %d "
          + "timed runs (their raw lines carry noise_pct); %d of them left out of the medians above because the same "
          + "target had quieter rounds. † in a table: every round of at least one target in that row ran while "
          + "other processes were busy, so treat that row as indicative only.", NOISY_PCT, noisy, rows.stream().filter(r -> r.containsKey("noise_pct")).count(),
          excludedRows.size()));
      p("");
    }
    p("## Targets");
    p("");
    verdicts.forEach(v -> p("- " + v));
    p("");
    p("<details><summary>Every measurement (one line per run)</summary>");
    p("");
    p("```");
    for (var r : rows) {
      StringBuilder b = new StringBuilder(r.get("_scenario"));
      r.forEach((k, v) -> { if (!k.startsWith("_")) b.append(' ').append(k).append('=').append(v); });
      p(b.toString());
    }
    p("```");
    p("</details>");
    System.out.print(out);
  }

  // ---- issue 18: Tollgate against the bare Vert.x relay (BareRelay.java), the floor on the same stack

  static final double GOAL_RPS_VS_RELAY = 0.85;
  static final double GOAL_RPS_VS_NGINX = 0.80;
  static final double GOAL_ADDED_P50_VS_RELAY_MS = 0.1;
  static final double GOAL_EVENT_CPU_VS_RELAY = 1.2;
  static final double GOAL_ADDED_TTFT_P99_VS_RELAY_MS = 5;
  static final int GOAL_TTFT_N = 500;
  static final double GOAL_LIVE_HEAP_MIB = 512;

  static String metOrMissed(boolean met) {
    return met ? "**met**" : "**missed**";
  }

  static void againstRelay() {
    boolean fast = measured("throughput", "relay") || measured("latency1", "relay");
    boolean streamed = measured("stream", "relay");
    if (!fast && !streamed) return;
    p("## Tollgate against the bare relay (issue 18)");
    p("");
    p("relay = `loadtest/BareRelay.java`, the least a relay on Tollgate's own stack does (same jar, Vert.x, Netty, native "
        + "epoll; the body read whole, one pooled upstream request with the client's headers and the provider key, the "
        + "answer written back whole or event by event; no auth, quotas, billing or metrics), measured in the same "
        + "interleaved rounds as the other targets. Ratios and differences of medians within this run.");
    p("");
    p("| goal | measured | verdict |");
    p("|---|---|---|");
    double[] rps = medians("throughput", "rps");
    String m = mark();
    double[] cpu = medians("throughput", "cpu_us_per_req");
    mark();
    if (rps != null && !Double.isNaN(rps[R])) {
      double vsRelay = rps[T] / rps[R];
      p(String.format(Locale.ROOT, "| requests: throughput at 32 connections, Tollgate ≥ %.2f × bare relay%s | **%.2f×** (%.0f vs %.0f req/s; "
          + "CPU per request %s vs %s µs, %s) | %s |", GOAL_RPS_VS_RELAY, m, vsRelay, rps[T], rps[R],
          cpu == null ? "—" : f(cpu[T], 1), cpu == null ? "—" : f(cpu[R], 1), cpu == null ? "—" : ratio(cpu[T], cpu[R]),
          metOrMissed(vsRelay >= GOAL_RPS_VS_RELAY)));
      verdict(vsRelay >= GOAL_RPS_VS_RELAY, String.format(Locale.ROOT, "throughput Tollgate / bare relay ≥ %.2f: %.2f",
          GOAL_RPS_VS_RELAY, vsRelay), String.format(Locale.ROOT, "missed by %.2f (%.0f%% of the target)",
          GOAL_RPS_VS_RELAY - vsRelay, 100 * vsRelay / GOAL_RPS_VS_RELAY));
    }
    if (rps != null && !Double.isNaN(rps[N])) {
      double vsNginx = rps[T] / rps[N];
      p(String.format(Locale.ROOT, "| requests: throughput at 32 connections, Tollgate ≥ %.2f × nginx proxy%s | **%.2f×** (%.0f vs %.0f req/s; "
          + "bare relay / nginx %s) | %s |", GOAL_RPS_VS_NGINX, m, vsNginx, rps[T], rps[N], ratio(rps[R], rps[N]),
          metOrMissed(vsNginx >= GOAL_RPS_VS_NGINX)));
    }
    double[] l50 = medians("latency1", "p50");
    m = mark();
    if (l50 != null && !Double.isNaN(l50[R])) {
      double a = l50[T] - l50[R];
      p(String.format(Locale.ROOT, "| requests: added p50 at one connection over the bare relay ≤ %.2f ms%s | **%+.3f ms** (%.3f vs %.3f ms; "
          + "bare relay over direct %s) | %s |", GOAL_ADDED_P50_VS_RELAY_MS, m, a, l50[T], l50[R], added(l50[R], l50[D]),
          metOrMissed(a <= GOAL_ADDED_P50_VS_RELAY_MS)));
      verdict(a <= GOAL_ADDED_P50_VS_RELAY_MS, String.format(Locale.ROOT, "added p50 at one connection over the bare relay ≤ %.2f ms: %+.3f ms",
          GOAL_ADDED_P50_VS_RELAY_MS, a), String.format(Locale.ROOT, "missed by %.3f ms", a - GOAL_ADDED_P50_VS_RELAY_MS));
    }
    TreeSet<Integer> ns = streamNs();
    if (streamed && !ns.isEmpty()) {
      Map<String, Integer> clean = largestClean(ns);
      int tg = clean.get("tollgate");
      int relay = clean.get("relay");
      p(String.format(Locale.ROOT, "| streams: stall-free N through Tollgate ≥ the bare relay's (N of %s) | **Tollgate %s, bare relay %s** "
          + "(direct %s, nginx %s)%s | %s |", ns, none(tg), none(relay), none(clean.get("direct")), none(clean.get("nginx")),
          relay == 0 ? "; the bare relay stalled at every N, so this says little" : "", metOrMissed(tg >= relay)));
      verdict(tg >= relay, "stall-free N through Tollgate ≥ the bare relay's: Tollgate " + none(tg) + ", bare relay " + none(relay),
          "Tollgate stalls from N = " + ns.higher(tg) + " on, the bare relay " + (relay >= ns.last() ? "at no N measured"
              : "from N = " + ns.higher(relay) + " on"));
      List<String> ratios = new ArrayList<>();
      boolean allMet = true;
      boolean any = false;
      for (int n : ns) {
        double[] c = medians("stream", "cpu_us_per_event", atN(n));
        if (c == null || Double.isNaN(c[T]) || Double.isNaN(c[R])) continue;
        double q = c[T] / c[R];
        any = true;
        allMet &= q <= GOAL_EVENT_CPU_VS_RELAY;
        ratios.add(String.format(Locale.ROOT, "N = %d: %.2f× (%.1f vs %.1f µs)", n, q, c[T], c[R]));
      }
      mark();
      if (any) {
        p(String.format(Locale.ROOT, "| streams: CPU per relayed event, Tollgate ≤ %.1f × bare relay (at every N) | %s | %s |",
            GOAL_EVENT_CPU_VS_RELAY, String.join("; ", ratios), metOrMissed(allMet)));
        verdict(allMet, String.format(Locale.ROOT, "CPU per relayed event Tollgate / bare relay ≤ %.1f at every N: %s",
            GOAL_EVENT_CPU_VS_RELAY, String.join("; ", ratios)), "over at some N (see the per-N table)");
      }
      if (ns.contains(GOAL_TTFT_N)) {
        double[] t99 = medians("stream", "ttft_p99", atN(GOAL_TTFT_N));
        m = mark();
        if (!Double.isNaN(t99[T]) && !Double.isNaN(t99[R])) {
          double a = t99[T] - t99[R];
          p(String.format(Locale.ROOT, "| streams: added time to first token p99 at N = %d over the bare relay ≤ %.0f ms%s | **%+.2f ms** "
              + "(%.2f vs %.2f ms; bare relay over direct %+.2f ms) | %s |", GOAL_TTFT_N, GOAL_ADDED_TTFT_P99_VS_RELAY_MS, m, a,
              t99[T], t99[R], t99[R] - t99[D], metOrMissed(a <= GOAL_ADDED_TTFT_P99_VS_RELAY_MS)));
          verdict(a <= GOAL_ADDED_TTFT_P99_VS_RELAY_MS, String.format(Locale.ROOT, "added TTFT p99 at N = %d over the bare relay ≤ %.0f ms: %+.2f ms",
              GOAL_TTFT_N, GOAL_ADDED_TTFT_P99_VS_RELAY_MS, a), String.format(Locale.ROOT, "missed by %.2f ms",
              a - GOAL_ADDED_TTFT_P99_VS_RELAY_MS));
        }
      } else {
        p(String.format(Locale.ROOT, "| streams: added time to first token p99 at N = %d over the bare relay ≤ %.0f ms | N = %d not measured "
            + "(--streams %s) | — |", GOAL_TTFT_N, GOAL_ADDED_TTFT_P99_VS_RELAY_MS, GOAL_TTFT_N, ns));
      }
    }
    double heap = -1;
    double partialHeap = -1;
    String heapWhat = "";
    double idleLive = rows.stream().filter(r -> r.get("_scenario").equals("memory") && r.get("phase").equals("idle"))
        .mapToDouble(r -> num(r, "live_heap_mib")).findFirst().orElse(0);
    for (var r : rows) {
      if (!r.get("_scenario").equals("memory") || !r.containsKey("streams")) continue;
      double live = num(r, "live_heap_mib");
      double n = num(r, "streams");
      double active = r.getOrDefault("active_streams", "").matches("\\d+") ? num(r, "active_streams") : -1;
      boolean partial = active >= 0 && active < n;
      double at10k = partial || n >= 10000 ? live : idleLive + (live - idleLive) * 10000 / n;
      String what = String.format(Locale.ROOT, "%.0f MiB with %.0f streams (%s)", live, n,
          r.get("phase").replace("streams_", "").replace('_', ' '))
          + (partial ? String.format(Locale.ROOT, ", only %.0f of them relayed: not counted", active)
              : at10k != live ? String.format(Locale.ROOT, ", %.0f MiB extrapolated to 10,000", at10k) : "");
      heapWhat += (heapWhat.isEmpty() ? "" : "; ") + what;
      if (partial) partialHeap = Math.max(partialHeap, live);
      else heap = Math.max(heap, Math.max(live, at10k));
    }
    if (heap < 0) heap = partialHeap;   // no run relayed all its streams: the best there is
    if (heap >= 0) {
      p(String.format(Locale.ROOT, "| streams: live heap with 10,000 open slow streams ≤ %.0f MiB | %s | %s |", GOAL_LIVE_HEAP_MIB,
          heapWhat, metOrMissed(heap <= GOAL_LIVE_HEAP_MIB)));
    }
    p("");
    if (streamed && !ns.isEmpty()) {
      p("Streams, per N (medians of the rounds; stalled = streams with a gap over " + firstOr("stream", "stall_ms", "100")
          + " ms, failed or incomplete, in the worst round; CPU per relayed event = the proxy's CPU time during the run / the "
          + "events the client received; the TTFT goal is set at N = " + GOAL_TTFT_N + ", the verdicts at other N are for reference):");
      p("");
      p(String.format(Locale.ROOT, "| N | stalled streams: direct / nginx / relay / Tollgate | TTFT p99 (ms): relay / Tollgate | "
          + "Tollgate − relay, TTFT p99 (goal ≤ %.0f ms) | CPU µs per event: relay / Tollgate | Tollgate / relay (goal ≤ %.1f×) |",
          GOAL_ADDED_TTFT_P99_VS_RELAY_MS, GOAL_EVENT_CPU_VS_RELAY));
      p("|---|---|---|---|---|---|");
      for (int n : ns) {
        double[] stalled = maxes("stream", "stalled", atN(n));
        double[] t99 = medians("stream", "ttft_p99", atN(n));
        double[] c = medians("stream", "cpu_us_per_event", atN(n));
        String mk = mark();
        double a = t99[T] - t99[R];
        double q = c == null ? Double.NaN : c[T] / c[R];
        p(String.format(Locale.ROOT, "| %s%s | %s / %s / %s / %s (of %d) | %s / %s | %s %s | %s / %s | %s %s |",
            n == GOAL_TTFT_N ? "**" + n + "**" : Integer.toString(n), mk,
            f(stalled[D], 0), f(stalled[N], 0), f(stalled[R], 0), f(stalled[T], 0), n, f(t99[R], 2), f(t99[T], 2),
            added(t99[T], t99[R]), Double.isNaN(a) ? "" : metOrMissed(a <= GOAL_ADDED_TTFT_P99_VS_RELAY_MS),
            c == null ? "—" : f(c[R], 1), c == null ? "—" : f(c[T], 1), Double.isNaN(q) ? "—" : ratio(c[T], c[R]),
            Double.isNaN(q) ? "" : metOrMissed(q <= GOAL_EVENT_CPU_VS_RELAY)));
      }
      p("");
    }
  }

  static String none(int n) {
    return n == 0 ? "none" : Integer.toString(n);
  }

  // ---- non-streamed: throughput, latency at one connection, open-loop latency

  static void nonStreamed() {
    p("## Non-streamed requests");
    p("");
    p("direct = nginx `return 200` with a ~600-byte chat.completion; nginx = nginx `proxy_pass` in front of it "
        + "(keep-alive, key injection); relay = the bare Vert.x relay (`BareRelay.java`) in front of it; tollgate = "
        + "Tollgate in front of it (team-key auth, team budget and quotas, billing to SQLite, access log off). Medians of "
        + "the interleaved rounds; latencies in ms.");
    p("");
    p("| scenario | direct | nginx proxy | bare relay | Tollgate | Tollgate vs nginx proxy | Tollgate vs bare relay | Tollgate vs direct |");
    p("|---|---|---|---|---|---|---|---|");
    double[] rps = medians("throughput", "rps");
    if (rps != null) {
      p(String.format(Locale.ROOT, "| throughput, 32 connections (req/s)%s | %s | %s | %s | %s | **%s** | **%s** | %s |",
          mark(), f(rps[D], 0), f(rps[N], 0), f(rps[R], 0), f(rps[T], 0), ratio(rps[T], rps[N]), ratio(rps[T], rps[R]),
          ratio(rps[T], rps[D])));
      double ratio = rps[T] / rps[N];
      verdict(ratio >= 0.8, String.format(Locale.ROOT, "throughput Tollgate / nginx proxy ≥ 0.80: %.2f", ratio),
          String.format(Locale.ROOT, "missed by %.2f (%.0f%% of the target)", 0.8 - ratio, 100 * ratio / 0.8));
      double[] cpu = medians("throughput", "cpu_us_per_req");
      if (cpu != null) {
        p(String.format(Locale.ROOT, "| CPU per request in that run (µs): upstream / proxy only / relay only / Tollgate only%s | %s | %s | %s | %s | %s | %s | |",
            mark(), f(cpu[D], 1), f(cpu[N], 1), f(cpu[R], 1), f(cpu[T], 1), ratio(cpu[T], cpu[N]), ratio(cpu[T], cpu[R])));
      }
      double[] errs = sums("throughput", "errors");
      if (errs[D] + errs[N] + errs[R] + errs[T] > 0) {
        p(String.format(Locale.ROOT, "| errors in those runs (sum) | %.0f | %.0f | %.0f | %.0f | | | |", errs[D], errs[N], errs[R], errs[T]));
      }
    }
    for (String[] q : new String[][] {{"p50", "p50"}, {"p99", "p99"}, {"p999", "p99.9"}}) {
      double[] v = medians("latency1", q[0]);
      if (v == null) continue;
      p(String.format(Locale.ROOT, "| latency at 1 connection, %s%s | %s | %s | %s | %s | %s | %s | **%s** |", q[1], mark(),
          f(v[D], 3), f(v[N], 3), f(v[R], 3), f(v[T], 3), added(v[T], v[N]), added(v[T], v[R]), added(v[T], v[D])));
    }
    double[] l50 = medians("latency1", "p50");
    double[] l99 = medians("latency1", "p99");
    mark();
    if (l50 != null) {
      double a = l50[T] - l50[D];
      verdict(a <= 0.15, String.format(Locale.ROOT, "added p50 at one connection ≤ 0.15 ms: %+.3f ms", a),
          String.format(Locale.ROOT, "missed by %.3f ms", a - 0.15));
      double b = l99[T] - l99[D];
      verdict(b <= 1.0, String.format(Locale.ROOT, "added p99 at one connection ≤ 1 ms: %+.3f ms", b),
          String.format(Locale.ROOT, "missed by %.3f ms", b - 1.0));
    }
    String rate = first("openloop", "rate");
    for (String[] q : new String[][] {{"p50", "p50"}, {"p99", "p99"}, {"p999", "p99.9"}, {"max", "max"}}) {
      double[] v = medians("openloop", q[0]);
      if (v == null) continue;
      p(String.format(Locale.ROOT, "| open loop, %s req/s, %s%s | %s | %s | %s | %s | %s | %s | **%s** |", rate, q[1], mark(),
          f(v[D], 3), f(v[N], 3), f(v[R], 3), f(v[T], 3), added(v[T], v[N]), added(v[T], v[R]), added(v[T], v[D])));
    }
    double[] ocpu = medians("openloop", "cpu_us_per_req");
    if (ocpu != null) {
      p(String.format(Locale.ROOT, "| open loop, CPU per request (µs): upstream / proxy only / relay only / Tollgate only%s | %s | %s | %s | %s | %s | %s | |",
          mark(), f(ocpu[D], 1), f(ocpu[N], 1), f(ocpu[R], 1), f(ocpu[T], 1), ratio(ocpu[T], ocpu[N]), ratio(ocpu[T], ocpu[R])));
    }
    double[] oe = sums("openloop", "errors");
    if (oe != null && oe[D] + oe[N] + oe[R] + oe[T] > 0) {
      p(String.format(Locale.ROOT, "| open loop errors (sum of rounds) | %.0f | %.0f | %.0f | %.0f | | | |", oe[D], oe[N], oe[R], oe[T]));
    }
    p("");
  }

  // ---- streams

  static TreeSet<Integer> streamNs() {
    TreeSet<Integer> ns = new TreeSet<>();
    for (var r : rows) if (r.get("_scenario").equals("stream")) ns.add(Integer.parseInt(r.get("n")));
    return ns;
  }

  static Predicate<Map<String, String>> atN(int n) {
    return r -> r.get("n").equals(Integer.toString(n));
  }

  /** Per target: the largest N with no stalled stream in any round, every smaller N clean too (0: none). */
  static Map<String, Integer> largestClean(TreeSet<Integer> ns) {
    Map<String, Integer> largest = new LinkedHashMap<>();
    Map<String, Boolean> stillClean = new LinkedHashMap<>();
    for (String t : TARGETS) { largest.put(t, 0); stillClean.put(t, true); }
    boolean keep = noisyRow;
    for (int n : ns) {
      double[] stalled = maxes("stream", "stalled", atN(n));
      for (int i = 0; i < TARGETS.length; i++) {
        if (stalled[i] == 0 && stillClean.get(TARGETS[i])) largest.put(TARGETS[i], n);
        else stillClean.put(TARGETS[i], false);
      }
    }
    noisyRow = keep;
    return largest;
  }

  static void streams() {
    TreeSet<Integer> ns = streamNs();
    if (ns.isEmpty()) return;
    p("## Streams");
    p("");
    p("N concurrent streams of " + firstOr("stream", "tokens", "64") + " tokens, one event every "
        + firstOr("stream", "interval_ms", "20") + " ms (started evenly over the ramp), through: direct = the fake provider, "
        + "nginx = nginx `proxy_pass` with `proxy_buffering off`, relay = the bare Vert.x relay (event by event), "
        + "tollgate = Tollgate. Times in ms, client side; TTFT from "
        + "the request being issued; gap = time between two consecutive events of one stream; medians of the rounds. "
        + "A stall = a gap over " + firstOr("stream", "stall_ms", "100") + " ms; 'stalled' = streams with a stall, "
        + "failed or incomplete (worst round).");
    p("");
    p("| N | target | TTFT p50 | TTFT p99 | added TTFT p50 / p99 vs direct | gap p50 | gap p99 | gap p99.9 | gap max | stalled streams (worst round) | CPU µs per event: target (client) |");
    p("|---|---|---|---|---|---|---|---|---|---|---|");
    for (int n : ns) {
      Predicate<Map<String, String>> atN = atN(n);
      double[] t50 = medians("stream", "ttft_p50", atN);
      double[] t99 = medians("stream", "ttft_p99", atN);
      double[] g50 = medians("stream", "gap_p50", atN);
      double[] g99 = medians("stream", "gap_p99", atN);
      double[] g999 = medians("stream", "gap_p999", atN);
      double[] gmax = medians("stream", "gap_max", atN);
      double[] stalled = maxes("stream", "stalled", atN);
      double[] cpu = medians("stream", "cpu_us_per_event", atN);
      double[] clientCpu = medians("stream", "client_cpu_us_per_event", atN);
      String m = mark();
      for (int i = 0; i < TARGETS.length; i++) {
        if (Double.isNaN(t50[i])) continue;
        String addedTtft = i == D ? "" : added(t50[i], t50[D]) + " / " + added(t99[i], t99[D]);
        p(String.format(Locale.ROOT, "| %d%s | %s | %.2f | %.2f | %s | %.2f | %.2f | %.2f | %.2f | %.0f / %d | %s |", n, m, TARGETS[i],
            t50[i], t99[i], addedTtft, g50[i], g99[i], g999[i], gmax[i], stalled[i], n,
            cpu == null || Double.isNaN(cpu[i]) ? "" : String.format(Locale.ROOT, "%.1f (%.1f)", cpu[i], clientCpu[i])));
      }
    }
    Map<String, Integer> largestClean = largestClean(ns);
    p("");
    p("Largest N (of " + ns + ") with no stall in any round, and every smaller N clean too: "
        + String.join(", ", largestClean.entrySet().stream().filter(e -> measured("stream", e.getKey()))
            .map(e -> e.getKey() + " " + (e.getValue() == 0 ? "none" : e.getValue())).toList()) + ".");
    p("");
    p("CPU µs per event: CPU time of the fake provider (direct), of nginx (proxy only), of the bare relay (only) or of "
        + "Tollgate (only) during the run, divided by the events the client received; in brackets the same for the load "
        + "generator (StreamLoad).");
    p("");
    int top = ns.last();
    int tg = largestClean.get("tollgate");
    int dir = largestClean.get("direct");
    verdict(tg >= top, "streams: Tollgate has no stall up to N = " + top + " (largest clean N: Tollgate " + tg
        + ", direct " + dir + ", nginx " + largestClean.get("nginx")
        + (measured("stream", "relay") ? ", bare relay " + largestClean.get("relay") : "") + ")",
        "Tollgate stalls from N = " + ns.higher(tg == 0 ? 0 : tg) + " on" + (dir < top ? " (the direct path stalls from N = "
            + ns.higher(dir == 0 ? 0 : dir) + " on, on this shared 2-core machine)" : ""));
  }

  // ---- memory

  static void memory() {
    List<Map<String, String>> mem = rows.stream().filter(r -> r.get("_scenario").equals("memory")).toList();
    if (mem.isEmpty()) return;
    p("## Memory, GC and billing ledger of the Tollgate process");
    p("");
    p("Tollgate started with `" + firstOr("memory", "jvm_opts", "?").replace('_', ' ') + "`. heap used = G1 heap in use "
        + "(live + garbage) when sampled; live heap = heap in use right after a full GC (`jcmd PID GC.run`), sampled a "
        + "moment later (under load it includes what was allocated in between); RSS = VmRSS. Slow streams: one event per "
        + "second, all opened before the measurement; 'one upstream' = all to the fake provider's one address, 'six "
        + "upstreams' = spread over six addresses of it (nginx ports), so that the gateway's per-endpoint upstream "
        + "connection pool does not limit how many are relayed at once.");
    p("");
    p("| phase | RSS (MiB) | heap used (MiB) | live heap after full GC (MiB) | heap committed (MiB) | tollgate_active_streams | live heap per open stream (KiB) | client's view |");
    p("|---|---|---|---|---|---|---|---|");
    double idleLive = mem.stream().filter(r -> r.get("phase").equals("idle")).mapToDouble(r -> num(r, "live_heap_mib"))
        .findFirst().orElse(0);
    for (var r : mem) {
      String perStream = "";
      if (r.containsKey("streams")) {
        perStream = String.format(Locale.ROOT, "%.1f", (num(r, "live_heap_mib") - idleLive) * 1024 / num(r, "streams"));
      }
      String phase = r.get("phase").replace('_', ' ') + (r.containsKey("streams") ? " (" + r.get("streams") + " streams)" : "");
      p(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |", phase, r.get("rss_mib"),
          r.get("heap_used_mib"), r.get("live_heap_mib"), r.get("heap_committed_mib"), r.getOrDefault("active_streams", ""),
          perStream, r.getOrDefault("client", "").replace('_', ' ').replace(':', ' ')));
    }
    p("");
    rows.stream().filter(r -> r.get("_scenario").equals("gc")).findFirst().ifPresent(r -> p("GC pauses of Tollgate over "
        + "the whole run (G1, not counting the full GCs asked for by the measurement): " + r.get("pauses") + " pauses, longest "
        + r.get("max_pause_ms") + " ms, " + r.get("total_pause_ms") + " ms in total."));
    p("");
    List<Map<String, String>> ledger = rows.stream().filter(r -> r.get("_scenario").equals("ledger")).toList();
    if (!ledger.isEmpty()) {
      p("Billing ledger (usage records; `tollgate_ledger_*`):");
      p("");
      p("| after | written to SQLite | waiting in memory | dropped (lost) |");
      p("|---|---|---|---|");
      for (var r : ledger) p("| " + r.get("phase").replace('_', ' ') + " | " + r.get("written") + " | " + r.get("pending") + " | "
          + r.get("dropped") + " |");
      p("");
      double dropped = num(ledger.get(ledger.size() - 1), "dropped");
      if (dropped > 0) {
        verdicts.add("**billing**: the ledger dropped " + (long) dropped + " usage records during the run (its buffer of waiting "
            + "records filled up: SQLite writes fall behind the request rate)");
      }
    }
    for (var r : mem) {
      if (!r.containsKey("streams")) continue;
      double live = num(r, "live_heap_mib");
      double n = num(r, "streams");
      double active = r.get("active_streams").matches("\\d+") ? num(r, "active_streams") : -1;
      String what = String.format(Locale.ROOT, "live heap with %.0f open slow streams (%s) ≤ 512 MiB: %.0f MiB, "
          + "tollgate_active_streams = %.0f", n, r.get("phase").replace("streams_", "").replace('_', ' '), live, active);
      if (active >= 0 && active < n) {
        java.util.regex.Matcher failed = java.util.regex.Pattern.compile("failed:(\\d+)").matcher(r.getOrDefault("client", ""));
        String why = failed.find() && Long.parseLong(failed.group(1)) > 0
            ? String.format(Locale.ROOT, "not relayed (the client saw %s of them fail: refused by the gateway, e.g. past "
                + "server.max-concurrent-per-target, or out of file descriptors; see the client's log)", failed.group(1))
            : "waiting for an upstream connection";
        what += String.format(Locale.ROOT, " — only %.0f of them relayed, the other %.0f %s, so this does not show the "
            + "cost of %.0f relayed streams", active, n - active, why, n);
      } else if (n < 10000) {
        double at10k = idleLive + (live - idleLive) * 10000 / n;
        what += String.format(Locale.ROOT, "; extrapolated linearly to 10,000 relayed streams: %.0f MiB", at10k);
        live = Math.max(live, at10k);
      }
      verdict(live <= 512, what, String.format(Locale.ROOT, "over by %.0f MiB", live - 512));
    }
  }

  static double num(Map<String, String> r, String key) {
    return Double.parseDouble(r.get(key));
  }

  // ---- helpers

  static void verdict(boolean met, String what, String miss) {
    verdicts.add((met ? "**met**: " : "**missed**: ") + what + (met ? "" : " — " + miss));
  }

  static String added(double v, double base) {
    return Double.isNaN(v) || Double.isNaN(base) ? "—" : String.format(Locale.ROOT, "%+.3f ms", v - base);
  }

  /** v with the given decimals, or "—" when it was not measured. */
  static String f(double v, int decimals) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  /** a / b as "0.00×", or "—". */
  static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "—" : String.format(Locale.ROOT, "%.2f×", a / b);
  }

  /** Whether any run of the scenario measured the target. */
  static boolean measured(String scenario, String target) {
    return rows.stream().anyMatch(r -> r.get("_scenario").equals(scenario) && target.equals(r.get("target")));
  }

  static Map<String, String> parse(String line) {
    Map<String, String> m = new LinkedHashMap<>();
    String[] parts = line.substring(7).trim().split("\\s+");
    m.put("_scenario", parts[0]);
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq > 0) m.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
    }
    return m;
  }

  static double[] medians(String scenario, String key) {
    return medians(scenario, key, r -> true);
  }

  static double[] medians(String scenario, String key, Predicate<Map<String, String>> filter) {
    double[] res = new double[TARGETS.length];
    boolean any = false;
    for (int i = 0; i < TARGETS.length; i++) {
      List<Double> v = values(scenario, key, TARGETS[i], filter);
      res[i] = v.isEmpty() ? Double.NaN : median(v);
      any |= !v.isEmpty();
    }
    return any ? res : null;
  }

  static double[] sums(String scenario, String key) {
    boolean keep = noisyRow;
    try {
      return sumsOf(scenario, key);
    } finally {
      noisyRow = keep;
    }
  }

  static double[] sumsOf(String scenario, String key) {
    double[] res = new double[TARGETS.length];
    for (int i = 0; i < TARGETS.length; i++) res[i] = values(scenario, key, TARGETS[i], r -> true).stream().mapToDouble(d -> d).sum();
    return res;
  }

  static double[] maxes(String scenario, String key, Predicate<Map<String, String>> filter) {
    boolean keep = noisyRow;
    try {
      return maxesOf(scenario, key, filter);
    } finally {
      noisyRow = keep;
    }
  }

  static double[] maxesOf(String scenario, String key, Predicate<Map<String, String>> filter) {
    double[] res = new double[TARGETS.length];
    for (int i = 0; i < TARGETS.length; i++) {
      res[i] = values(scenario, key, TARGETS[i], filter).stream().mapToDouble(d -> d).max().orElse(Double.NaN);
    }
    return res;
  }

  /** The values of KEY for the matching runs, leaving out noisy runs when there are quiet ones. */
  static List<Double> values(String scenario, String key, String target, Predicate<Map<String, String>> filter) {
    List<Map<String, String>> all = new ArrayList<>();
    for (var r : rows) {
      if (r.get("_scenario").equals(scenario) && target.equals(r.get("target")) && r.containsKey(key) && filter.test(r)) all.add(r);
    }
    List<Map<String, String>> quiet = all.stream().filter(r -> !isNoisy(r)).toList();
    List<Map<String, String>> use = quiet.isEmpty() ? all : quiet;
    if (quiet.isEmpty() && all.stream().anyMatch(Report::isNoisy)) noisyRow = true;
    for (var r : all) if (!use.contains(r)) excludedRows.add(r);
    List<Double> v = new ArrayList<>();
    for (var r : use) v.add(Double.parseDouble(r.get(key)));
    return v;
  }

  static boolean noisyRow;   // a median of the row being built came from runs that were all noisy

  /** "†" when a median of the row just computed came only from noisy runs (then resets the mark). */
  static String mark() {
    String m = noisyRow ? " †" : "";
    noisyRow = false;
    return m;
  }

  static final java.util.Set<Map<String, String>> excludedRows =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  static boolean isNoisy(Map<String, String> r) {
    return r.containsKey("noise_pct") && num(r, "noise_pct") > NOISY_PCT;
  }

  /** Adds noise_pct: the mean CPU of other processes over the 5-second samples overlapping the run. */
  static Map<String, String> withNoise(Map<String, String> r) {
    if (noise.isEmpty() || !r.containsKey("t_start") || !r.containsKey("t_end")) return r;
    long from = Long.parseLong(r.get("t_start"));
    long to = Long.parseLong(r.get("t_end"));
    double sum = 0;
    int n = 0;
    for (long[] s : noise) {
      if (s[0] > from && s[0] - 5 < to) {
        sum += s[1];
        n++;
      }
    }
    if (n > 0) r.put("noise_pct", String.format(Locale.ROOT, "%.0f", sum / n));
    return r;
  }

  static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(Double::compare);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  static String first(String scenario, String key) {
    return firstOr(scenario, key, "?");
  }

  static String firstOr(String scenario, String key, String fallback) {
    for (var r : rows) if (r.get("_scenario").equals(scenario) && r.containsKey(key)) return r.get(key);
    return fallback;
  }

  static void p(String s) {
    out.append(s).append('\n');
  }
}
