package dev.tollgate.billing;

import dev.tollgate.core.Ids;
import dev.tollgate.core.Saturating;
import dev.tollgate.core.Usage;
import dev.tollgate.metrics.GatewayMetrics;

/**
 * Bills one admitted request: the provider's reported usage when there is one, otherwise a tokenizer
 * estimate of the prompt and of the text produced so far (flagged estimated). A request that failed
 * before the provider produced anything costs nothing. Every call records one usage event.
 */
public final class UsageMeter {
  private final PriceBook prices;
  private final Ledger ledger;
  private final GatewayMetrics metrics;

  public UsageMeter(PriceBook prices, Ledger ledger, GatewayMetrics metrics) {
    this.prices = prices;
    this.ledger = ledger;
    this.metrics = metrics;
  }

  public Charge bill(CallOutcome o) {
    if (o.fromCache() != null) return billFromCache(o, o.fromCache());
    Charge charge = charge(o);
    ledger.record(new UsageEvent(
        Ids.timeOrdered("u_", 16), o.requestId(), o.startMillis(), o.teamId(), o.keyId(), o.modelRequested(), o.model(),
        o.upstreamModel(), o.provider(), o.endpoint(), o.stream(), charge.usage(), charge.costNanos(), charge.priced(),
        charge.estimated(), null, Usage.ZERO, 0, o.status(), o.outcome(), o.latencyMillis(), o.ttftMillis(), o.endUser()));
    if (charge.usage().totalTokens() > 0) {
      metrics.billed(o.teamId(), o.model(), charge.usage().promptTokens(), charge.usage().completionTokens(),
          charge.costNanos() / 1e9);
    }
    return charge;
  }

  /**
   * An answer the cache served costs nothing and uses no tokens; its record keeps what it saved (the
   * tokens of the answer at the price of the provider and model that produced it) apart, so token and cost
   * rollups count every upstream token once.
   */
  private Charge billFromCache(CallOutcome o, CallOutcome.FromCache c) {
    Price price = prices.find(c.provider(), c.upstreamModel(), o.model());
    long saved = price == null ? 0 : prices.cost(price, c.usage());
    ledger.record(new UsageEvent(
        Ids.timeOrdered("u_", 16), o.requestId(), o.startMillis(), o.teamId(), o.keyId(), o.modelRequested(), o.model(),
        c.upstreamModel(), c.provider(), o.endpoint(), o.stream(), Usage.ZERO, 0, price != null, false, c.kind(), c.usage(),
        saved, o.status(), o.outcome(), o.latencyMillis(), o.ttftMillis(), o.endUser()));
    metrics.cacheSaved(o.teamId(), saved / 1e9);
    return Charge.NONE;
  }

  /** What an outcome costs, computed as {@link #bill} does, recording nothing (the warm-up's synthetic requests). */
  public Charge quote(CallOutcome o) {
    return o.fromCache() != null ? Charge.NONE : charge(o);
  }

  Charge charge(CallOutcome o) {
    Price price = prices.find(o.provider(), o.upstreamModel(), o.model());
    Usage usage;
    boolean estimated;
    if (o.reported() != null) {
      usage = bounded(o.reported());
      estimated = false;
    } else if (producedSomething(o) && o.prompt() != null) {
      String tokenizerModel = o.upstreamModel() != null ? o.upstreamModel() : o.model();
      long output = o.producedTokens();
      Usage p = o.promptReported();
      // the prompt as the provider counted it when it said so before the stream broke off; else an estimate
      usage = p != null ? new Usage(p.promptTokens(), Math.max(output, p.completionTokens()), p.cachedTokens(), 0, p.cacheWriteTokens())
          : new Usage(TokenCounter.estimate(tokenizerModel, o.prompt()), output, 0, 0);
      estimated = true;
    } else {
      return new Charge(Usage.ZERO, 0, false, price != null);
    }
    return new Charge(usage, price == null ? 0 : prices.cost(price, usage), estimated, price != null);
  }

  /**
   * A provider's count held to what one request can use (none writes 2^31 tokens), so a corrupt or hostile
   * usage report cannot overflow the ledger's sums and stop every later record from being written.
   */
  private static Usage bounded(Usage u) {
    long max = Integer.MAX_VALUE;
    return new Usage(Saturating.clamp(u.promptTokens(), 0, max), Saturating.clamp(u.completionTokens(), 0, max),
        Saturating.clamp(u.cachedTokens(), 0, max), Saturating.clamp(u.reasoningTokens(), 0, max),
        Saturating.clamp(u.cacheWriteTokens(), 0, max));
  }

  /**
   * Whether the provider may have done work that it did not report: the request reached it and
   * either succeeded without usage, or was cut off (client gone, stream broken, timed out mid-answer).
   */
  private static boolean producedSomething(CallOutcome o) {
    if (!o.reachedUpstream()) return false;
    if (o.status() == 200) return true;
    return o.clientGone() || o.streamBroken() || (o.timedOut() && o.answerStarted());
  }
}
