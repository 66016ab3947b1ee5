package dev.tollgate.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.admin.AdminApi;
import dev.tollgate.auth.AddressLockout;
import dev.tollgate.admin.TeamApi;
import dev.tollgate.dashboard.Dashboard;
import dev.tollgate.auth.Authenticator;
import dev.tollgate.auth.KeyHash;
import dev.tollgate.auth.KeyIndex;
import dev.tollgate.auth.KeyIndexSync;
import dev.tollgate.billing.Ledger;
import dev.tollgate.billing.PriceBook;
import dev.tollgate.billing.TokenCounter;
import dev.tollgate.billing.UsageMeter;
import dev.tollgate.cache.AnswerStore;
import dev.tollgate.cache.Flights;
import dev.tollgate.cache.LocalAnswerStore;
import dev.tollgate.cache.RedisAnswerStore;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.core.BenchSwitches;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.core.Saturating;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.pipeline.AccessLog;
import dev.tollgate.pipeline.CallerEndpoint;
import dev.tollgate.pipeline.ErrorReply;
import dev.tollgate.pipeline.OpenStreams;
import dev.tollgate.pipeline.ProxyPipeline;
import dev.tollgate.pipeline.TargetBreakers;
import dev.tollgate.pipeline.TargetBulkheads;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.provider.ProviderRegistry;
import dev.tollgate.provider.anthropic.AnthropicType;
import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.bridge.Bridges;
import dev.tollgate.provider.azure.AzureOpenAiType;
import dev.tollgate.provider.mock.BuiltInMockType;
import dev.tollgate.provider.openai.OpenAiType;
import dev.tollgate.quota.FailoverQuotas;
import dev.tollgate.quota.LeasedQuotas;
import dev.tollgate.quota.LocalQuotas;
import dev.tollgate.quota.QuotaBackend;
import dev.tollgate.quota.QuotaGate;
import dev.tollgate.quota.QuotaGauges;
import dev.tollgate.quota.QuotaView;
import dev.tollgate.quota.RedisQuotas;
import dev.tollgate.route.ModelRouter;
import dev.tollgate.store.Database;
import dev.tollgate.store.LedgerStore;
import dev.tollgate.store.TeamStore;
import dev.tollgate.team.Limits;
import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import dev.tollgate.wire.openai.OpenAiDialect;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: builds its parts from config, deploys one verticle per event loop on a shared
 * port, and shuts down gracefully (stop accepting, let requests in flight finish, flush, exit).
 */
public final class Gateway {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  /** How often the per-team budget and quota gauges are read from the quota backend. */
  private static final java.time.Duration QUOTA_GAUGE_REFRESH = java.time.Duration.ofSeconds(2);

  private final GatewayConfig config;
  private final Vertx vertx;
  private final Clock clock;
  private final GatewayMetrics metrics = new GatewayMetrics();
  private final Readiness readiness = new Readiness();
  private final KeyIndex keys = new KeyIndex();
  private final OpenStreams openStreams = new OpenStreams();
  private final List<GatewayVerticle> verticles = new ArrayList<>();
  private final WarmUp warmUp;
  private Map<String, ProviderAdapter> providers;
  private Database database;
  private TeamStore teamStore;
  private LedgerStore ledgerStore;
  private PriceBook prices;
  private KeyIndexSync keySync;
  private Ledger ledger;
  private QuotaGate quotas;
  private QuotaGauges quotaGauges;
  private FailoverQuotas failover;
  private AnswerStore answers;
  private int port;
  private HttpServer metricsServer;
  private volatile Future<Void> stopping;

  private Gateway(GatewayConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    int loops = config.server().instances() > 0 ? config.server().instances() : Runtime.getRuntime().availableProcessors();
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
    GatewayConfig.WarmUp warm = config.server().warmUp();
    if (warm.on() && BenchSwitches.AUTH.off()) {
      // without authentication every request is the first caller's: the synthetic ones would be billed to a team
      log.warn("server.warm-up ignored: -Dtollgate.bench.off=auth cannot tell its synthetic requests from a team's");
      warm = GatewayConfig.WarmUp.OFF;
    }
    this.warmUp = new WarmUp(vertx, warm);
  }

  public static Future<Gateway> start(GatewayConfig config) {
    return start(config, Clock.systemUTC());
  }

