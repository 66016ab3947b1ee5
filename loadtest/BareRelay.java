import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The floor for Tollgate's throughput: the least an HTTP relay on the same stack can do. One HttpServer per
 * event loop and listening port, the body read whole, one pooled HttpClient request to the upstream with the
 * client's headers (less credentials and hop-by-hop ones, as Tollgate forwards them: the fake provider's
 * {@code x-mock-*} pacing headers must reach it) and the provider key injected, the answer written back —
 * whole, or event by event when it is a stream. No auth, no quotas, no billing, no metrics, the body not
 * parsed. Same jar, same Vert.x and Netty, native epoll when Tollgate has it.
 *
 * <pre>java -cp target/tollgate.jar loadtest/BareRelay.java [--port 18080 --upstream 127.0.0.1:18081]... [--config ignored]</pre>
 *
 * {@code --port} and {@code --upstream} may be repeated: the i-th port relays to the i-th upstream (run.sh
 * uses one process with two, one in front of nginx {@code return 200} and one in front of the fake provider,
 * as one Tollgate serves both). The provider key comes from BENCH_PROVIDER_KEY.
 *
 * <p>{@code --burn-us N}: the relay also spends N µs of its event loop's CPU on each request (a busy loop, timed by
 * the thread's CPU clock) before it calls the upstream. With it, the relay says what a given amount of work per
 * request costs in throughput on this machine, with nothing else of Tollgate's in the way (RESULTS.md, session 11).
 */
public class BareRelay extends AbstractVerticle {
  record Route(int port, String host, int upstreamPort) { }

  static final List<Route> routes = new ArrayList<>();
  static String providerKey = System.getenv().getOrDefault("BENCH_PROVIDER_KEY", "sk-bench-provider");
  static long burnNanos;
  static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
  /** Client headers not forwarded: the same set as Tollgate's (provider.UpstreamAddress). */
  static final Set<String> NOT_FORWARDED = Set.of(
      "authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie",
      "host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
      "proxy-authorization", "proxy-connection", "accept-encoding", "x-request-id", "expect", "cache-control");

  public static void main(String[] args) {
    List<Integer> ports = new ArrayList<>();
    List<String> upstreams = new ArrayList<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> ports.add(Integer.parseInt(args[i + 1]));
        case "--upstream" -> upstreams.add(args[i + 1]);
        case "--burn-us" -> burnNanos = Long.parseLong(args[i + 1]) * 1000;
        default -> { } // --config (ab.sh appends one): not needed
      }
    }
    if (ports.isEmpty()) ports.add(18080);
    if (upstreams.isEmpty()) upstreams.add("127.0.0.1:18081");
    if (burnNanos > 0) calibrate();
    if (ports.size() != upstreams.size()) {
      System.err.println("as many --port as --upstream needed: " + ports + " vs " + upstreams);
      System.exit(2);
    }
    for (int i = 0; i < ports.size(); i++) {
      String u = upstreams.get(i);
      int colon = u.lastIndexOf(':');
      routes.add(new Route(ports.get(i), u.substring(0, colon), Integer.parseInt(u.substring(colon + 1))));
    }
    int loops = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(loops));
    vertx.deployVerticle(BareRelay::new, new DeploymentOptions().setInstances(loops))
        .onSuccess(id -> System.out.println("bare relay " + String.join(", ", routes.stream()
                .map(r -> ":" + r.port() + " -> " + r.host() + ":" + r.upstreamPort()).toList())
            + (vertx.isNativeTransportEnabled() ? " (native epoll)" : " (NIO)") + ", " + loops + " event loops"))
        .onFailure(e -> { e.printStackTrace(); System.exit(1); });
  }

  @Override
  public void start(Promise<Void> started) {
    // one client per event loop (verticle instance), shared by its routes: pools are per host and port
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(10_000));
    List<Future<?>> listening = new ArrayList<>();
    for (Route route : routes) {
      listening.add(vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(req -> req.body().onSuccess(body -> {
        if (burnNanos > 0) burn();
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        req.headers().forEach((name, value) -> {
          if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) headers.add(name, value);
        });
        headers.set("authorization", "Bearer " + providerKey);
        headers.set("content-type", "application/json");
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(route.host())
            .setPort(route.upstreamPort()).setURI(req.uri()).setHeaders(headers);
        client.request(options).compose(up -> up.send(body)).onSuccess(answer -> {
          var out = req.response().setStatusCode(answer.statusCode());
          String type = answer.getHeader("content-type");
          if (type != null) out.putHeader("content-type", type);
          if (type != null && type.startsWith("text/event-stream")) {
            out.setChunked(true);
            answer.pipeTo(out); // event by event, with backpressure
          } else {
            answer.body().onSuccess(out::end).onFailure(e -> out.setStatusCode(502).end());
          }
        }).onFailure(e -> req.response().setStatusCode(502).end());
      })).listen(route.port(), "127.0.0.1"));
    }
    Future.all(listening).<Void>mapEmpty().onComplete(started); // a port in use fails the deployment
  }

  /** Spends about {@code burnNanos} of CPU: a calibrated loop of arithmetic (no syscalls, no allocation). */
  static void burn() {
    sink ^= spin(burnIterations);
  }

  static volatile long sink;
  static long burnIterations;

  static long spin(long n) {
    long x = 0x9E3779B97F4A7C15L;
    for (long i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
    }
    return x;
  }

  /** Iterations of {@link #spin} per {@code burnNanos}, measured on the thread's CPU clock after the JIT compiled it. */
  static void calibrate() {
    for (int i = 0; i < 200; i++) sink ^= spin(100_000); // compiled
    long n = 20_000_000;
    long t0 = CPU.getCurrentThreadCpuTime();
    sink ^= spin(n);
    double perIteration = (double) (CPU.getCurrentThreadCpuTime() - t0) / n;
    burnIterations = Math.round(burnNanos / perIteration);
    System.out.printf("burn: %d µs a request = %d iterations (%.3f ns each)%n", burnNanos / 1000, burnIterations, perIteration);
  }
}
