package dev.tollgate.quota;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.team.Budget;
import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import dev.tollgate.auth.Authenticator;
import dev.tollgate.auth.Caller;
import dev.tollgate.server.ErrorResponses;
import dev.tollgate.server.GatewayFailure;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;

/**
 * Current use against every limit and the budget, with what remains and when it resets: what the
 * admin API shows for any team or key, and what a team key may read about its own team.
 */
public final class QuotaView {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final QuotaGate gate;
  private final Clock clock;

  public QuotaView(QuotaGate gate, Clock clock) {
    this.gate = gate;
    this.clock = clock;
  }

  public Future<ObjectNode> of(Team team, TeamKey key) {
    return gate.status(team, key == null ? null : key.id(), key == null ? null : ScopeLimits.of(key.limits())).map(s -> {
      ObjectNode out = JSON.createObjectNode();
      out.put("team", team.id());
      ObjectNode limits = out.putObject("team_limits");
      scope(limits, team.limits().rpm(), team.limits().tpm(), team.limits().concurrent(), s.team());
      if (key != null) {
        out.put("key", key.id());
        scope(out.putObject("key_limits"), key.limits().rpm(), key.limits().tpm(), key.limits().concurrent(), s.key());
      }
      Budget b = team.budget();
      if (b == null) {
        out.putNull("budget");
      } else {
        Instant now = clock.instant();
        long budgetNanos = b.usd().multiply(BigDecimal.valueOf(1_000_000_000L)).longValueExact();
        ObjectNode budget = out.putObject("budget");
        budget.put("usd", b.usd());
        budget.put("period", b.period().wireName());
        budget.put("spent_usd", usd(s.spentNanos()));
        budget.put("reserved_usd", usd(s.reservedNanos()));
        budget.put("remaining_usd", usd(Math.max(0, budgetNanos - s.spentNanos() - s.reservedNanos())));
        budget.put("period_start", b.period().start(now).toString());
        budget.put("resets_at", b.period().end(now).toString());
      }
      return out;
    });
  }

  /** {@code GET /tollgate/quota}: a team key reads its own team's and its own key's quotas and spend. */
  public void mountOwn(Router router, Authenticator authenticator) {
    router.get("/tollgate/quota").handler(ctx -> {
      Caller caller;
      try {
        caller = authenticator.authenticate(ctx.request());
      } catch (GatewayFailure f) {
        ErrorResponses.send(ctx.response(), f);
        return;
      }
      of(caller.team(), caller.key()).onComplete(ar -> {
        if (ar.failed()) {
          ErrorResponses.send(ctx.response(), ar.cause());
        } else {
          ctx.response().putHeader("content-type", "application/json").end(ar.result().toString());
        }
      });
    });
  }

  private static void scope(ObjectNode o, Long rpm, Long tpm, Long concurrent, QuotaStatus.ScopeUse use) {
    window(o.putObject("requests_per_minute"), rpm, use.requests(), use.resetRequestsMillis());
    window(o.putObject("tokens_per_minute"), tpm, use.tokens(), use.resetTokensMillis());
    ObjectNode c = o.putObject("concurrent");
    if (concurrent == null) c.putNull("limit");
    else c.put("limit", concurrent);
    c.put("in_use", use.concurrent());
    if (concurrent != null) c.put("remaining", Math.max(0, concurrent - use.concurrent()));
  }

  private static void window(ObjectNode o, Long limit, long used, long resetMillis) {
    if (limit == null) o.putNull("limit");
    else o.put("limit", limit);
    o.put("used", used);
    if (limit != null) o.put("remaining", Math.max(0, limit - used));
    o.put("resets_in_ms", resetMillis);
  }

  private static BigDecimal usd(long nanos) {
    BigDecimal v = BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
    return v.scale() < 2 ? v.setScale(2) : v;
  }
}
