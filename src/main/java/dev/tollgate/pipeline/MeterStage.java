package dev.tollgate.pipeline;

import dev.tollgate.billing.CallOutcome;
import dev.tollgate.billing.TokenCounter;
import dev.tollgate.billing.UsageMeter;
import dev.tollgate.core.BenchSwitches;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.core.Usage;
import dev.tollgate.route.RouteTarget;
import dev.tollgate.wire.ApiRequest;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Billing: its after-work records what the admitted request used, whatever happened after admission,
 * and leaves the charge on the context for admission's settlement. The warm-up's synthetic requests are priced the
 * same way and recorded nowhere.
 */
final class MeterStage implements Stage {
  private static final Logger log = LoggerFactory.getLogger(MeterStage.class);

  /** Texts at least this long (characters) are counted on a worker: about a millisecond of tokenizing. */
  private static final int LONG_TEXT = 64 * 1024;

  private final UsageMeter meter;

  MeterStage(UsageMeter meter) {
    this.meter = meter;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    if (BenchSwitches.METER.off()) return next.run(ctx);
    return next.run(ctx).transform(done -> producedTokens(ctx, done).transform(tokens -> {
      try {
        CallOutcome outcome = outcome(ctx, done, tokens.succeeded() ? tokens.result() : 0);
        ctx.charge(ctx.caller().synthetic() ? meter.quote(outcome) : meter.bill(outcome));
      } catch (RuntimeException e) {
        log.error("billing of request {} failed", ctx.requestId(), e);
      }
      return done.succeeded() ? Future.succeededFuture() : Future.failedFuture(done.cause());
    }));
  }

  /**
   * The tokens of the text produced, when an estimate may need them: a stream's were counted as it passed; a whole
   * answer's text is counted here, off the event loop when it is long.
   */
  private static Future<Long> producedTokens(RequestContext ctx, AsyncResult<Void> done) {
    Outcome outcome = ctx.outcome();
    if (outcome.reported() != null) return Future.succeededFuture(0L);
    String text = outcome.answerText();
    if (text == null) return outcome.streamedTokens();
    String tokenizer = tokenizer(ctx);
    if (text.length() < LONG_TEXT) return Future.succeededFuture((long) TokenCounter.count(tokenizer, text));
    return Vertx.currentContext().executeBlocking(() -> (long) TokenCounter.count(tokenizer, text), false);
  }

  private static String tokenizer(RequestContext ctx) {
    return ctx.attempts().target() != null ? ctx.attempts().target().upstreamModel() : ctx.route().model();
  }

  static CallOutcome outcome(RequestContext ctx, AsyncResult<Void> done, long producedTokens) {
    ApiRequest api = ctx.api();
    Attempts attempts = ctx.attempts();
    Outcome outcome = ctx.outcome();
    RouteTarget target = attempts.target();
    GatewayFailure failure = done.failed() && !ctx.clientGone() ? GatewayFailure.of(done.cause()) : null;
    int status = failure != null ? failure.status() : ctx.status();
    String outcomeName = failure != null ? (failure.status() == 504 ? "timeout" : "error") : ctx.outcomeName();
    Usage reported = outcome.reported();
    // only a request that reached a provider and got no usage may be billed by estimate
    boolean mayEstimate = reported == null && attempts.sentNanos() != 0;
    long first = outcome.firstEventNanos();
    return new CallOutcome(ctx.requestId(), ctx.startMillis(), ctx.caller().team().id(), ctx.caller().key().id(),
        ctx.route().requested(), ctx.route().model(),
        target == null ? null : target.provider(), target == null ? null : target.upstreamModel(),
        api.operation().wireName(), api.stream(), status, outcomeName, reported, reported == null ? outcome.promptReported() : null,
        attempts.sentNanos() != 0, attempts.headersNanos() != 0, ctx.clientGone(), outcome.streamBroken(), outcome.timedOut(),
        mayEstimate ? api.prompt() : null, mayEstimate ? producedTokens : 0,
        (System.nanoTime() - ctx.startNanos()) / 1_000_000, first == 0 ? null : (first - ctx.startNanos()) / 1_000_000,
        api.user(), ctx.cache() == null ? null : ctx.cache().fromCache(reported));
  }
}
