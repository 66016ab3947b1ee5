package dev.tollgate.quota;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.team.Budget;
import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import dev.tollgate.core.NanoUsd;
import dev.tollgate.metrics.GatewayMetrics;
import io.vertx.core.Future;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;

/**
 * Current use against every limit and the budget, with what remains and when it resets: what the
 * admin API shows for any team or key, and what a team key may read about its own team. JSON only: the
 * routes that serve it live with the APIs.
 */
public final class QuotaView {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final QuotaGate gate;
  private final Clock clock;
  private final GatewayMetrics metrics;

  public QuotaView(QuotaGate gate, Clock clock) {
    this(gate, clock, null);
  }

  /** @param metrics where this replica's refusals of the team are counted, shown as {@code refusals}; may be null */
  public QuotaView(QuotaGate gate, Clock clock, GatewayMetrics metrics) {
    this.gate = gate;
    this.clock = clock;
    this.metrics = metrics;
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
        long budgetNanos = NanoUsd.of(b.usd());
        ObjectNode budget = out.putObject("budget");
        budget.put("usd", b.usd());
        budget.put("period", b.period().wireName());
        budget.put("spent_usd", usd(s.spentNanos()));
        budget.put("reserved_usd", usd(s.reservedNanos()));
        budget.put("remaining_usd", usd(Math.max(0, budgetNanos - s.spentNanos() - s.reservedNanos())));
        budget.put("period_start", b.period().start(now).toString());
        budget.put("resets_at", b.period().end(now).toString());
      }
      if (metrics != null) {
        ObjectNode refusals = out.putObject("refusals");
        metrics.refusals(team.id()).forEach(refusals::put);
      }
      return out;
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
    return NanoUsd.display(nanos);
  }
}
