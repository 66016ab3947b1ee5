package dev.tollgate.server;

import dev.tollgate.auth.WarmUpPass;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.config.Secret;
import dev.tollgate.core.Ids;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.mock.MockProvider;
import dev.tollgate.pipeline.SyntheticRoutes;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.provider.ProviderKeyPool;
import dev.tollgate.provider.anthropic.AnthropicAdapter;
import dev.tollgate.provider.openai.OpenAiAdapter;
import dev.tollgate.quota.LocalQuotas;
import dev.tollgate.quota.QuotaGate;
import dev.tollgate.route.ModelRouter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up ({@code server.warm-up}): before the replica turns ready, it sends itself synthetic requests over
 * loopback HTTP, to its own port, so that everything a request runs through (the HTTP server, authentication,
 * reading and parsing the body, routing, admission, pricing, the upstream client, the relay of whole answers and
 * of streams) is compiled before clients arrive. They carry the {@link WarmUpPass}, a secret of this process that is
 * refused once the warm-up is over, and go to a fake provider started for them alone on 127.0.0.1; the pipeline
 * routes and admits them apart from every team's traffic and records them nowhere (see {@link SyntheticRoutes}).
 * It ends at its duration, at shutdown, or at the first synthetic request that does not answer 200 (the replica then
 * turns ready without the rest of it: a warm-up must never keep a replica out of service).
 */
final class WarmUp {
  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
  private static final String OPENAI = Ids.WARM_UP;
  private static final String ANTHROPIC = Ids.WARM_UP + " anthropic";
  /** Past its duration, how long requests still in flight may take before the warm-up ends without them. */
  private static final long STRAGGLERS_MS = 10_000;

  private final Vertx vertx;
  private final GatewayConfig.WarmUp settings;
  private final WarmUpPass pass;
  private final Promise<Void> done = Promise.promise();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private volatile boolean sending;
  private volatile String failure;
  private volatile boolean stopped;
  private MockProvider mock;
  private HttpClient client;
  private long startNanos;
  private boolean finished; // guarded by this

  WarmUp(Vertx vertx, GatewayConfig.WarmUp settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.pass = settings.on() ? WarmUpPass.open() : WarmUpPass.none();
    if (!settings.on()) done.complete();
  }

  WarmUpPass pass() {
    return pass;
  }

  /** Starts the fake provider the synthetic requests go to; completes with its providers, by name (none when off). */
  Future<Map<String, ProviderAdapter>> prepare() {
    if (!settings.on()) return Future.succeededFuture(Map.of());
    return MockProvider.start(vertx, "127.0.0.1", 0).map(started -> {
      mock = started;
      URI url = URI.create("http://127.0.0.1:" + started.port() + "/v1");
      var keys = List.of(new GatewayConfig.ProviderKey(new Secret("warm-up-provider-key", "builtin:warm-up"), 1));
      return Map.of(
          OPENAI, new OpenAiAdapter(OPENAI, url, new ProviderKeyPool(keys)),
          ANTHROPIC, new AnthropicAdapter(ANTHROPIC, url, new ProviderKeyPool(keys), null));
    });
  }

  /**
   * How the pipeline routes and admits synthetic requests: to the warm-up's fake provider only, against quotas of their
   * own. Their chat requests name the upstream model of the first model configured (the fake provider answers any), so
   * that the token estimate and the price they run through are those of real traffic.
   */
  SyntheticRoutes routes(Map<String, GatewayConfig.Model> configured, GatewayConfig.Quota quota, GatewayMetrics metrics,
      Clock clock) {
    String chat = configured.values().stream().findFirst().map(m -> m.targets().get(0).model()).orElse("mock-gpt");
    Map<String, GatewayConfig.Model> models = !settings.on() ? Map.of() : Map.of(
        OPENAI, model(OPENAI, chat),
        ANTHROPIC, model(ANTHROPIC, "mock-claude"));
    return new SyntheticRoutes(new ModelRouter(models), new QuotaGate(vertx, new LocalQuotas(), quota, metrics, clock));
  }

  private static GatewayConfig.Model model(String name, String upstreamModel) {
    return new GatewayConfig.Model(name, List.of(new GatewayConfig.Target(name, upstreamModel, 1)), List.of(), List.of(), null, null);
  }

