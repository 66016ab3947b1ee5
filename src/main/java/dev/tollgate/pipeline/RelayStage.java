package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.Answer;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.Translation;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;

/**
 * The last stage: the upstream's answer to the client. A successful event stream goes event by
 * event; anything else as the body it is, with the upstream's status. An answer from a provider speaking
 * another API is translated on the way (its usage read in the provider's own shape).
 */
final class RelayStage implements Stage {
  private final Relay relay;
  private final long idleMs;
  private final long maxAnswerBytes;
  private final long maxEventBytes;

  /**
   * @param idleMs the longest silence between a stream's events ({@code server.idle-timeout})
   * @param maxAnswerBytes the largest whole answer held ({@code server.max-answer-bytes})
   * @param maxEventBytes the largest stream event held ({@code server.max-event-bytes})
   */
  RelayStage(Relay relay, long idleMs, long maxAnswerBytes, long maxEventBytes) {
    this.relay = relay;
    this.idleMs = idleMs;
    this.maxAnswerBytes = maxAnswerBytes;
    this.maxEventBytes = maxEventBytes;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    HttpClientResponse answer = ctx.attempts().answer();
    Translation translation = ctx.attempts().translation();
    if (ctx.api().stream() && answer.statusCode() == 200 && isEventStream(answer)) {
      return relay.stream(ctx, answer.headers(), answer, idleMs, maxEventBytes, translation);
    }
    return AnswerReader.read(answer, maxAnswerBytes, ctx.attempts().target().provider()).transform(ar -> {
      if (ar.failed()) {
        if (ctx.clientGone()) return Future.succeededFuture();
        return Future.failedFuture(ar.cause() instanceof GatewayFailure f ? f : bodyFailure(ctx, ar.cause()));
      }
      int status = answer.statusCode();
      Buffer body = ar.result();
      Answer read = null;
      if (translation != null) {
        ApiRequest upstream = translation.upstream();
        try {
          if (status == 200) read = upstream.dialect().readAnswer(upstream, body.getBytes());
          body = Buffer.buffer(status == 200 ? translation.answer(body.getBytes()) : translation.error(status, body.getBytes()));
        } catch (RuntimeException untranslatable) {
          ctx.outcome().answer(read);
          return Future.failedFuture(GatewayFailure.of(untranslatable));
        }
      }
      if (ctx.tap() != null) ctx.tap().body(status, body);
      if (ctx.clientGone()) return Future.succeededFuture();
      return relay.body(ctx, status, answer.headers(), body, read);
    });
  }

  /** The upstream stopped sending its answer's body: silent past the timeout, or the connection broke. */
  private static GatewayFailure bodyFailure(RequestContext ctx, Throwable cause) {
    String provider = ctx.attempts().target().provider();
    if (UpstreamStage.isTimeout(cause)) {
      ctx.outcome().markTimedOut();
      return GatewayFailure.upstreamTimeout(provider);
    }
    return GatewayFailure.upstreamUnreachable(provider);
  }

  private static boolean isEventStream(HttpClientResponse resp) {
    String type = resp.getHeader("content-type");
    return type != null && type.startsWith("text/event-stream");
  }
}
