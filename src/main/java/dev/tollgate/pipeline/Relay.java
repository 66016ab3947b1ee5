package dev.tollgate.pipeline;

import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.wire.Answer;
import dev.tollgate.wire.Translation;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An answer to the client, wherever it comes from (the upstream, a cached answer, an identical request in
 * flight): an event stream event by event ({@link SseRelay}), or a whole body with its status. Writes the
 * outcome: status, usage or text, how a stream ended.
 */
final class Relay {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);

  private final GatewayMetrics metrics;
  private final OpenStreams streams;

  Relay(GatewayMetrics metrics, OpenStreams streams) {
    this.metrics = metrics;
    this.streams = streams;
  }

  /** Completes when the client's response has ended or the client has gone. */
  Future<Void> stream(RequestContext ctx, MultiMap headers, ReadStream<Buffer> events) {
    return stream(ctx, headers, events, 0, Long.MAX_VALUE, null);
  }

  /**
   * @param idleMs for an upstream's stream: the longest silence between its events before the upstream call is
   *     aborted as timed out (the client then gets the error event); 0 for answers at hand
   * @param maxEventBytes the largest event held; a larger one ends the stream as broken
   * @param translation how the events turn into the client's API, when they come in another; else null
   */
  Future<Void> stream(RequestContext ctx, MultiMap headers, ReadStream<Buffer> events, long idleMs, long maxEventBytes,
      Translation translation) {
    HttpServerResponse out = ctx.response();
    if (!out.headWritten()) {
      ResponseHeaders.copyUpstream(headers, out.headers());
      ResponseHeaders.startEventStream(ctx, out);
    }
    ctx.outcome().status(200);
    boolean counted = !ctx.synthetic(); // the warm-up's streams are no one's traffic
    if (counted) metrics.activeStreams().incrementAndGet();
    String model = ctx.route().model();
    SseRelay relay = new SseRelay(ctx, events,
        () -> metrics.timeToFirstToken(model, ctx.outcome().firstEventNanos() - ctx.startNanos()), idleMs, maxEventBytes, translation);
    ctx.onClientGone(relay::clientGone);
    return relay.run(streams).andThen(x -> {
      if (counted) metrics.activeStreams().decrementAndGet();
    });
  }

  Future<Void> body(RequestContext ctx, int status, MultiMap headers, Buffer body) {
    return body(ctx, status, headers, body, null);
  }

  /** @param known the answer's usage when it is known already (a cached answer), so the body is not read again */
  Future<Void> body(RequestContext ctx, int status, MultiMap headers, Buffer body, Answer known) {
    Outcome outcome = ctx.outcome();
    outcome.status(status);
    if (known != null) {
      outcome.answer(known);
    } else if (status == 200) {
      Answer answer = ctx.api().dialect().readAnswer(ctx.api(), body.getBytes());
      if (answer.usage() == null && answer.text() == null) log.warn("answer to {} is not JSON; no usage read", ctx.requestId());
      outcome.answer(answer);
    }
    HttpServerResponse out = ctx.response();
    if (out.headWritten()) {
      // keepalives already committed an event stream: the answer can only go as an event
      if (status != 200) outcome.broken(false);
      out.write(status != 200 ? Buffer.buffer(ctx.dialect().errorEvent(body.getBytes()))
          : Buffer.buffer("data: ").appendBuffer(body).appendString("\n\n"));
      return ctx.delivered(out.end());
    }
    ResponseHeaders.copyUpstream(headers, out.headers());
    out.setStatusCode(status);
    ResponseHeaders.gateway(ctx, out);
    if (ctx.tap() != null) ctx.tap().complete();
    return ctx.delivered(out.end(body));
  }
}
