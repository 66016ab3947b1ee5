package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.wire.Answer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage: the upstream's answer to the client. A successful event stream goes event by
 * event ({@link SseRelay}); anything else as the body it is, with the upstream's status.
 */
final class RelayStage implements Stage {
  private static final Logger log = LoggerFactory.getLogger(RelayStage.class);

  private final GatewayMetrics metrics;

  RelayStage(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    HttpClientResponse answer = ctx.attempts().answer();
    if (ctx.api().stream() && answer.statusCode() == 200 && isEventStream(answer)) return relayStream(ctx, answer);
    return relayBody(ctx, answer);
  }

  private Future<Void> relayBody(RequestContext ctx, HttpClientResponse resp) {
    return resp.body().transform(ar -> {
      if (ctx.clientGone()) return Future.succeededFuture();
      if (ar.failed()) return Future.failedFuture(bodyFailure(ctx, ar.cause()));
      Buffer body = ar.result();
      Outcome outcome = ctx.outcome();
      int status = resp.statusCode();
      outcome.status(status);
      if (status == 200) {
        Answer answer = ctx.api().dialect().readAnswer(ctx.api(), body.getBytes());
        if (answer.usage() == null && answer.text() == null) log.warn("upstream answer to {} is not JSON; no usage read", ctx.requestId());
        outcome.answer(answer);
      }
      HttpServerResponse out = ctx.response();
      if (out.headWritten()) {
        // keepalives already committed an event stream: the upstream's answer can only go as an event
        if (status != 200) outcome.broken(false);
        out.write(Buffer.buffer("data: ").appendBuffer(body).appendString("\n\n"));
        return out.end();
      }
      ResponseHeaders.copyUpstream(resp.headers(), out.headers());
      out.setStatusCode(status);
      ResponseHeaders.gateway(ctx, out);
      return out.end(body);
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

  private Future<Void> relayStream(RequestContext ctx, HttpClientResponse resp) {
    HttpServerResponse out = ctx.response();
    if (!out.headWritten()) {
      ResponseHeaders.copyUpstream(resp.headers(), out.headers());
      ResponseHeaders.startEventStream(ctx, out);
    }
    ctx.outcome().status(200);
    metrics.activeStreams().incrementAndGet();
    String model = ctx.route().model();
    SseRelay relay = new SseRelay(ctx, resp,
        () -> metrics.timeToFirstToken(model, ctx.outcome().firstEventNanos() - ctx.startNanos()));
    ctx.onClientGone(relay::clientGone);
    return relay.run().andThen(x -> metrics.activeStreams().decrementAndGet());
  }

  private static boolean isEventStream(HttpClientResponse resp) {
    String type = resp.getHeader("content-type");
    return type != null && type.startsWith("text/event-stream");
  }
}
