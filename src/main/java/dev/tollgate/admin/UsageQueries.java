package dev.tollgate.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.billing.UsageEvent;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.core.NanoUsd;
import dev.tollgate.core.QueryString;
import dev.tollgate.store.LedgerStore;
import dev.tollgate.store.LedgerStore.GroupBy;
import io.vertx.core.Future;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /admin/usage}: usage and cost from the ledger's rollups, filtered by team, key and
 * model over a time range, grouped by day, hour, model, key or team; as JSON or CSV. Times are UTC;
 * {@code from} is rounded down to the rollup bucket (hour or day), {@code to} is exclusive.
 */
final class UsageQueries {
  private static final String[] SUM_COLUMNS = {
      "requests", "prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens", "cost_usd", "estimated_requests", "errors",
      "cache_hits", "saved_tokens", "saved_cost_usd", "cache_write_tokens"};
  /** The sums that are money (nano-USD), shown in dollars. */
  private static final java.util.Set<Integer> USD = java.util.Set.of(5, 10);

  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

  private final LedgerStore ledger;
  private final Clock clock;

  UsageQueries(LedgerStore ledger, Clock clock) {
    this.ledger = ledger;
    this.clock = clock;
  }

  Future<AdminApi.Reply> usage(QueryString params, boolean csv) {
    Instant to = time(params, "to", clock.instant());
    Instant from = time(params, "from", to.minus(Duration.ofDays(30)).truncatedTo(ChronoUnit.DAYS));
    if (!from.isBefore(to)) throw bad("from", "'from' must be before 'to'");
    String groupRaw = params.get("group_by") == null ? "day" : params.get("group_by");
    GroupBy groupBy;
    try {
      groupBy = GroupBy.valueOf(groupRaw.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw bad("group_by", "'group_by' must be day, hour, model, key or team");
    }
    boolean asCsv = csv || "csv".equals(params.get("format"));
    LedgerStore.Query q = new LedgerStore.Query(params.get("team"), params.get("key"), params.get("model"), from, to, groupBy);
    return ledger.query(q).map(rows -> asCsv ? new AdminApi.Reply(200, null, csv(rows)) : new AdminApi.Reply(200, json(q, rows), null));
  }

  Future<AdminApi.Reply> records(QueryString params) {
    Instant to = time(params, "to", clock.instant().plusSeconds(1));
    Instant from = time(params, "from", to.minus(Duration.ofDays(1)));
    int limit;
    try {
      limit = params.get("limit") == null ? 100 : Integer.parseInt(params.get("limit"));
    } catch (NumberFormatException e) {
      throw bad("limit", "'limit' must be a whole number");
    }
    if (limit < 1 || limit > 10_000) throw bad("limit", "'limit' must be between 1 and 10000");
    return ledger.records(params.get("team"), params.get("request_id"), from, to, limit).map(records -> {
      List<ObjectNode> items = new ArrayList<>();
      for (UsageEvent e : records) items.add(record(e));
      return new AdminApi.Reply(200, AdminJson.list(items), null);
    });
  }

  private static ObjectNode json(LedgerStore.Query q, List<LedgerStore.Row> rows) {
    List<ObjectNode> items = new ArrayList<>();
    long[] total = new long[SUM_COLUMNS.length];
    for (LedgerStore.Row r : rows) {
      ObjectNode item = AdminJson.JSON.createObjectNode();
      r.group().forEach(item::put);
      long[] sums = sums(r);
      for (int i = 0; i < sums.length; i++) {
        total[i] += sums[i];
        if (USD.contains(i)) item.put(SUM_COLUMNS[i], usd(sums[i]));
        else item.put(SUM_COLUMNS[i], sums[i]);
      }
      items.add(item);
    }
    ObjectNode out = AdminJson.list(items);
    out.put("group_by", q.groupBy().name().toLowerCase(Locale.ROOT));
    out.put("from", q.from().toString());
    out.put("to", q.to().toString());
    ObjectNode t = out.putObject("total");
    for (int i = 0; i < total.length; i++) {
      if (USD.contains(i)) t.put(SUM_COLUMNS[i], usd(total[i]));
      else t.put(SUM_COLUMNS[i], total[i]);
    }
    return out;
  }

  private static String csv(List<LedgerStore.Row> rows) {
    StringBuilder sb = new StringBuilder();
    List<String> groupCols = rows.isEmpty() ? List.of("group") : new ArrayList<>(rows.get(0).group().keySet());
    sb.append(String.join(",", groupCols)).append(',').append(String.join(",", SUM_COLUMNS)).append("\r\n");
    for (LedgerStore.Row r : rows) {
      for (String c : groupCols) sb.append(csvField(r.group().get(c))).append(',');
      long[] sums = sums(r);
      for (int i = 0; i < sums.length; i++) {
        sb.append(USD.contains(i) ? usd(sums[i]).toPlainString() : Long.toString(sums[i]));
        sb.append(i == sums.length - 1 ? "\r\n" : ",");
      }
    }
    return sb.toString();
  }

  private static ObjectNode record(UsageEvent e) {
    ObjectNode o = AdminJson.JSON.createObjectNode();
    o.put("id", e.id());
    o.put("request_id", e.requestId());
    o.put("time", Instant.ofEpochMilli(e.timeMillis()).toString());
    o.put("team", e.teamId());
    o.put("key", e.keyId());
    o.put("model_requested", e.modelRequested());
    o.put("model", e.model());
    o.put("upstream_model", e.upstreamModel());
    o.put("provider", e.provider());
    o.put("endpoint", e.endpoint());
    o.put("stream", e.stream());
    o.put("prompt_tokens", e.usage().promptTokens());
    o.put("completion_tokens", e.usage().completionTokens());
    o.put("cached_tokens", e.usage().cachedTokens());
    o.put("reasoning_tokens", e.usage().reasoningTokens());
    o.put("cache_write_tokens", e.usage().cacheWriteTokens());
    o.put("cost_usd", usd(e.costNanos()));
    o.put("cost_nano_usd", e.costNanos());
    o.put("priced", e.priced());
    o.put("estimated", e.estimated());
    o.put("cache_hit", e.cacheHit());
    o.put("cache", e.cache());
    o.put("saved_prompt_tokens", e.saved().promptTokens());
    o.put("saved_completion_tokens", e.saved().completionTokens());
    o.put("saved_cost_usd", usd(e.savedCostNanos()));
    o.put("status", e.status());
    o.put("outcome", e.outcome());
    o.put("latency_ms", e.latencyMillis());
    if (e.ttftMillis() == null) o.putNull("ttft_ms");
    else o.put("ttft_ms", e.ttftMillis());
    o.put("user", e.endUser());
    return o;
  }

  private static long[] sums(LedgerStore.Row r) {
    return new long[] {r.requests(), r.usage().promptTokens(), r.usage().completionTokens(), r.usage().cachedTokens(),
        r.usage().reasoningTokens(), r.costNanos(), r.estimated(), r.errors(), r.cacheHits(), r.savedTokens(), r.savedCostNanos(),
        r.usage().cacheWriteTokens()};
  }

  private static BigDecimal usd(long nanos) {
    return NanoUsd.display(nanos);
  }

  private static String csvField(String v) {
    if (v == null) return "";
    if (v.contains(",") || v.contains("\"") || v.contains("\n")) return "\"" + v.replace("\"", "\"\"") + "\"";
    return v;
  }

  private static Instant time(QueryString params, String name, Instant fallback) {
    String v = params.get(name);
    if (v == null || v.isBlank()) return fallback;
    Instant t;
    try {
      t = v.length() == 10 ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw bad(name, "'" + name + "' must be a date (2026-11-01) or a UTC time (2026-11-01T10:00:00Z)");
    }
    if (t.isBefore(EARLIEST) || t.isAfter(AdminInput.LATEST)) throw bad(name, "'" + name + "' must be between the years 1 and 9999");
    return t;
  }

  private static GatewayFailure bad(String param, String message) {
    return GatewayFailure.badRequest(message, param);
  }
}