  /** The provider types this gateway knows, by their {@code type:} in config. */
  static final ProviderRegistry PROVIDER_TYPES =
      new ProviderRegistry(List.of(new OpenAiType(), new AzureOpenAiType(), new AnthropicType(), BuiltInMockType.openAi(),
          BuiltInMockType.anthropic()));

  /** Starts the gateway; a provider setting its type rejects throws a {@link dev.tollgate.config.ConfigException} at once. */
  public static Future<Gateway> start(GatewayConfig config, Clock clock) {
    PROVIDER_TYPES.check(config);
    Gateway gateway = new Gateway(config, clock);
    // a promise of no context: after a failed start its Vert.x is closed, and a future bound to one of its
    // event loops could never be completed (the start-up would hang instead of failing with its reason)
    Promise<Gateway> started = Promise.promise();
    gateway.boot().onComplete(booted -> {
      if (booted.succeeded()) {
        started.complete(gateway);
      } else {
        gateway.vertx.close().onComplete(closed -> started.fail(booted.cause()));
      }
    });
    return started.future();
  }

  /** Start-up, in order: store and keys, providers, billing, quotas, then the servers; then the warm-up, if any. */
  private Future<Void> boot() {
    return openStore()
        .compose(v -> vertx.executeBlocking(() -> {
          List<String> models = new ArrayList<>(config.models().keySet());
          config.models().values().forEach(m -> m.targets().forEach(t -> models.add(t.model())));
          TokenCounter.preload(models);
          return null;
        }))
        .compose(v -> PROVIDER_TYPES.start(vertx, config))
        .compose(p -> warmUp.prepare().map(synthetic -> {
          Map<String, ProviderAdapter> all = new HashMap<>(p);
          all.putAll(synthetic);
          providers = Map.copyOf(all);
          return p;
        }))
        .compose(p -> {
          p.values().forEach(adapter -> {
            for (int i = 0; i < adapter.keys().size(); i++) {
              int key = i;
              metrics.providerKeyState(adapter.name(), key, () -> adapter.keys().state(key).ordinal());
            }
          });
          prices = config.prices() == null ? PriceBook.empty() : PriceBook.load(Path.of(config.prices()));
          warnUnpriced(prices);
          ledger = new Ledger(vertx, ledgerStore, config.billing(), metrics, clock);
          return ledger.start().compose(v -> startQuotas());
        })
        .compose(gate -> {
          quotas = gate;
          quotaGauges = new QuotaGauges(vertx, gate, keys::teams, metrics);
          quotaGauges.start(QUOTA_GAUGE_REFRESH);
          return deploy();
        })
        .onSuccess(v -> {
          readiness.check(this::storeProblem);
          readiness.check(this::backlogProblem);
          if (failover != null) readiness.check(failover::refusalReason);
          readiness.check(warmUp::problem);
          readiness.started();
          if (!BenchSwitches.leftOut().isEmpty()) {
            log.warn("BENCHMARK SWITCHES ON (-Dtollgate.bench.off): {} left out — not for real traffic",
                BenchSwitches.leftOut());
          }
          followBenchSwitches(System.getProperty("tollgate.bench.off-file"));
          log.info("Tollgate listening on {}:{} ({} event loops, {} transport, {} models, {} providers)", config.server().host(), port,
              verticles.size(), vertx.isNativeTransportEnabled() ? "native epoll" : "NIO", config.models().size(),
              config.providers().size());
          warmUp.run(config.server().host(), port, verticles.size());
        });
  }

  private Future<Void> openStore() {
    return vertx.executeBlocking(() -> Database.open(vertx, config.store())).compose(db -> {
      database = db;
      teamStore = new TeamStore(db);
      ledgerStore = new LedgerStore(db);
      keySync = new KeyIndexSync(vertx, teamStore, keys, clock);
      log.info("store: {}", db.description());
      return seedTeams(teamStore).compose(v -> keySync.start(config.auth().keyRefresh()));
    });
  }

