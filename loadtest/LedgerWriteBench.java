import dev.tollgate.billing.UsageEvent;
import dev.tollgate.core.Ids;
import dev.tollgate.core.Usage;
import dev.tollgate.store.Database;
import dev.tollgate.store.LedgerStore;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The CPU the SQLite ledger writer spends per usage record: a fresh store in a temporary directory, opened and
 * migrated by the gateway's own {@code Database}, written through the gateway's own {@code LedgerStore.write} in
 * batches of the size the ledger hands it under load, after a warm-up into the same file. The ledger's writer wakes
 * once 100 records wait (Ledger.TRICKLE) and takes what the journal has handed on by then: the real Ledger, fed
 * 7,200 records/s with the journal on and a store costing 20 us a record, wrote batches of 111 (median; 100 to 131
 * from the 10th to the 90th percentile).
 * Each run prints the writer thread's CPU time (ThreadMXBean) and the wall time of the {@code write} calls alone,
 * per record; the events are made outside the timed calls.
 *
 * <p>Events look like the gateway's: four teams, two keys each, three models, some streams, errors and cache hits,
 * completing at {@code --rate} per second of simulated time. {@code ts} is the request's start, so records reach the
 * store out of {@code ts} order by their latency: {@code --latency wrk} 1-3 ms (the load tests' upstream answers at
 * once; the case the gateway's CPU profile was taken in), {@code --latency llm} 50 ms to 20 s (embeddings, chats,
 * streams), where every index on {@code ts} takes each record in a different page. {@code id} comes from
 * {@code Ids.timeOrdered} as UsageMeter makes it (at completion: in write order); the request id has RequestIds'
 * format but the simulated start time, since the bench runs faster than real time and {@code Ids} reads the clock.
 *
 * <pre>java -cp target/tollgate.jar loadtest/LedgerWriteBench.java [--latency wrk|llm] [--records 200000] [--batch 110]
 *     [--warmup 30000] [--rate 7200] [--runs 1]</pre>
 *
 * To compare builds, run each jar in turn, a few rounds, and take medians (this machine is shared and noisy):
 * <pre>for r in 1 2 3 4 5; do for j in before.jar after.jar; do echo -n "$j "; java -cp $j loadtest/LedgerWriteBench.java; done; done</pre>
 */
public class LedgerWriteBench {
  static final String[] TEAMS = {"search", "support-bot", "analytics", "platform"};
  static final String[][] MODELS = {
      {"gpt-4o-mini", "openai", "gpt-4o-mini-2024-07-18", "/v1/chat/completions"},
      {"claude-sonnet", "anthropic", "claude-sonnet-4-20250514", "/v1/messages"},
      {"text-embedding-3-small", "openai", "text-embedding-3-small", "/v1/embeddings"}};

