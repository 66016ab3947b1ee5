import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The floor for Tollgate's throughput: the least an HTTP relay on the same stack can do. One HttpServer per
 * event loop, the body read whole, one pooled HttpClient request to the upstream with the provider key
 * injected, the answer written back — whole, or event by event when it is a stream. No auth, no quotas, no
 * billing, no metrics. Same jar, same Vert.x and Netty, native epoll when Tollgate has it.
 *
 * <pre>java -cp target/tollgate.jar loadtest/BareRelay.java [--port 18080] [--upstream 127.0.0.1:18081] [--config ignored]</pre>
 */
public class BareRelay extends AbstractVerticle {
  static int port = 18080;
  static String upstreamHost = "127.0.0.1";
  static int upstreamPort = 18081;
  static String providerKey = System.getenv().getOrDefault("BENCH_PROVIDER_KEY", "sk-bench-provider");

  public static void main(String[] args) {
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--upstream" -> {
          upstreamHost = args[i + 1].substring(0, args[i + 1].indexOf(':'));
          upstreamPort = Integer.parseInt(args[i + 1].substring(args[i + 1].indexOf(':') + 1));
        }
        default -> { } // --config (ab.sh appends one): not needed
      }
    }
    int loops = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(loops));
    vertx.deployVerticle(BareRelay::new, new DeploymentOptions().setInstances(loops))
        .onSuccess(id -> System.out.println("bare relay on :" + port + " -> " + upstreamHost + ":" + upstreamPort
            + (vertx.isNativeTransportEnabled() ? " (native epoll)" : " (NIO)") + ", " + loops + " event loops"))
        .onFailure(e -> { e.printStackTrace(); System.exit(1); });
  }

  @Override
  public void start() {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(10_000));
    vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(req -> req.body().onSuccess(body -> {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(upstreamHost).setPort(upstreamPort)
          .setURI(req.uri()).putHeader("authorization", "Bearer " + providerKey)
          .putHeader("content-type", "application/json");
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
    })).listen(port, "127.0.0.1");
  }
}
