/*
 * Open-loop latency: requests are sent on a fixed schedule (request i at start + i / rate), whatever
 * the answers do, and each latency is measured from the request's scheduled send time to the end of
 * its response. A stall therefore shows up in the latency of every request scheduled during it
 * (no coordinated omission), unlike a closed-loop client that just waits and sends less.
 *
 *   java -cp target/tollgate.jar loadtest/OpenLoop.java --target NAME=URL [--target ...] \
 *        [--rate 2000] [--seconds 10] [--warmup-s 3] [--rounds 3] [--connections 64] \
 *        [--header "Name: value"] [--body-file FILE]
 *
 * Targets are measured in interleaved rounds (a, b, c, a, b, c, ...) after a warm-up per target.
 * Per run it prints:
 *   RESULT openloop target=T round=R rate=.. sent=.. ok=.. errors=.. p50=ms p99=ms p999=ms max=ms
 * A request without a 200 answer within --timeout-ms counts as an error and as the slowest latency.
 * Percentiles come from the sorted array of every latency (nearest rank). The schedule is kept by a
 * sender thread (parkNanos), which hands each send to the client's single event loop.
 */

import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

public class OpenLoop {
  static final Map<String, String> targets = new LinkedHashMap<>();
  static final List<String[]> headers = new ArrayList<>();
  static final Map<String, String> cpuPids = new LinkedHashMap<>();
  static final long CLK_TCK = Long.getLong("clk.tck", 100);
  static int rate = 2000;
  static int seconds = 10;
  static int warmupS = 3;
  static int rounds = 3;
  static int connections = 64;
  static int timeoutMs = 5000;
  static String body = "{\"model\":\"gpt-bench\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
      + "{\"role\":\"user\",\"content\":\"Write one sentence about a quick brown fox.\"}],\"max_tokens\":64}";

  public static void main(String[] args) throws Exception {
    parse(args);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    try {
      for (var t : targets.entrySet()) {
        if (warmupS > 0) System.out.println("warm-up " + t.getKey() + ": " + run(vertx, t.getValue(), warmupS));
      }
      for (int round = 1; round <= rounds; round++) {
        for (var t : targets.entrySet()) {
          String pids = cpuPids.get(t.getKey());
          long cpuBefore = cpuMs(pids);
          long tStart = System.currentTimeMillis() / 1000;
          String result = run(vertx, t.getValue(), seconds);
          long cpu = pids == null || cpuBefore < 0 ? -1 : cpuMs(pids) - cpuBefore;
          String cpuField = cpu < 0 ? "" : String.format(Locale.ROOT, " cpu_ms=%d cpu_us_per_req=%.1f", cpu,
              cpu * 1000.0 / ((long) rate * seconds));
          System.out.println("RESULT openloop target=" + t.getKey() + " round=" + round + " " + result + cpuField
              + " t_start=" + tStart + " t_end=" + System.currentTimeMillis() / 1000);
          System.out.flush();
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** One open-loop run of {@code secs} seconds at {@code rate} requests per second against one URL. */
  static String run(Vertx vertx, String url, int secs) throws Exception {
    int total = rate * secs;
    long[] latency = new long[total];
    Arrays.fill(latency, Long.MAX_VALUE);   // never answered = slowest
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch answered = new CountDownLatch(total);

    Context ctx = vertx.getOrCreateContext();
    HttpClient[] holder = new HttpClient[1];
    CountDownLatch created = new CountDownLatch(1);
    ctx.runOnContext(v -> {
      holder[0] = vertx.createHttpClient(
          new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(5000).setIdleTimeout(0),
          new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
      created.countDown();
    });
    created.await();
    HttpClient client = holder[0];
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (String[] kv : headers) h.add(kv[0], kv[1]);
    h.set("content-type", "application/json");
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).setHeaders(h)
        .setIdleTimeout(timeoutMs);
    Buffer payload = Buffer.buffer(body);

    long period = 1_000_000_000L / rate;
    long start = System.nanoTime() + 20_000_000L;
    for (int i = 0; i < total; i++) {
      long scheduled = start + i * period;
      long wait;
      while ((wait = scheduled - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
      int index = i;
      ctx.runOnContext(v -> client.request(options)
          .compose(req -> req.send(payload))
          .compose(resp -> resp.body().map(b -> resp.statusCode()))
          .onComplete(ar -> {
            if (ar.succeeded() && ar.result() == 200) {
              latency[index] = System.nanoTime() - scheduled;
              ok.incrementAndGet();
            } else {
              errors.incrementAndGet();
            }
            answered.countDown();
          }));
    }
    boolean all = answered.await(timeoutMs + 2000L, TimeUnit.MILLISECONDS);
    long elapsed = System.nanoTime() - start;
    CountDownLatch closed = new CountDownLatch(1);
    ctx.runOnContext(v -> client.close().onComplete(x -> closed.countDown()));
    closed.await(10, TimeUnit.SECONDS);
    int unanswered = all ? 0 : (int) answered.getCount();
    long[] sorted = latency.clone();   // every answer counted happened-before await() returned
    Arrays.sort(sorted);
    return String.format(Locale.ROOT, "rate=%d sent=%d ok=%d errors=%d p50=%.3f p99=%.3f p999=%.3f max=%.3f achieved_rps=%.0f",
        rate, total, ok.get(), errors.get() + unanswered, ms(pct(sorted, 50)), ms(pct(sorted, 99)), ms(pct(sorted, 99.9)),
        ms(sorted[sorted.length - 1]), ok.get() / (elapsed / 1e9));
  }

  static long pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static double ms(long nanos) {
    return nanos == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : nanos / 1e6;
  }

  /** CPU time (ms) used so far by the given processes, from /proc/PID/stat (utime + stime, all threads). */
  static long cpuMs(String pids) {
    if (pids == null) return -1;
    long ticks = 0;
    for (String pid : pids.split(",")) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid.trim() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (Exception e) {
        return -1;
      }
    }
    return ticks * 1000 / CLK_TCK;
  }

  static void parse(String[] args) throws Exception {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--target" -> {
          int eq = v.indexOf('=');
          targets.put(v.substring(0, eq), v.substring(eq + 1));
          i++;
        }
        case "--cpu-pids" -> {
          int eq = v.indexOf('=');
          cpuPids.put(v.substring(0, eq), v.substring(eq + 1));
          i++;
        }
        case "--header" -> {
          int colon = v.indexOf(':');
          headers.add(new String[] {v.substring(0, colon).trim(), v.substring(colon + 1).trim()});
          i++;
        }
        case "--rate" -> { rate = Integer.parseInt(v); i++; }
        case "--seconds" -> { seconds = Integer.parseInt(v); i++; }
        case "--warmup-s" -> { warmupS = Integer.parseInt(v); i++; }
        case "--rounds" -> { rounds = Integer.parseInt(v); i++; }
        case "--connections" -> { connections = Integer.parseInt(v); i++; }
        case "--timeout-ms" -> { timeoutMs = Integer.parseInt(v); i++; }
        case "--body-file" -> { body = Files.readString(Path.of(v)).trim(); i++; }
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (targets.isEmpty()) throw new IllegalArgumentException("at least one --target NAME=URL is needed");
  }
}
