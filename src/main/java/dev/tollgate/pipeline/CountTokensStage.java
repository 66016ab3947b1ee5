package dev.tollgate.pipeline;

import dev.tollgate.billing.TokenCounter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * A token-counting request (Anthropic's {@code count_tokens}) is answered here, after authentication, the body's
 * and the model's checks, and admission (as a request only: the team's requests per minute and concurrency): the
 * gateway's estimate of the prompt, with the model's tokenizer where it knows it. It goes no further: nothing is
 * sent upstream or billed.
 */
final class CountTokensStage implements Stage {
  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    if (!ctx.operation().countsTokens()) return next.run(ctx);
    long tokens = TokenCounter.estimate(ctx.route().candidates().get(0).upstreamModel(), ctx.api().prompt());
    ctx.outcome().status(200);
    ResponseHeaders.gateway(ctx, ctx.response());
    return ctx.delivered(ctx.response().setStatusCode(200).putHeader("content-type", "application/json")
        .end(Buffer.buffer(ctx.dialect().tokenCount(tokens))));
  }
}
