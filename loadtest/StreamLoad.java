/*
 * Concurrent SSE streams against one or more targets, measured on the client side.
 *
 *   java -cp target/tollgate.jar loadtest/StreamLoad.java --target NAME=URL [--target ...] [options]
 *
 * Sweep mode (default): for each N in --streams, for each round, for each target (interleaved), open N
 * streams spread evenly over --ramp-ms, each one a streamed chat completion paced by the fake provider
 * (x-mock-tokens, x-mock-interval-ms). Every SSE event gets a client-side timestamp as it arrives; per
 * run it prints one line:
 *   RESULT stream target=T n=N round=R streams=.. ok=.. failed=.. ttft_p50=ms ttft_p99=ms gap_p50=ms
 *          gap_p99=ms gap_p999=ms gap_max=ms stalled=.. duration_s=..
 * ttft: from the moment the request was issued to the first data event; gap: between consecutive data
 * events of one stream; stalled: streams with a gap over --stall-ms (or failed / incomplete streams).
 * Before the sweep, each target gets unmeasured warm-up runs of --warmup-streams streams, repeated for at
 * least --warmup-s seconds, so that the sweep measures JIT-compiled code.
 *
 * Hold mode (--hold-s S): opens N streams to the first target over --ramp-ms and keeps them open for S
 * seconds, printing "STATUS opened=.. first=.. events=.. done=.. failed=.." every second, then closes
 * every connection and exits (used to measure the gateway's memory with many open streams).
 *
 * One Vert.x HttpClient on one event loop, non-blocking; SSE is parsed incrementally, byte by byte, in
 * the buffers as they arrive. Uses only Vert.x core from the gateway's fat jar.
 */

import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

public class StreamLoad {
  // ---- options
  static final Map<String, String> targets = new LinkedHashMap<>();
  static final List<String[]> headers = new ArrayList<>();
  static final Map<String, String> cpuPids = new LinkedHashMap<>();
  static final long CLK_TCK = Long.getLong("clk.tck", 100);
  static final String SELF = Long.toString(ProcessHandle.current().pid());
  static int[] streamCounts = {100};
  static int rounds = 1;
  static int tokens = 64;
  static int intervalMs = 20;
  static int rampMs = 1000;
  static int stallMs = 100;
  static int warmupStreams = 100;
  static int warmupSeconds = 0;
  static int holdSeconds = 0;
  static int timeoutS = 60;
  static String body = "{\"model\":\"gpt-stream\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story about a quick brown fox.\"}]}";

