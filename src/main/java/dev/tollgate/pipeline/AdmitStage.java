package dev.tollgate.pipeline;

import dev.tollgate.auth.Caller;
import dev.tollgate.billing.Charge;
import dev.tollgate.billing.Price;
import dev.tollgate.billing.PriceBook;
import dev.tollgate.billing.TokenCounter;
import dev.tollgate.core.BenchSwitches;
import dev.tollgate.core.Usage;
import dev.tollgate.quota.Admission;
import dev.tollgate.quota.QuotaGate;
import dev.tollgate.route.Route;
import dev.tollgate.route.RouteTarget;
import dev.tollgate.wire.ApiRequest;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission: the request's estimated input tokens plus the most output it may write, and that worst
 * case's cost, are reserved against the team's and the key's limits and budget; refused with a 429 (a
 * cache hit, found by the lookup before, and a token count count as a request only). Its
 * after-work settles the reservation to what the request was billed, which the meter stage (inside
 * this one) has computed by then. The warm-up's synthetic requests are admitted by quotas of their own.
 */
final class AdmitStage implements Stage {
  private static final Logger log = LoggerFactory.getLogger(AdmitStage.class);

  private final QuotaGate quotas;
  private final QuotaGate synthetic;
  private final PriceBook prices;
  private final long defaultMaxOutputTokens;

  AdmitStage(QuotaGate quotas, PriceBook prices, long defaultMaxOutputTokens) {
    this(quotas, quotas, prices, defaultMaxOutputTokens);
  }

  AdmitStage(QuotaGate quotas, QuotaGate synthetic, PriceBook prices, long defaultMaxOutputTokens) {
    this.quotas = quotas;
    this.synthetic = synthetic;
    this.prices = prices;
    this.defaultMaxOutputTokens = defaultMaxOutputTokens;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    Caller caller = ctx.caller();
    QuotaGate gate = caller.synthetic() ? synthetic : quotas;
    if (BenchSwitches.ADMIT.off() || !gate.applies(caller.team(), caller.key())) return next.run(ctx);
    return admission(ctx, caller, gate).compose(admission -> {
      RateLimitHeaders.set(ctx.response().headers(), admission.rates());
      if (admission.refusal() != null) return Future.failedFuture(admission.refusal());
      return next.run(ctx).andThen(done -> settle(ctx, admission));
    });
  }

  /** A cache hit or a token count uses no tokens and costs nothing: it counts as a request only. */
  private Future<Admission> admission(RequestContext ctx, Caller caller, QuotaGate gate) {
    if (ctx.cache() != null && ctx.cache().hit() || ctx.operation().countsTokens()) {
      return gate.admitCached(caller.team(), caller.key());
    }
    ApiRequest api = ctx.api();
    Route route = ctx.route();
    RouteTarget first = route.candidates().get(0);
    long input = BenchSwitches.ESTIMATE.off() ? 0 : TokenCounter.estimate(first.upstreamModel(), api.prompt());
    long maxOutput = maxOutputTokens(api, route);
    Price price = prices.find(first.provider(), first.upstreamModel(), route.model());
    long worstCost = price == null ? 0 : prices.cost(price, new Usage(input, maxOutput, 0, 0));
    return gate.admit(caller.team(), caller.key(), input, maxOutput, worstCost);
  }

  /**
   * The most output the request may produce: what it asks for (the dialect refused anything above
   * {@code ApiRequest.MAX_OUTPUT_TOKENS}), held to the model's {@code max-output-tokens} when one is
   * configured; else that limit, else the configured default.
   */
  private long maxOutputTokens(ApiRequest api, Route route) {
    Integer modelLimit = route.maxOutputTokens();
    if (api.maxOutputTokens() != null) {
      long asked = Math.min(api.maxOutputTokens(), ApiRequest.MAX_OUTPUT_TOKENS);
      return modelLimit == null ? asked : Math.min(asked, modelLimit);
    }
    return modelLimit != null ? modelLimit : defaultMaxOutputTokens;
  }

  private static void settle(RequestContext ctx, Admission admission) {
    Charge charge = ctx.charge();
    try {
      admission.settle(charge == null ? 0 : charge.usage().totalTokens(), charge == null ? 0 : charge.costNanos());
    } catch (RuntimeException e) {
      log.error("releasing the quota reservation of request {} failed", ctx.requestId(), e);
    }
  }
}
