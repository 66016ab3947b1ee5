package dev.tollgate.pipeline;

import dev.tollgate.cache.AnswerStore;
import dev.tollgate.cache.CachedAnswer;
import dev.tollgate.cache.Flight;
import dev.tollgate.cache.Flights;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.route.RouteTarget;
import dev.tollgate.wire.Answer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response cache. A hit is answered here, through the relay (replayed as a live stream for a
 * streamed request), without going upstream. Otherwise identical requests in flight are coalesced: the
 * first leads (goes upstream, its answer fed to the others as it is relayed), the others follow it — a
 * streamed follower from the stream's start, live; if the leader gets no complete answer, a follower that
 * has received nothing goes upstream in its place. A complete, successful answer is stored (unless the
 * request said {@code no-store}, or a fallback target answered). Sets {@code x-tollgate-cache} and, on a
 * hit, {@code Age}.
 */
final class CacheStage implements Stage {
  private static final Logger log = LoggerFactory.getLogger(CacheStage.class);
  private static final MultiMap JSON = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json");
  private static final MultiMap NONE = MultiMap.caseInsensitiveMultiMap();

  private final AnswerStore store;
  private final Flights flights;
  private final Relay relay;
  private final GatewayMetrics metrics;
  private final Clock clock;
  private final long maxEntryBytes;

  CacheStage(AnswerStore store, Flights flights, Relay relay, GatewayMetrics metrics, Clock clock, long maxEntryBytes) {
    this.store = store;
    this.flights = flights;
    this.relay = relay;
    this.metrics = metrics;
    this.clock = clock;
    this.maxEntryBytes = maxEntryBytes;
  }

  @Override
  public Future<Void> handle(RequestContext ctx, Next next) {
    CacheState cache = ctx.cache();
    if (cache == null) return next.run(ctx);
    return switch (cache.found()) {
      case HIT -> {
        CachedAnswer answer = cache.stored();
        result(ctx, "hit");
        ctx.response().putHeader("age", Long.toString(Math.max(0, (clock.millis() - answer.storedAtMillis()) / 1000)));
        cache.served("hit", answer.usage(), answer.provider(), answer.upstreamModel());
        yield serve(ctx, answer);
      }
      case BYPASS -> {
        result(ctx, "bypass");
        yield alone(ctx, next);
      }
      case MISS -> coalesce(ctx, next);
    };
  }

  private void result(RequestContext ctx, String result) {
    ctx.response().headers().set("x-tollgate-cache", result);
    metrics.cacheResult(result);
  }

  private Future<Void> coalesce(RequestContext ctx, Next next) {
    Flights.Seat seat = flights.join(ctx.cache().key());
    if (seat instanceof Flights.Leads leads) {
      result(ctx, "miss");
      return lead(ctx, next, leads.flight());
    }
    if (seat instanceof Flights.Follows follows) return follow(ctx, next, follows.flight());
    result(ctx, "miss");
    return alone(ctx, next);
  }

  /**
   * Goes upstream, feeding the flight; the answer is stored and the flight landed as soon as the relay has
   * it whole, before the client's response ends (so an identical request right after finds it), or when the
   * request ends, whichever comes first.
   */
  private Future<Void> lead(RequestContext ctx, Next next, Flight flight) {
    Recorder[] recorder = new Recorder[1];
    recorder[0] = new Recorder(flight, maxEntryBytes, () -> {
      CachedAnswer answer = answerOf(ctx, recorder[0]);
      if (answer == null) {
        flight.fail();
      } else {
        keep(ctx, answer);
        flight.land(answer);
      }
    });
    ctx.tap(recorder[0]);
    return next.run(ctx).andThen(done -> recorder[0].complete());
  }

  private Future<Void> alone(RequestContext ctx, Next next) {
    Recorder[] recorder = new Recorder[1];
    recorder[0] = new Recorder(null, maxEntryBytes, () -> {
      CachedAnswer answer = answerOf(ctx, recorder[0]);
      if (answer != null) keep(ctx, answer);
    });
    ctx.tap(recorder[0]);
    return next.run(ctx).andThen(done -> recorder[0].complete());
  }

  private CachedAnswer answerOf(RequestContext ctx, Recorder recorder) {
    try {
      return recorder.answer(ctx, clock.millis());
    } catch (RuntimeException e) {
      log.warn("the answer to request {} cannot be cached: {}", ctx.requestId(), e.toString());
      return null;
    }
  }

  /** Stores an answer unless the request said no-store, it is too large, or a fallback target answered it. */
  private void keep(RequestContext ctx, CachedAnswer answer) {
    CacheState cache = ctx.cache();
    RouteTarget keyed = ctx.route().candidates().get(0);
    RouteTarget answered = ctx.attempts().target();
    if (cache.control().noStore() || answer.weight() > maxEntryBytes || !keyed.equals(answered)) return;
    store.put(cache.key(), answer, cache.rule().ttl()).onFailure(e -> metrics.cacheStoreUnavailable());
  }

  /**
   * Waits for what the leader has: the first event (a streamed follower then follows the stream live), or
   * its complete answer; if it got none, this request tries again — leading, most likely.
   */
  private Future<Void> follow(RequestContext ctx, Next next, Flight flight) {
    boolean streamed = ctx.api().stream();
    Context context = Vertx.currentContext();
    Promise<Void> ready = Promise.promise();
    Runnable check = () -> {
      if (flight.state() != Flight.State.FLYING || (streamed && flight.eventCount() > 0)) ready.tryComplete();
    };
    Runnable wake = () -> context.runOnContext(v -> check.run());
    flight.watch(wake);
    ctx.onClientGone(ready::tryComplete);
    check.run();
    return ready.future().compose(v -> {
      flight.unwatch(wake);
      if (ctx.clientGone()) {
        flight.unfollow();
        return Future.succeededFuture();
      }
      RouteTarget target = ctx.route().candidates().get(0);
      if (streamed && flight.eventCount() > 0) {
        result(ctx, "coalesced");
        ctx.cache().served("coalesced", null, target.provider(), target.upstreamModel());
        return relay.stream(ctx, NONE, new FlightStream(context, flight)).andThen(x -> flight.unfollow());
      }
      flight.unfollow();
      if (flight.state() == Flight.State.LANDED) {
        CachedAnswer answer = flight.answer();
        result(ctx, "coalesced");
        ctx.cache().served("coalesced", answer.usage(), answer.provider(), answer.upstreamModel());
        return serve(ctx, answer);
      }
      return flight.tooLarge() ? alone(ctx, next) : coalesce(ctx, next);
    });
  }

  /** A complete answer through the relay: replayed as a live stream for a streamed request, else as its body. */
  private Future<Void> serve(RequestContext ctx, CachedAnswer answer) {
    if (ctx.api().stream()) {
      ReplayStream events = new ReplayStream(Vertx.currentContext(), ctx.api().dialect().replay(ctx.api(), answer.body()));
      return relay.stream(ctx, NONE, events);
    }
    return relay.body(ctx, 200, JSON, Buffer.buffer(answer.body()), new Answer(answer.usage(), null));
  }
}
