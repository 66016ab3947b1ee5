package dev.tollgate.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.billing.Charge;
import dev.tollgate.core.NanoUsd;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per client request on the {@code tollgate.access} logger ({@code server.access-log: false} turns
 * it off): who called (team, key id and prefix), which model was asked for and which answered, the status and
 * outcome, tokens, cost, latency, time to first token and what the cache did. Never the prompt or the answer,
 * never a secret; the path without its query string, so a key passed as {@code ?api-key=} cannot reach the log.
 */
public final class AccessLog {
  private static final Logger log = LoggerFactory.getLogger("tollgate.access");
  private static final JsonFactory JSON = new JsonFactory();
  private final boolean enabled;

  public AccessLog(boolean enabled) {
    this.enabled = enabled && log.isInfoEnabled();
  }

  void log(RequestContext ctx, long nanos) {
    if (!enabled) return;
    try {
      log.info(line(ctx, nanos));
    } catch (IOException | RuntimeException e) {
      log.warn("cannot write the access log line of {}: {}", ctx.requestId(), e.toString());
    }
  }

  static String line(RequestContext ctx, long nanos) throws IOException {
    StringWriter out = new StringWriter(400);
    try (JsonGenerator j = JSON.createGenerator(out)) {
      var caller = ctx.caller();
      var route = ctx.route();
      var target = ctx.attempts().target();
      Charge charge = ctx.charge();
      j.writeStartObject();
      j.writeStringField("time", Instant.ofEpochMilli(ctx.startMillis()).toString());
      j.writeStringField("request_id", ctx.requestId());
      j.writeStringField("method", ctx.request().method().name());
      j.writeStringField("path", ctx.request().path());
      j.writeStringField("endpoint", ctx.operation().wireName());
      j.writeNumberField("status", ctx.status());
      j.writeStringField("outcome", ctx.outcomeName());
      if (ctx.errorCode() != null) j.writeStringField("error", ctx.errorCode());
      text(j, "team", caller == null ? null : caller.team().id());
      text(j, "key_id", caller == null ? null : caller.key().id());
      text(j, "key_prefix", caller == null ? null : caller.key().prefix());
      text(j, "model_requested", route != null ? route.requested() : ctx.api() != null ? ctx.api().model() : ctx.pathModel());
      text(j, "model", route == null ? null : route.model());
      text(j, "provider", target == null ? null : target.provider());
      text(j, "upstream_model", target == null ? null : target.upstreamModel());
      j.writeNumberField("attempts", ctx.attempts().count());
      j.writeBooleanField("stream", ctx.streamed());
      if (charge != null) {
        j.writeNumberField("prompt_tokens", charge.usage().promptTokens());
        j.writeNumberField("completion_tokens", charge.usage().completionTokens());
        j.writeNumberField("cached_tokens", charge.usage().cachedTokens());
        j.writeNumberField("cost_usd", NanoUsd.display(charge.costNanos()));
        j.writeBooleanField("estimated", charge.estimated());
      }
      j.writeNumberField("latency_ms", nanos / 1_000_000);
      long first = ctx.outcome().firstEventNanos();
      if (ctx.streamed() && first > 0) j.writeNumberField("ttft_ms", (first - ctx.startNanos()) / 1_000_000);
      else j.writeNullField("ttft_ms");
      text(j, "cache", ctx.response().headers().get("x-tollgate-cache"));
      j.writeEndObject();
    }
    return out.toString();
  }

  private static void text(JsonGenerator j, String field, String value) throws IOException {
    if (value == null) j.writeNullField(field);
    else j.writeStringField(field, value);
  }
}