  /**
   * Sends synthetic requests to the gateway at {@code host:port} until the duration is over, over the configured
   * number of connections (else two per event loop); completes when the warm-up has ended.
   */
  synchronized Future<Void> run(String host, int port, int eventLoops) {
    if (!settings.on() || finished) return done.future();
    int connections = settings.connections() > 0 ? settings.connections() : 2 * eventLoops;
    String target = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(5_000),
        new PoolOptions().setHttp1MaxSize(connections));
    log.info("warm-up: sending synthetic requests to {}:{} over {} connections for {} ms before turning ready (server.warm-up)",
        target, port, connections, settings.duration().toMillis());
    startNanos = System.nanoTime();
    sending = true;
    long end = vertx.setTimer(settings.duration().toMillis(), t -> sending = false);
    long bound = vertx.setTimer(settings.duration().toMillis() + STRAGGLERS_MS, t -> finish());
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      Promise<Void> loop = Promise.promise();
      next(target, port, loop);
      loops.add(loop.future());
    }
    Future.join(loops).onComplete(x -> {
      vertx.cancelTimer(end);
      vertx.cancelTimer(bound);
      finish();
    });
    return done.future();
  }

  /** One connection's requests, one after the other, until the warm-up stops sending. */
  private void next(String host, int port, Promise<Void> loop) {
    if (!sending) {
      loop.complete();
      return;
    }
    long i = sent.getAndIncrement();
    Exchange exchange = Exchange.of(i);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
        .setURI(exchange.path).setIdleTimeout(STRAGGLERS_MS)
        .putHeader("content-type", "application/json");
    if (exchange.anthropic) {
      options.putHeader("x-api-key", pass.secret()).putHeader("anthropic-version", "2023-06-01");
    } else {
      options.putHeader("authorization", "Bearer " + pass.secret());
    }
    client.request(options)
        .compose(request -> request.send(Buffer.buffer(exchange.body(i))))
        .compose(response -> response.body().map(body -> {
          if (response.statusCode() != 200) {
            throw new IllegalStateException(exchange.path + " answered " + response.statusCode() + ": " + excerpt(body.toString()));
          }
          return body;
        }))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            answered.incrementAndGet();
          } else if (failure == null && !stopped) {
            failure = ar.cause().getMessage();
            sending = false;
          }
          next(host, port, loop);
        });
  }

  private static String excerpt(String body) {
    return body.length() <= 200 ? body : body.substring(0, 200) + "…";
  }

  /** Once: the pass is refused from now on, the fake provider and the client go, readiness no longer waits. */
  private synchronized void finish() {
    if (finished) return;
    finished = true;
    sending = false;
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    if (stopped) {
      log.info("warm-up: stopped by the shutdown after {} s and {} synthetic requests answered 200", String.format("%.1f", seconds),
          answered.get());
    } else if (failure == null) {
      log.info("warm-up: done, {} synthetic requests answered 200 in {} s ({} /s); turning ready", answered.get(),
          String.format("%.1f", seconds), Math.round(answered.get() / Math.max(seconds, 0.001)));
    } else {
      log.warn("warm-up: stopped after {} s and {} synthetic requests answered 200, because one failed ({}); turning ready all the same",
          String.format("%.1f", seconds), answered.get(), failure);
    }
    release();
  }

  private void release() {
    finished = true;
    pass.close();
    Future.join(client == null ? Future.succeededFuture() : client.close(), mock == null ? Future.succeededFuture() : mock.close())
        .onComplete(x -> done.tryComplete());
  }

  /** Why the replica is not ready yet, or null once the warm-up is over (or when there is none). */
  String problem() {
    if (done.future().isComplete()) return null;
    return "warming up: " + sent.get() + " synthetic requests sent, for up to " + settings.duration().toSeconds()
        + " s (server.warm-up)";
  }

  /** Stops sending (a shutdown); completes once the warm-up has ended. */
  synchronized Future<Void> stop() {
    stopped = true;
    sending = false;
    if (!finished && client == null) release(); // prepared, never run: a start-up that failed
    return done.future();
  }

  /** The synthetic requests, in turn: mostly OpenAI's chat completions, some streamed, and Anthropic's messages. */
  private enum Exchange {
    CHAT("/v1/chat/completions", false, false),
    CHAT_STREAM("/v1/chat/completions", false, true),
    MESSAGES("/v1/messages", true, false),
    MESSAGES_STREAM("/v1/messages", true, true);

    private static final Exchange[] MIX = {CHAT, CHAT, CHAT, CHAT, CHAT_STREAM, CHAT, MESSAGES, MESSAGES_STREAM};

    final String path;
    final boolean anthropic;
    final boolean stream;

    Exchange(String path, boolean anthropic, boolean stream) {
      this.path = path;
      this.anthropic = anthropic;
      this.stream = stream;
    }

    static Exchange of(long i) {
      return MIX[(int) (i % MIX.length)];
    }

    String body(long i) {
      // a few prompts, as real traffic repeats its system prompts: the token counter's cache is not filled with throwaways
      String prompt = "Warm-up request " + i % 64 + ": write one sentence about a quick brown fox.";
      if (anthropic) {
        return "{\"model\":\"" + ANTHROPIC + "\",\"max_tokens\":64,\"stream\":" + stream
            + ",\"system\":\"You are a helpful assistant.\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
      }
      return "{\"model\":\"" + OPENAI + "\",\"stream\":" + stream + ",\"max_tokens\":64,\"messages\":["
          + "{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }
  }
}
