package dev.tollgate.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.auth.Authenticator;
import dev.tollgate.auth.KeyHash;
import dev.tollgate.auth.KeyIndex;
import dev.tollgate.auth.KeyIndexSync;
import dev.tollgate.admin.AdminApi;
import dev.tollgate.billing.Ledger;
import dev.tollgate.billing.PriceBook;
import dev.tollgate.billing.UsageMeter;
import dev.tollgate.store.Database;
import dev.tollgate.store.LedgerStore;
import java.nio.file.Path;
import dev.tollgate.store.TeamStore;
import dev.tollgate.team.Limits;
import io.vertx.ext.web.Router;
import java.util.function.Consumer;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.provider.Providers;
import dev.tollgate.proxy.AccessLog;
import dev.tollgate.proxy.Admission;
import dev.tollgate.proxy.ModelList;
import dev.tollgate.proxy.ProxyPipeline;
import dev.tollgate.proxy.RequestReader;
import dev.tollgate.proxy.TargetBreakers;
import dev.tollgate.route.ModelRouter;
import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: builds its parts from config, deploys one verticle per event loop on a shared
 * port, and shuts down gracefully (stop accepting, let requests in flight finish, flush, exit).
 */
public final class Gateway {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final GatewayConfig config;
  private final Vertx vertx;
  private final Clock clock;
  private final GatewayMetrics metrics = new GatewayMetrics();
  private final Readiness readiness = new Readiness();
  private final KeyIndex keys = new KeyIndex();
  private final List<GatewayVerticle> verticles = new ArrayList<>();
  private Providers providers;
  private Database database;
  private KeyIndexSync keySync;
  private Ledger ledger;
  private int port;
  private volatile Future<Void> stopping;

  private Gateway(GatewayConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    int loops = config.server().instances() > 0 ? config.server().instances() : Runtime.getRuntime().availableProcessors();
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
  }

  public static Future<Gateway> start(GatewayConfig config) {
    return start(config, Clock.systemUTC());
  }

  public static Future<Gateway> start(GatewayConfig config, Clock clock) {
    Gateway gateway = new Gateway(config, clock);
    return gateway.boot().map(v -> gateway).recover(failure -> gateway.vertx.close().transform(x -> Future.failedFuture(failure)));
  }

  private Future<Void> boot() {
    return vertx.executeBlocking(() -> Database.open(vertx, config.store())).compose(db -> {
      database = db;
      TeamStore teams = new TeamStore(db);
      keySync = new KeyIndexSync(vertx, teams, keys, clock);
      log.info("store: {}", db.description());
      return seedTeams(teams).compose(v -> keySync.start(config.auth().keyRefresh())).map(v -> teams);
    }).compose(teams -> Providers.start(vertx, config.providers()).compose(p -> {
      providers = p;
      PriceBook prices = config.prices() == null ? PriceBook.empty() : PriceBook.load(Path.of(config.prices()));
      warnUnpriced(prices);
      LedgerStore ledgerStore = new LedgerStore(database);
      ledger = new Ledger(vertx, ledgerStore, config.billing(), metrics, clock);
      ledger.start();
      ObjectMapper json = new ObjectMapper();
      ModelRouter router = new ModelRouter(config.models());
      Authenticator authenticator = new Authenticator(keys, config.auth().queryParamKey(), clock);
      var server = config.server();
      ProxyPipeline.Parts pipeline = new ProxyPipeline.Parts(
          authenticator, new RequestReader(json), router, providers.adapters(), Admission.OPEN,
          List.of(new UsageMeter(prices, ledger, metrics)),
          metrics, new AccessLog(server.accessLog()), json, server.maxBodyBytes(),
          server.upstreamTimeout().toMillis(), server.sseKeepalive().toMillis());
      GatewayParts parts = new GatewayParts(config, pipeline, new TargetBreakers(), new ModelList(authenticator, router),
          metrics, readiness);
      AdminApi admin = new AdminApi(teams, ledgerStore, keySync, config.admin().token(), name -> router.route(name) != null,
          config.auth().rotationGrace(), clock);
      return deploy(parts, admin::mount);
    })).onSuccess(v -> {
      readiness.started();
      log.info("Tollgate listening on {}:{} ({} event loops, {} models, {} providers)", config.server().host(), port,
          verticles.size(), config.models().size(), config.providers().size());
    });
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

  private void warnUnpriced(PriceBook prices) {
    config.models().values().forEach(m -> m.targets().forEach(t -> {
      if (prices.find(t.provider(), t.model(), m.name()) == null) {
        log.warn("model {} (target {}/{}) has no price in {}: its usage is recorded with tokens but no cost",
            m.name(), t.provider(), t.model(), config.prices() == null ? "the price book (prices: is not set)" : config.prices());
      }
    }));
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

  /** Graceful stop: readiness off, stop accepting, let requests in flight finish within the grace period. */
  public synchronized Future<Void> stop() {
    if (stopping != null) return stopping;
    readiness.draining();
    long grace = config.server().shutdownGrace().toMillis();
    log.info("Tollgate stopping: draining requests in flight for up to {} ms", grace);
    Future<Void> drained = Future.all(verticles.stream().map(v -> v.drain(grace)).toList())
        .transform(x -> settled(System.nanoTime() + grace * 1_000_000));
    stopping = drained
        .transform(x -> ledger == null ? Future.succeededFuture() : ledger.flush(config.server().shutdownGrace().plusSeconds(10)))
        .transform(x -> ledger == null ? Future.succeededFuture() : ledger.close())
        .transform(x -> keySync == null ? Future.succeededFuture() : keySync.stop())
        .transform(x -> database == null ? Future.succeededFuture() : database.close())
        .transform(x -> providers == null ? Future.succeededFuture() : providers.close())
        .transform(x -> vertx.close())
        .onComplete(x -> log.info("Tollgate stopped"));
    return stopping;
  }
}