  private Future<Void> deploy() {
    ObjectMapper json = new ObjectMapper();
    OpenAiDialect openai = new OpenAiDialect(json);
    AnthropicDialect anthropic = new AnthropicDialect(json);
    ModelRouter router = new ModelRouter(config.models());
    Authenticator authenticator = new Authenticator(keys, config.auth().queryParamKey(), clock, warmUp.pass());
    var server = config.server();
    var cache = config.cache();
    answers = cache.store() == GatewayConfig.CacheStore.REDIS
        ? new RedisAnswerStore(vertx, config.redis(), config.quota().redisTimeout().toMillis(), clock)
        : new LocalAnswerStore(cache.maxBytes(), clock, metrics);
    Map<String, Integer> maxConcurrent = new HashMap<>();
    config.providers().values().forEach(p -> {
      if (p.maxConcurrent() != null) maxConcurrent.put(p.name(), p.maxConcurrent());
    });
    ProxyPipeline.Parts pipeline = new ProxyPipeline.Parts(
        authenticator, router, providers, new Bridges(json, openai, anthropic), new TargetBreakers(server.upstream().breaker(), metrics),
        new TargetBulkheads(server.upstream().maxConcurrentPerTarget(), maxConcurrent), quotas, prices,
        new UsageMeter(prices, ledger, metrics), ledger::backlogged, metrics, new AccessLog(server.accessLog()),
        server.maxBodyBytes(), server.bodyReadTimeout().toMillis(), server.upstream(), server.sseKeepalive().toMillis(), config.quota().defaultMaxOutputTokens(),
        answers, new Flights(cache.maxWaiters(), cache.maxEntryBytes()), cache.maxEntryBytes(), clock, openStreams,
        warmUp.routes(config.models(), config.quota(), metrics, clock));
    QuotaView quotaView = new QuotaView(quotas, clock, metrics);
    ConnectionCap connections = new ConnectionCap(server.maxConnections(), metrics::connectionRefused);
    metrics.openConnections(connections::open);
    MetricsEndpoint metricsEndpoint = new MetricsEndpoint(metrics, server.metrics().token(),
        new AddressLockout("metrics token", clock, metrics::metricsAuthFailure));
    GatewayParts parts = new GatewayParts(config, pipeline, openai, anthropic, new CallerEndpoint(authenticator),
        new ModelList(router), quotaView, metrics, connections, metricsEndpoint, readiness);
    AdminApi admin = new AdminApi(teamStore, ledgerStore, keySync, quotaView, config.admin().token(),
        new AddressLockout("admin token", clock, metrics::adminAuthFailure), name -> router.route(name) != null,
        config.auth().rotationGrace(), clock);
    TeamApi team = new TeamApi(authenticator, ledgerStore, teamStore, quotaView, clock);
    return deploy(parts, r -> {
      admin.mount(r);
      team.mount(r);
      Dashboard.mount(r);
    }).compose(v -> startMetricsServer(metricsEndpoint));
  }