  public static void main(String[] args) throws Exception {
    parse(args);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    try {
      if (holdSeconds > 0) {
        hold(vertx);
      } else {
        sweep(vertx);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  static void sweep(Vertx vertx) throws Exception {
    if (warmupStreams > 0) {
      // the stream path is code the non-streamed warm-up never ran: runs of warmupStreams streams,
      // repeated for at least warmupSeconds per target, let its JIT compilation finish before measuring
      for (var t : targets.entrySet()) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        int runs = 0;
        do {
          Run r = run(vertx, t.getValue(), warmupStreams, false);
          System.out.println("warm-up " + t.getKey() + " run " + ++runs + ": " + r.summary(0));
        } while (System.nanoTime() - until < 0);
      }
    }
    for (int n : streamCounts) {
      for (int round = 1; round <= rounds; round++) {
        for (var t : targets.entrySet()) {
          String pids = cpuPids.get(t.getKey());
          long cpuBefore = cpuMs(pids);
          long clientBefore = cpuMs(SELF);
          long tStart = System.currentTimeMillis() / 1000;
          Run r = run(vertx, t.getValue(), n, false);
          long cpu = pids == null || cpuBefore < 0 ? -1 : cpuMs(pids) - cpuBefore;
          long clientCpu = cpuMs(SELF) - clientBefore;
          long events = Math.max(1, r.events);
          String cpuField = String.format(Locale.ROOT, " client_cpu_us_per_event=%.1f", clientCpu * 1000.0 / events)
              + (cpu < 0 ? "" : String.format(Locale.ROOT, " cpu_ms=%d cpu_us_per_event=%.1f", cpu, cpu * 1000.0 / events));
          System.out.println("RESULT stream target=" + t.getKey() + " n=" + n + " round=" + round + " tokens=" + tokens
              + " interval_ms=" + intervalMs + " stall_ms=" + stallMs + " " + r.summary(n) + " events=" + r.events + cpuField
              + " t_start=" + tStart + " t_end=" + System.currentTimeMillis() / 1000);
          System.out.flush();
        }
      }
    }
  }

  static void hold(Vertx vertx) throws Exception {
    var t = targets.entrySet().iterator().next();
    int n = streamCounts[0];
    Run r = run(vertx, t.getValue(), n, true);
    System.out.println("RESULT hold target=" + t.getKey() + " n=" + n + " at_stop: " + r.statusAtStop);
  }

  // ---- one run: N streams to one URL

  static Run run(Vertx vertx, String url, int n, boolean holdMode) throws Exception {
    Run run = new Run(n);
    Context ctx = vertx.getOrCreateContext();
    CompletableFuture<Void> finished = new CompletableFuture<>();
    ctx.runOnContext(v -> run.start(vertx, url, holdMode, finished));
    long limitS = holdMode ? holdSeconds + rampMs / 1000 + 30 : timeoutS + rampMs / 1000 + (long) tokens * intervalMs / 1000;
    try {
      finished.get(limitS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      CompletableFuture<Void> stopped = new CompletableFuture<>();
      ctx.runOnContext(v -> run.stop(stopped));
      stopped.get(10, TimeUnit.SECONDS);
      System.out.println("note: run did not finish in " + limitS + " s; unfinished streams count as failed");
    }
    return run;
  }

  static final class Run {
    final int n;
    final long[] ttft;          // nanos, per stream; 0 = no first event
    final boolean[] completed;
    long[] gaps = new long[1 << 16];
    int gapCount;
    int opened;
    int firstEvents;
    long events;
    int done;
    int failed;
    int stalled;
    long startNanos;
    long endNanos;
    HttpClient client;
    Vertx vertx;
    boolean stopped;
    String statusAtStop;
    long tickTimer = -1;
    long statusTimer = -1;
    CompletableFuture<Void> finished;
    String firstError;

    Run(int n) {
      this.n = n;
      this.ttft = new long[n];
      this.completed = new boolean[n];
    }

    void start(Vertx vertx, String url, boolean holdMode, CompletableFuture<Void> finished) {
      this.finished = finished;
      this.vertx = vertx;
      client = vertx.createHttpClient(
          new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(10_000)
              .setIdleTimeout(0).setMaxInitialLineLength(4096),
          new PoolOptions().setHttp1MaxSize(n).setMaxWaitQueueSize(-1));
      MultiMap h = MultiMap.caseInsensitiveMultiMap();
      for (String[] kv : headers) h.add(kv[0], kv[1]);
      h.set("content-type", "application/json");
      h.set("x-mock-tokens", Integer.toString(tokens));
      h.set("x-mock-interval-ms", Integer.toString(intervalMs));
      Buffer payload = Buffer.buffer(body);
      startNanos = System.nanoTime();
      // a 1 ms tick launches every stream whose scheduled start has come (stream k at k * ramp / n)
      tickTimer = vertx.setPeriodic(1, id -> {
        long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
        long due = rampMs <= 0 ? n : Math.min(n, (elapsedMs * n) / rampMs + 1);
        while (opened < due) launch(url, h, payload, opened++);
        if (opened >= n) {
          vertx.cancelTimer(id);
          tickTimer = -1;
        }
      });
      if (holdMode) {
        statusTimer = vertx.setPeriodic(1000, id -> {
          System.out.println("STATUS opened=" + opened + " first=" + firstEvents + " events=" + events + " done=" + done
              + " failed=" + failed);
          System.out.flush();
        });
        vertx.setTimer(rampMs + holdSeconds * 1000L, id -> stop(null));
      }
    }

    void launch(String url, MultiMap h, Buffer payload, int index) {
      Stream s = new Stream(this, index, System.nanoTime());
      RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).setHeaders(h);
      client.request(o).compose(req -> req.send(payload)).onComplete(ar -> {
        if (ar.failed()) {
          s.fail("request: " + ar.cause());
          return;
        }
        var resp = ar.result();
        if (resp.statusCode() != 200) {
          resp.body().onComplete(b -> s.fail("status " + resp.statusCode() + ": " + (b.succeeded() ? b.result() : "")));
          return;
        }
        resp.handler(s::onData);
        resp.exceptionHandler(e -> s.fail("response: " + e));
        resp.endHandler(v -> s.onEnd());
      });
    }

    void recordGap(long nanos) {
      if (gapCount == gaps.length) gaps = Arrays.copyOf(gaps, gaps.length * 2);
      gaps[gapCount++] = nanos;
    }

    void streamEnded(Stream s, boolean ok) {
      if (s.ended || stopped) return;
      s.ended = true;
      if (ok) {
        done++;
        completed[s.index] = true;
      } else {
        failed++;
      }
      if (s.maxGap > stallMs * 1_000_000L || !ok) stalled++;
      if (done + failed == n) stop(null);
    }

    void stop(CompletableFuture<Void> alsoComplete) {
      if (stopped) {
        if (alsoComplete != null) finished.whenComplete((x, e) -> alsoComplete.complete(null));
        return;
      }
      stopped = true;
      endNanos = System.nanoTime();
      statusAtStop = "opened=" + opened + " first=" + firstEvents + " events=" + events + " done=" + done + " failed=" + failed;
      if (tickTimer >= 0) vertx.cancelTimer(tickTimer);
      if (statusTimer >= 0) vertx.cancelTimer(statusTimer);
      client.close().onComplete(x -> {
        finished.complete(null);
        if (alsoComplete != null) alsoComplete.complete(null);
      });
    }

    String summary(int nominal) {
      long[] t = Arrays.stream(ttft).filter(x -> x > 0).sorted().toArray();
      long[] g = Arrays.copyOf(gaps, gapCount);
      Arrays.sort(g);
      int incomplete = n - done - failed;
      String s = String.format(Locale.ROOT,
          "streams=%d ok=%d failed=%d ttft_p50=%.3f ttft_p99=%.3f gap_p50=%.3f gap_p99=%.3f gap_p999=%.3f gap_max=%.3f "
              + "stalled=%d duration_s=%.2f",
          n, done, failed + incomplete, ms(pct(t, 50)), ms(pct(t, 99)), ms(pct(g, 50)), ms(pct(g, 99)), ms(pct(g, 99.9)),
          ms(g.length == 0 ? -1 : g[g.length - 1]), stalled + incomplete, (endNanos - startNanos) / 1e9);
      if (firstError != null) s += " first_error=\"" + firstError.replace('"', '\'').replace('\n', ' ') + "\"";
      return s;
    }
  }

  /** One stream: an incremental SSE parser that timestamps each data event as its buffer arrives. */
  static final class Stream {
    final Run run;
    final int index;
    final long sentNanos;
    long lastEvent;
    long maxGap;
    int dataEvents;
    boolean ended;
    // parser state
    boolean atLineStart = true;
    boolean lineIsData;     // the current line starts with 'd' (data:)
    boolean eventHasData;   // the current event has a data line
    int linePos;            // bytes of the current line so far
    boolean lineIsDone;     // the current line so far matches "data: [DONE]"
    boolean sawDone;

    static final byte[] DONE = "data: [DONE]".getBytes();

    Stream(Run run, int index, long sentNanos) {
      this.run = run;
      this.index = index;
      this.sentNanos = sentNanos;
    }

    void onData(Buffer b) {
      long now = System.nanoTime();
      int len = b.length();
      for (int i = 0; i < len; i++) {
        byte c = b.getByte(i);
        if (c == '\n') {
          if (atLineStart) {
            if (eventHasData) onEvent(now);   // blank line: the end of an event
            eventHasData = false;
          } else if (lineIsData) {
            eventHasData = true;
            if (lineIsDone && linePos == DONE.length) sawDone = true;
          }
          atLineStart = true;
          linePos = 0;
        } else if (c != '\r') {
          if (atLineStart) {
            atLineStart = false;
            lineIsData = c == 'd';
            lineIsDone = true;
          }
          lineIsDone = lineIsDone && linePos < DONE.length && DONE[linePos] == c;
          linePos++;
        }
      }
    }

    void onEvent(long now) {
      dataEvents++;
      run.events++;
      if (dataEvents == 1) {
        run.ttft[index] = Math.max(1, now - sentNanos);
        run.firstEvents++;
      } else {
        long gap = now - lastEvent;
        run.recordGap(gap);
        if (gap > maxGap) maxGap = gap;
      }
      lastEvent = now;
    }

    void onEnd() {
      int expected = tokens + 3; // content events, finish, usage, [DONE]
      if (sawDone && dataEvents == expected) {
        run.streamEnded(this, true);
      } else {
        fail("incomplete stream: " + dataEvents + " data events (expected " + expected + "), [DONE] " + (sawDone ? "seen" : "missing"));
      }
    }

    void fail(String why) {
      if (run.firstError == null) run.firstError = why;
      run.streamEnded(this, false);
    }
  }

  // ---- helpers

  static long pct(long[] sorted, double p) {
    if (sorted.length == 0) return -1;
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static double ms(long nanos) {
    return nanos < 0 ? -1 : nanos / 1e6;
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
        case "--streams" -> { streamCounts = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray(); i++; }
        case "--rounds" -> { rounds = Integer.parseInt(v); i++; }
        case "--tokens" -> { tokens = Integer.parseInt(v); i++; }
        case "--interval-ms" -> { intervalMs = Integer.parseInt(v); i++; }
        case "--ramp-ms" -> { rampMs = Integer.parseInt(v); i++; }
        case "--stall-ms" -> { stallMs = Integer.parseInt(v); i++; }
        case "--warmup-streams" -> { warmupStreams = Integer.parseInt(v); i++; }
        case "--warmup-s" -> { warmupSeconds = Integer.parseInt(v); i++; }
        case "--hold-s" -> { holdSeconds = Integer.parseInt(v); i++; }
        case "--timeout-s" -> { timeoutS = Integer.parseInt(v); i++; }
        case "--body-file" -> { body = Files.readString(Path.of(v)).trim(); i++; }
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (targets.isEmpty()) throw new IllegalArgumentException("at least one --target NAME=URL is needed");
  }
}
