package dev.tollgate.pipeline;

import dev.tollgate.cache.CachedAnswer;
import dev.tollgate.cache.Flight;
import dev.tollgate.core.Usage;
import dev.tollgate.route.RouteTarget;
import dev.tollgate.wire.StreamEvent;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the answer a request relays, up to a size, so the cache can store it; and feeds it, as it
 * passes, to the flight that identical requests follow (if this request leads one).
 */
final class Recorder implements AnswerTap {
  private final Flight flight;
  private final long maxBytes;
  private final Runnable onComplete;
  private boolean completed;
  private final List<Buffer> events = new ArrayList<>();
  private long bytes;
  private boolean tooLarge;
  private int bodyStatus;
  private Buffer body;

  /**
   * @param flight the flight this request leads, or null
   * @param onComplete what to do with the answer once it is complete (or the request ended): called once
   */
  Recorder(Flight flight, long maxBytes, Runnable onComplete) {
    this.flight = flight;
    this.maxBytes = maxBytes;
    this.onComplete = onComplete;
  }

  @Override
  public void complete() {
    if (completed) return;
    completed = true;
    onComplete.run();
  }

  @Override
  public void event(Buffer raw) {
    Buffer copy = raw.copy();
    if (!tooLarge) {
      bytes += copy.length();
      tooLarge = bytes > maxBytes;
      if (tooLarge) events.clear();
      else events.add(copy);
    }
    if (flight != null) flight.event(copy);
  }

  @Override
  public void body(int status, Buffer body) {
    this.bodyStatus = status;
    this.body = body;
    tooLarge = body.length() > maxBytes;
  }

  @Override
  public boolean followed() {
    return flight != null && flight.followed();
  }

  /** The complete, successful answer the request got, as a non-streamed request gets it; null if it got none. */
  CachedAnswer answer(RequestContext ctx, long nowMillis) {
    RouteTarget target = ctx.attempts().target();
    if (tooLarge || target == null) return null;
    byte[] answer;
    if (body != null) {
      if (bodyStatus != 200) return null;
      answer = body.getBytes();
    } else if (ctx.outcome().completeStream()) {
      answer = ctx.api().dialect().assemble(ctx.api(), parse(events));
    } else {
      return null;
    }
    if (answer == null) return null;
    Usage usage = ctx.outcome().reported();
    if (usage == null && body != null) usage = ctx.api().dialect().readAnswer(ctx.api(), answer).usage();
    return new CachedAnswer(answer, usage == null ? Usage.ZERO : usage, target.provider(), target.upstreamModel(), nowMillis);
  }

  private static List<StreamEvent> parse(List<Buffer> raw) {
    List<StreamEvent> out = new ArrayList<>(raw.size());
    SseParser parser = new SseParser();
    for (Buffer b : raw) parser.feed(b, e -> out.add(new StreamEvent(e.name(), e.data())));
    return out;
  }
}