  /** {@code /metrics} on a port of its own, when {@code server.metrics.port} is set. */
  private Future<Void> startMetricsServer(MetricsEndpoint endpoint) {
    GatewayConfig.Metrics settings = config.server().metrics();
    if (settings.port() == null) return Future.succeededFuture();
    Router router = Router.router(vertx);
    endpoint.mount(router);
    router.route().last().handler(ctx -> ErrorReply.send(ctx.response(),
        GatewayFailure.notFound("Only GET /metrics is served on this port; the API is on port " + port + ".")));
    metricsServer = vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(60)).requestHandler(router);
    return metricsServer.listen(settings.port(), settings.host())
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "cannot serve /metrics on " + settings.host() + ":" + settings.port() + " (server.metrics.port): " + e.getMessage())))
        .onSuccess(s -> log.info("metrics on {}:{}/metrics{}", settings.host(), s.actualPort(),
            settings.token() == null ? "" : " (behind server.metrics.token)"))
        .mapEmpty();
  }

  private Future<Void> deploy(GatewayParts parts, Consumer<Router> extraRoutes) {
    int count = config.server().instances() > 0 ? config.server().instances() : Runtime.getRuntime().availableProcessors();
    // one deployment of N instances, so that servers on port 0 share the one random port
    return vertx.deployVerticle(() -> {
      GatewayVerticle v = new GatewayVerticle(parts, config.server().port(), extraRoutes);
      synchronized (verticles) {
        verticles.add(v);
      }
      return v;
    }, new DeploymentOptions().setInstances(count)).map(id -> {
      port = verticles.get(0).actualPort();
      return null;
    });
  }

  private String storeProblem() {
    return ledger.storeFailing() ? "store: usage records cannot be written to " + database.description() + " ("
        + ledger.pending() + " waiting); retrying" : null;
  }

  private String backlogProblem() {
    return ledger.backlogged() ? "ledger: " + ledger.pending() + " usage records waiting, more than half of billing.buffer-limit ("
        + config.billing().bufferLimit() + "): requests are refused with 503 until they are written" : null;
  }

  /** What the ledger says a team spent since a period's start: the store's records and those still on their way to it. */
  private Future<Long> spentSince(String teamId, Instant start) {
    return ledgerStore.spentSince(teamId, start).map(spent -> Saturating.add(spent, ledger.unwrittenCost(teamId)));
  }

  private void warnUnpriced(PriceBook prices) {
    config.models().values().forEach(m -> m.targets().forEach(t -> {
      if (prices.find(t.provider(), t.model(), m.name()) == null) {
        log.warn("model {} (target {}/{}) has no price in {}: its usage is recorded with tokens but no cost",
            m.name(), t.provider(), t.model(), config.prices() == null ? "the price book (prices: is not set)" : config.prices());
      }
    }));
  }

  /**
   * With {@code -Dtollgate.bench.off-file=PATH} (benchmarks only): the benchmark switches are what that file lists,
   * read twice a second, so one process can be measured with a stage off and on in turn. A missing file changes nothing.
   */
  private void followBenchSwitches(String file) {
    if (file == null) return;
    log.warn("BENCHMARK SWITCHES FOLLOW {} (-Dtollgate.bench.off-file) — not for real traffic", file);
    String[] last = {null};
    vertx.setPeriodic(500, t -> vertx.fileSystem().readFile(file).onSuccess(b -> {
      String list = b.toString().trim();
      if (list.equals(last[0])) return;
      last[0] = list;
      log.warn("benchmark switches now off: {}", BenchSwitches.set(list));
    }));
  }

  /**
   * Quotas in memory, or in Redis when configured (with local limits to fall back on). Each team's
   * spend in its current budget period is rebuilt from the ledger's rollups, so it survives restarts.
   */
  private Future<QuotaGate> startQuotas() {
    LocalQuotas local = new LocalQuotas();
    Future<QuotaBackend> backend;
    if (config.redis() == null) {
      backend = Future.succeededFuture(local);
    } else {
      RedisQuotas redis = new RedisQuotas(vertx, config.redis(), config.quota().redisTimeout().toMillis(), this::spentSince);
      backend = redis.start()
          .recover(e -> Future.failedFuture(new IllegalStateException("cannot reach Redis at the configured redis: URL: " + e.getMessage())))
          .map(v -> {
            failover = new FailoverQuotas(vertx, redis, local, config.quota().redisFailMode() == GatewayConfig.FailMode.OPEN,
                Set.copyOf(config.quota().failClosedTeams()), metrics, this::spentSince, clock);
            if (!config.quota().anyLeased()) return failover;
            return new LeasedQuotas(vertx, redis, failover, config.quota()::leased, config.quota().leaseFraction(),
                config.quota().leaseTime().toMillis(), clock);
          });
    }
    return backend.compose(b -> teamStore.teams().compose(all -> {
      Instant now = clock.instant();
      Map<Instant, List<Team>> byPeriodStart = new HashMap<>();
      all.stream().filter(t -> t.budget() != null)
          .forEach(t -> byPeriodStart.computeIfAbsent(t.budget().period().start(now), k -> new ArrayList<>()).add(t));
      Future<Void> chain = Future.succeededFuture();
      for (var entry : byPeriodStart.entrySet()) {
        chain = chain.compose(v -> ledgerStore.spendSince(entry.getKey()).compose(spent -> {
          Map<String, Long> seeded = new HashMap<>();
          Map<String, String> periods = new HashMap<>();
          for (Team t : entry.getValue()) {
            seeded.put(t.id(), Saturating.add(spent.getOrDefault(t.id(), 0L), ledger.unwrittenCost(t.id())));
            periods.put(t.id(), t.budget().period().id(now));
          }
          return b.seedSpend(seeded, periods);
        }));
      }
      return chain.map(v -> {
        QuotaGate gate = new QuotaGate(vertx, b, config.quota(), metrics, clock);
        gate.start();
        log.info("quotas: {}", config.redis() == null ? "in memory (this replica only)" : "Redis, shared by all replicas"
            + (config.quota().anyLeased() ? ", leased (" + quotaModes() + ")" : ", exact"));
        return gate;
      });
    }));
  }

  private String quotaModes() {
    GatewayConfig.Quota q = config.quota();
    if (q.mode() == GatewayConfig.QuotaMode.LEASED) return q.exactTeams().isEmpty() ? "every team" : "every team but " + q.exactTeams();
    return "teams " + q.leasedTeams();
  }

  /** Teams and keys declared in config, written to the store; secrets are hashed at once and not kept. */
  private Future<Void> seedTeams(TeamStore teams) {
    Instant now = clock.instant();
    Future<Void> chain = Future.succeededFuture();
    for (GatewayConfig.TeamSeed seed : config.teams().values()) {
      Team team = new Team(seed.name(), seed.name(), seed.budget(), seed.limits(), seed.models(), Map.of(), true, now, now);
      chain = chain.compose(v -> teams.seedTeam(team).mapEmpty());
      for (GatewayConfig.KeySeed k : seed.keys()) {
        String secret = k.secret().reveal();
        TeamKey key = new TeamKey("cfg-" + seed.name() + "-" + k.name(), seed.name(), k.name(), KeyHash.sha256Hex(secret),
            KeyHash.displayPrefix(secret), null, List.of(), Limits.NONE, false, now, null);
        chain = chain.compose(v -> teams.seedKey(key).mapEmpty());
      }
    }
    return chain;
  }

  public int port() {
    return port;
  }

  public Vertx vertx() {
    return vertx;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  /** Usage records not yet written to the store. */
  public int ledgerPending() {
    return ledger == null ? 0 : ledger.pending();
  }

  public boolean isReady() {
    return readiness.isReady();
  }

  /** The warm-up's credential (for tests: no client can know it). */
  String warmUpSecret() {
    return warmUp.pass().secret();
  }

  /** Completes once every request in the pipeline has settled (its usage queued), or at the deadline. */
  private Future<Void> settled(long deadlineNanos) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    vertx.setPeriodic(10, id -> {
      int left = metrics.inFlight().get();
      if (left == 0 || System.nanoTime() > deadlineNanos) {
        if (left > 0) log.error("stopping with {} requests still in flight after the grace period", left);
        done.tryComplete();
        vertx.cancelTimer(id);
      }
    });
    return done.future();
  }

  /**
   * Graceful stop: readiness off at once, no new connections, requests in flight finish within the grace;
   * streams still open at the grace end with an error event that tells clients to retry; then every usage
   * record is flushed.
   */
  public synchronized Future<Void> stop() {
    if (stopping != null) return stopping;
    readiness.draining();
    long grace = config.server().shutdownGrace().toMillis();
    log.info("Tollgate stopping: draining requests in flight for up to {} ms", grace);
    long deadline = System.nanoTime() + (grace + 5_000) * 1_000_000;
    long cut = vertx.setTimer(Math.max(1, grace), id -> {
      if (openStreams.count() > 0) log.warn("ending {} streams still open at the shutdown grace", openStreams.count());
      openStreams.endAll();
    });
    // a warm-up still running stops sending at once; its requests in flight are drained as any others
    Future<Void> drained = warmUp.stop()
        .transform(x -> Future.all(verticles.stream().map(v -> v.drain(grace + 2_000)).toList()))
        .transform(x -> settled(deadline))
        .andThen(x -> vertx.cancelTimer(cut));
    stopping = drained
        .transform(x -> ledger == null ? Future.succeededFuture() : ledger.flush(config.server().shutdownGrace().plusSeconds(10)))
        .transform(x -> ledger == null ? Future.succeededFuture() : ledger.close())
        .andThen(x -> {
          if (quotaGauges != null) quotaGauges.stop();
        })
        .transform(x -> quotas == null ? Future.succeededFuture() : quotas.stop())
        .transform(x -> answers == null ? Future.succeededFuture() : answers.close())
        .transform(x -> keySync == null ? Future.succeededFuture() : keySync.stop())
        .transform(x -> database == null ? Future.succeededFuture() : database.close())
        .transform(x -> providers == null ? Future.succeededFuture()
            : Future.all(providers.values().stream().map(ProviderAdapter::close).toList()).mapEmpty())
        .transform(x -> metricsServer == null ? Future.succeededFuture() : metricsServer.close())
        .transform(x -> vertx.close())
        .onComplete(x -> log.info("Tollgate stopped"));
    return stopping;
  }
}
