package dev.tollgate.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-team budget and quota gauges, replaced whole at every refresh: a team no longer listed (deleted) loses
 * its series, and the values shown are the ones read together.
 */
final class TeamGauges {
  private static final String[] LIMITS = {"rpm", "tpm", "concurrent"};

  /** One gauge name's series, by their tags; each holds its last value strongly (a weakly held one could read NaN). */
  private static final class Series {
    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final Map<Tags, Value> values = new HashMap<>();

    Series(MeterRegistry registry, String name, String description) {
      this.registry = registry;
      this.name = name;
      this.description = description;
    }

    void replace(Map<Tags, Double> next) {
      values.entrySet().removeIf(e -> {
        if (next.containsKey(e.getKey())) return false;
        registry.remove(e.getValue().gauge);
        return true;
      });
      next.forEach((tags, v) -> values.computeIfAbsent(tags, t -> new Value(registry, name, description, t)).set(v));
    }
  }

  private static final class Value {
    private volatile double value;
    private final Gauge gauge;

    Value(MeterRegistry registry, String name, String description, Tags tags) {
      gauge = Gauge.builder(name, this, v -> v.value).description(description).tags(tags).strongReference(true).register(registry);
    }

    void set(double v) {
      value = v;
    }
  }

  private final Series budget;
  private final Series spent;
  private final Series reserved;
  private final Series remaining;
  private final Series limit;
  private final Series used;

  TeamGauges(MeterRegistry registry) {
    budget = new Series(registry, "tollgate_budget_usd", "A team's budget for its current period, in US dollars");
    spent = new Series(registry, "tollgate_budget_spent_usd", "What a team has spent in its current budget period, in US dollars");
    reserved = new Series(registry, "tollgate_budget_reserved_usd", "Budget held by a team's requests in flight, in US dollars");
    remaining = new Series(registry, "tollgate_budget_remaining_usd", "Budget left in a team's current period (budget - spent - reserved)");
    limit = new Series(registry, "tollgate_quota_limit", "A team's limit: rpm (requests/min), tpm (tokens/min) or concurrent");
    used = new Series(registry, "tollgate_quota_used", "A team's use of a limit: requests and tokens in the last minute, requests now");
  }

  synchronized void replace(Collection<GatewayMetrics.TeamUse> teams) {
    Map<Tags, Double> budgets = new HashMap<>();
    Map<Tags, Double> spends = new HashMap<>();
    Map<Tags, Double> reservations = new HashMap<>();
    Map<Tags, Double> remainders = new HashMap<>();
    Map<Tags, Double> limits = new HashMap<>();
    Map<Tags, Double> uses = new HashMap<>();
    for (GatewayMetrics.TeamUse t : teams) {
      Tags team = Tags.of("team", t.team());
      if (t.budgetUsd() != null) {
        budgets.put(team, t.budgetUsd());
        spends.put(team, t.spentUsd());
        reservations.put(team, t.reservedUsd());
        remainders.put(team, Math.max(0, t.budgetUsd() - t.spentUsd() - t.reservedUsd()));
      }
      Long[] limitValues = {t.rpm(), t.tpm(), t.concurrent()};
      long[] useValues = {t.requestsUsed(), t.tokensUsed(), t.concurrentUsed()};
      for (int i = 0; i < LIMITS.length; i++) {
        Tags tags = team.and("limit", LIMITS[i]);
        if (limitValues[i] != null) limits.put(tags, limitValues[i].doubleValue());
        uses.put(tags, (double) useValues[i]);
      }
    }
    budget.replace(budgets);
    spent.replace(spends);
    reserved.replace(reservations);
    remaining.replace(remainders);
    limit.replace(limits);
    used.replace(uses);
  }
}
