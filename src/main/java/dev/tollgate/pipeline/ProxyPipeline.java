package dev.tollgate.pipeline;

import dev.tollgate.auth.Authenticator;
import dev.tollgate.billing.PriceBook;
import dev.tollgate.billing.UsageMeter;
import dev.tollgate.cache.AnswerStore;
import dev.tollgate.cache.Flights;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.quota.QuotaGate;
import dev.tollgate.route.ModelRouter;
import dev.tollgate.wire.Dialect;
import dev.tollgate.wire.Operation;
import dev.tollgate.wire.Translator;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The client API's request pipeline, composed here, top to bottom. One per event loop, since its
 * upstream client belongs to that loop; the parts it is built from are shared.
 */
public final class ProxyPipeline {
  /** Everything the pipeline shares across event loops; one instance per gateway. */
  public record Parts(
      Authenticator authenticator,
      ModelRouter router,
      Map<String, ProviderAdapter> providers,
      Translator translator,
      TargetBreakers breakers,
      TargetBulkheads bulkheads,
      QuotaGate quotas,
      PriceBook prices,
      UsageMeter meter,
      BooleanSupplier ledgerBacklogged,
      GatewayMetrics metrics,
      AccessLog accessLog,
      long maxBodyBytes,
      long bodyReadTimeoutMs,
      GatewayConfig.Upstream upstream,
      long keepaliveMs,
      long defaultMaxOutputTokens,
      AnswerStore answers,
      Flights flights,
      long maxCacheEntryBytes,
      Clock clock,
      OpenStreams streams,
      SyntheticRoutes synthetic) {}

  private final Pipeline pipeline;

  public ProxyPipeline(Vertx vertx, HttpClient client, Parts p) {
    Relay relay = new Relay(p.metrics(), p.streams());
    this.pipeline = new Pipeline(List.of(
        new RespondStage(p.metrics(), p.accessLog()),           // failures become error bodies; every request counted, logged
        new AuthenticateStage(p.authenticator(), p.metrics()), // -> caller (and whether synthetic)
        new ReadBodyStage(p.maxBodyBytes(), p.bodyReadTimeoutMs()), // -> request
        new RouteStage(p.router(), p.synthetic().router()),    // -> route
        new ShedLoadStage(p.ledgerBacklogged(), p.metrics()),   // 503 while the ledger is far behind
        new CacheLookupStage(p.answers(), p.metrics(), p.clock()), // cached models: key, stored answer -> cache state
        new AdmitStage(p.quotas(), p.synthetic().quotas(), p.prices(), p.defaultMaxOutputTokens()), // reserve; after: settle
        new CountTokensStage(),                                 // count_tokens: answered with an estimate, unbilled
        new MeterStage(p.meter()),                              // after: bill what happened -> charge
        new KeepaliveStage(vertx, p.keepaliveMs()),             // SSE comments until the first event
        new CacheStage(p.answers(), p.flights(), relay, p.metrics(), p.clock(), p.maxCacheEntryBytes()), // hit, coalesce, store
        new UpstreamStage(vertx, client, p.providers(), p.translator(), p.breakers(), p.bulkheads(), p.metrics(), p.upstream()), // -> attempts
        new RelayStage(relay, p.upstream().idleTimeout().toMillis(), p.upstream().maxAnswerBytes(),
            p.upstream().maxEventBytes())));                                    // -> outcome
  }

  /** @param pathModel the model named in the URL (legacy engine and Azure deployment paths), or null */
  public void handle(HttpServerRequest request, Dialect dialect, Operation operation, String pathModel) {
    pipeline.run(new RequestContext(request, dialect, operation, pathModel));
  }
}