  public static void main(String[] args) throws Exception {
    int records = intArg(args, "--records", 200_000);
    int batch = intArg(args, "--batch", 110);
    int warmup = intArg(args, "--warmup", 30_000);
    int runs = intArg(args, "--runs", 1);
    int rate = intArg(args, "--rate", 7_200);
    String latency = stringArg(args, "--latency", "wrk");
    if (!latency.equals("llm") && !latency.equals("wrk")) throw new IllegalArgumentException("--latency llm|wrk");
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    Vertx vertx = Vertx.vertx();
    double[] cpu = new double[runs];
    double[] wall = new double[runs];
    try {
      for (int run = 0; run < runs; run++) {
        double[] r = run(vertx, records, batch, warmup, rate, latency, run + 1);
        cpu[run] = r[0];
        wall[run] = r[1];
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    if (runs > 1) {
      System.out.printf(Locale.ROOT, "ledger-write median runs=%d cpu_us_per_record=%.2f wall_us_per_record=%.2f%n", runs,
          median(cpu), median(wall));
    }
  }

  static double[] run(Vertx vertx, int records, int batch, int warmup, int rate, String latency, int run) throws Exception {
    Path dir = Files.createTempDirectory("ledger-bench");
    Database db = Database.open(vertx, "sqlite:" + dir.resolve("tollgate.db"));
    try {
      LedgerStore store = new LedgerStore(db);
      SplittableRandom random = new SplittableRandom(42);
      Traffic traffic = new Traffic(rate, latency.equals("llm"));
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      write(store, traffic, random, warmup, batch, threads);
      long[] timed = write(store, traffic, random, records, batch, threads);
      double cpuUs = timed[0] / 1000.0 / records;
      double wallUs = timed[1] / 1000.0 / records;
      System.out.printf(Locale.ROOT, "ledger-write run=%d records=%d batch=%d warmup=%d rate=%d latency=%s cpu_us_per_record=%.2f wall_us_per_record=%.2f "
          + "db_mib=%.1f%n", run, records, batch, warmup, rate, latency, cpuUs, wallUs, bytes(dir) / 1048576.0);
      return new double[] {cpuUs, wallUs};
    } finally {
      db.close().toCompletionStage().toCompletableFuture().get();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Writes {@code n} records in batches; returns the CPU and wall nanoseconds spent in {@code write} alone. */
  static long[] write(LedgerStore store, Traffic traffic, SplittableRandom random, int n, int batch, ThreadMXBean threads) throws Exception {
    long cpu = 0;
    long wall = 0;
    for (int done = 0; done < n; ) {
      int size = Math.min(batch, n - done);
      List<UsageEvent> events = new ArrayList<>(size);
      for (int i = 0; i < size; i++) events.add(event(traffic, random));
      long cpu0 = threads.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      int written = store.write(events);
      wall += System.nanoTime() - wall0;
      cpu += threads.getCurrentThreadCpuTime() - cpu0;
      if (written != size) throw new IllegalStateException("wrote " + written + " of " + size);
      done += size;
    }
    return new long[] {cpu, wall};
  }

  /** The next event of the simulated traffic (see the class comment). */
  static UsageEvent event(Traffic t, SplittableRandom r) {
    long done = t.start + t.count++ * 1000L / t.rate;
    String team = TEAMS[r.nextInt(TEAMS.length)];
    String key = "key_" + team + "_" + r.nextInt(2);
    String[] m = MODELS[r.nextInt(10) < 7 ? 0 : r.nextInt(1, 3)];
    boolean embedding = m[3].endsWith("embeddings");
    boolean stream = !embedding && r.nextBoolean();
    long latency = t.llm ? (long) (embedding ? 50 * Math.pow(10, r.nextDouble()) : 500 * Math.pow(40, r.nextDouble())) : r.nextLong(1, 4);
    long ts = done - latency;
    int status = r.nextInt(100) < 2 ? 429 : r.nextInt(100) < 1 ? 502 : 200;
    boolean hit = status == 200 && r.nextInt(100) < 5;
    Usage usage = status != 200 || hit ? Usage.ZERO
        : new Usage(r.nextLong(20, 3_000), embedding ? 0 : r.nextLong(1, 800), r.nextInt(4) == 0 ? r.nextLong(0, 1_000) : 0, 0);
    Usage saved = hit ? new Usage(r.nextLong(20, 3_000), r.nextLong(1, 800), 0, 0) : Usage.ZERO;
    long cost = usage.promptTokens() * 150 + usage.completionTokens() * 600;
    String requestId = String.format(Locale.ROOT, "req_%012x%012x", ts | (1L << 44), r.nextLong() >>> 16);
    return new UsageEvent(Ids.timeOrdered("u_", 16), requestId, ts, team, key, m[0], m[0], hit ? null : m[2], m[1], m[3], stream,
        usage, cost, true, false, hit ? "hit" : null, saved, hit ? saved.promptTokens() * 150 + saved.completionTokens() * 600 : 0,
        status, status == 200 ? "ok" : "error", latency, stream ? Long.valueOf(Math.min(latency, r.nextLong(20, 400))) : null,
        r.nextInt(10) == 0 ? "user-" + r.nextInt(1_000) : null);
  }

  /** Simulated traffic: {@code rate} completions per second from {@code start} (ms); LLM-like latencies or ~1 ms ones. */
  static final class Traffic {
    final long start = System.currentTimeMillis();
    final int rate;
    final boolean llm;
    long count;

    Traffic(int rate, boolean llm) {
      this.rate = rate;
      this.llm = llm;
    }
  }

  static long bytes(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  static String stringArg(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) return args[i + 1];
    }
    return fallback;
  }

  static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) return Integer.parseInt(args[i + 1]);
    }
    return fallback;
  }
}
