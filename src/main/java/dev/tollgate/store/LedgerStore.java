package dev.tollgate.store;

import dev.tollgate.billing.UsageEvent;
import dev.tollgate.billing.UsageRecords;
import dev.tollgate.core.Usage;
import dev.tollgate.quota.SpendHistory;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The usage ledger in the store: append-only per-request records and their hourly and daily
 * rollups, written together in one transaction so the two always agree. Writing the same record
 * twice (a retry after a lost acknowledgement, a journal replayed after a kill) adds it once. Quotas read
 * each team's spend from it.
 */
public final class LedgerStore implements UsageRecords, SpendHistory {
  private static final String RECORD_COLUMNS = "id, request_id, ts, team_id, key_id, model_requested, model, upstream_model, "
      + "provider, endpoint, stream, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_nano, priced, "
      + "estimated, cache_hit, status, latency_ms, ttft_ms, end_user, cache_status, saved_prompt_tokens, "
      + "saved_completion_tokens, saved_cost_nano, outcome, cache_write_tokens";
  private static final String SUMS = "SUM(requests), SUM(prompt_tokens), SUM(completion_tokens), SUM(cached_tokens), "
      + "SUM(reasoning_tokens), SUM(cost_nano), SUM(estimated), SUM(errors), SUM(cache_hits), SUM(saved_tokens), "
      + "SUM(saved_cost_nano), SUM(cache_write_tokens)";
  private static final String UPSERT_ROLLUPS = "INSERT INTO usage_rollups (bucket, start_ms, team_id, key_id, model, requests, prompt_tokens, "
      + "completion_tokens, cached_tokens, reasoning_tokens, cost_nano, estimated, errors, cache_hits, saved_tokens, "
      + "saved_cost_nano, cache_write_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      + "ON CONFLICT (bucket, start_ms, team_id, key_id, model) DO UPDATE SET "
      + "requests = usage_rollups.requests + excluded.requests, "
      + "prompt_tokens = usage_rollups.prompt_tokens + excluded.prompt_tokens, "
      + "completion_tokens = usage_rollups.completion_tokens + excluded.completion_tokens, "
      + "cached_tokens = usage_rollups.cached_tokens + excluded.cached_tokens, "
      + "reasoning_tokens = usage_rollups.reasoning_tokens + excluded.reasoning_tokens, "
      + "cost_nano = usage_rollups.cost_nano + excluded.cost_nano, "
      + "estimated = usage_rollups.estimated + excluded.estimated, "
      + "errors = usage_rollups.errors + excluded.errors, "
      + "cache_hits = usage_rollups.cache_hits + excluded.cache_hits, "
      + "saved_tokens = usage_rollups.saved_tokens + excluded.saved_tokens, "
      + "saved_cost_nano = usage_rollups.saved_cost_nano + excluded.saved_cost_nano, "
      + "cache_write_tokens = usage_rollups.cache_write_tokens + excluded.cache_write_tokens";

  /** How usage is grouped in a query. */
  public enum GroupBy { HOUR, DAY, MODEL, KEY, TEAM }

  /** A usage query: filters may be null; {@code from} inclusive, {@code to} exclusive. */
  public record Query(String team, String key, String model, Instant from, Instant to, GroupBy groupBy) {}

  /**
   * One group's totals; {@code group} holds the grouping columns (e.g. {@code start} or {@code team, key}).
   * {@code cacheHits}: requests the cache answered, which saved {@code savedTokens} worth {@code savedCostNanos}.
   */
  public record Row(Map<String, String> group, long requests, Usage usage, long costNanos, long estimated, long errors,
      long cacheHits, long savedTokens, long savedCostNanos) {}

  private final Database db;
  private final String insertSql;
  private final Set<YearMonth> partitions = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public LedgerStore(Database db) {
    this.db = db;
    this.insertSql = "INSERT INTO usage_records (" + RECORD_COLUMNS + ") VALUES (" + "?, ".repeat(28) + "?)"
        + (db.dialect() == Database.Dialect.POSTGRESQL ? " ON CONFLICT (id, ts) DO NOTHING" : " ON CONFLICT (id) DO NOTHING");
  }

  /** Writes a batch; returns how many records were new. Blocking: for the ledger's writer thread. */
  @Override
  public int write(List<UsageEvent> batch) throws SQLException {
    return db.transaction(c -> {
      if (db.dialect() == Database.Dialect.POSTGRESQL) ensurePartitions(c, batch);
      PreparedStatement ps = db.kept(c, insertSql);
      for (UsageEvent e : batch) {
        bind(ps, e);
        ps.addBatch();
      }
      int[] counts = ps.executeBatch();
      Map<List<Object>, long[]> rollups = new LinkedHashMap<>();
      int inserted = 0;
      for (int i = 0; i < batch.size(); i++) {
        if (counts[i] == 0) continue; // already recorded by an earlier attempt
        inserted++;
        UsageEvent e = batch.get(i);
        Instant t = Instant.ofEpochMilli(e.timeMillis());
        add(rollups, "hour", t.truncatedTo(ChronoUnit.HOURS), e);
        add(rollups, "day", t.truncatedTo(ChronoUnit.DAYS), e);
      }
      upsertRollups(c, rollups);
      return inserted;
    });
  }

  private static void bind(PreparedStatement ps, UsageEvent e) throws SQLException {
    int i = 1;
    ps.setString(i++, e.id());
    ps.setString(i++, e.requestId());
    ps.setLong(i++, e.timeMillis());
    ps.setString(i++, e.teamId());
    ps.setString(i++, e.keyId());
    ps.setString(i++, e.modelRequested());
    ps.setString(i++, e.model());
    ps.setString(i++, e.upstreamModel());
    ps.setString(i++, e.provider());
    ps.setString(i++, e.endpoint());
    ps.setBoolean(i++, e.stream());
    ps.setLong(i++, e.usage().promptTokens());
    ps.setLong(i++, e.usage().completionTokens());
    ps.setLong(i++, e.usage().cachedTokens());
    ps.setLong(i++, e.usage().reasoningTokens());
    ps.setLong(i++, e.costNanos());
    ps.setBoolean(i++, e.priced());
    ps.setBoolean(i++, e.estimated());
    ps.setBoolean(i++, e.cacheHit());
    ps.setInt(i++, e.status());
    ps.setLong(i++, e.latencyMillis());
    if (e.ttftMillis() == null) ps.setNull(i++, java.sql.Types.BIGINT);
    else ps.setLong(i++, e.ttftMillis());
    ps.setString(i++, e.endUser());
    ps.setString(i++, e.cache());
    ps.setLong(i++, e.saved().promptTokens());
    ps.setLong(i++, e.saved().completionTokens());
    ps.setLong(i++, e.savedCostNanos());
    ps.setString(i++, e.outcome());
    ps.setLong(i, e.usage().cacheWriteTokens());
  }

  private static void add(Map<List<Object>, long[]> rollups, String bucket, Instant start, UsageEvent e) {
    long[] sums = rollups.computeIfAbsent(List.of(bucket, start.toEpochMilli(), e.teamId(), e.keyId(), e.model()), k -> new long[12]);
    Usage u = e.usage();
    sums[0]++;
    sums[1] += u.promptTokens();
    sums[2] += u.completionTokens();
    sums[3] += u.cachedTokens();
    sums[4] += u.reasoningTokens();
    sums[5] += e.costNanos();
    sums[6] += e.estimated() ? 1 : 0;
    sums[7] += e.status() >= 400 ? 1 : 0;
    sums[8] += e.cacheHit() ? 1 : 0;
    sums[9] += e.saved().totalTokens();
    sums[10] += e.savedCostNanos();
    sums[11] += u.cacheWriteTokens();
  }

  private void upsertRollups(Connection c, Map<List<Object>, long[]> rollups) throws SQLException {
    if (rollups.isEmpty()) return;
    PreparedStatement ps = db.kept(c, UPSERT_ROLLUPS);
    for (var entry : rollups.entrySet()) {
      List<Object> k = entry.getKey();
      ps.setString(1, (String) k.get(0));
      ps.setLong(2, (Long) k.get(1));
      ps.setString(3, (String) k.get(2));
      ps.setString(4, (String) k.get(3));
      ps.setString(5, (String) k.get(4));
      long[] s = entry.getValue();
      for (int i = 0; i < s.length; i++) ps.setLong(6 + i, s[i]);
      ps.addBatch();
    }
    ps.executeBatch();
  }

  private void ensurePartitions(Connection c, List<UsageEvent> batch) throws SQLException {
    Set<YearMonth> months = new HashSet<>();
    for (UsageEvent e : batch) months.add(YearMonth.from(Instant.ofEpochMilli(e.timeMillis()).atZone(ZoneOffset.UTC)));
    months.removeAll(partitions);
    for (YearMonth m : months) {
      long from = m.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      long to = m.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS " + partitionName(m) + " PARTITION OF usage_records FOR VALUES FROM ("
            + from + ") TO (" + to + ")");
      }
    }
    // the partitions are committed on their own, so a batch that fails later does not undo them
    c.commit();
    partitions.addAll(months);
  }

  private static String partitionName(YearMonth m) {
    return String.format("usage_records_%04d_%02d", m.getYear(), m.getMonthValue());
  }

  // ---- queries

  public Future<List<Row>> query(Query q) {
    return db.call(c -> {
      String bucket = bucketFor(q);
      Instant from = truncate(q.from(), bucket);
      List<String> groupCols = switch (q.groupBy()) {
        case HOUR, DAY -> List.of("start_ms");
        case MODEL -> List.of("model");
        case KEY -> List.of("team_id", "key_id");
        case TEAM -> List.of("team_id");
      };
      StringBuilder sql = new StringBuilder("SELECT ").append(String.join(", ", groupCols)).append(", ").append(SUMS)
          .append(" FROM usage_rollups WHERE bucket = ? AND start_ms >= ? AND start_ms < ?");
      List<Object> args = new ArrayList<>(List.of(bucket, from.toEpochMilli(), q.to().toEpochMilli()));
      if (q.team() != null) { sql.append(" AND team_id = ?"); args.add(q.team()); }
      if (q.key() != null) { sql.append(" AND key_id = ?"); args.add(q.key()); }
      if (q.model() != null) { sql.append(" AND model = ?"); args.add(q.model()); }
      sql.append(" GROUP BY ").append(String.join(", ", groupCols)).append(" ORDER BY ").append(String.join(", ", groupCols));
      List<Row> rows = new ArrayList<>();
      try (PreparedStatement ps = TeamStore.prepare(c, sql.toString(), args.toArray()); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Map<String, String> group = new LinkedHashMap<>();
          for (int i = 0; i < groupCols.size(); i++) {
            String col = groupCols.get(i);
            group.put(label(col), col.equals("start_ms") ? Instant.ofEpochMilli(rs.getLong(i + 1)).toString() : rs.getString(i + 1));
          }
          int s = groupCols.size() + 1;
          rows.add(new Row(group, rs.getLong(s),
              new Usage(rs.getLong(s + 1), rs.getLong(s + 2), rs.getLong(s + 3), rs.getLong(s + 4), rs.getLong(s + 11)),
              rs.getLong(s + 5), rs.getLong(s + 6), rs.getLong(s + 7), rs.getLong(s + 8), rs.getLong(s + 9), rs.getLong(s + 10)));
        }
      }
      return rows;
    });
  }

  /** Daily rollups serve day-aligned ranges; anything finer uses hourly ones. */
  private static String bucketFor(Query q) {
    if (q.groupBy() == GroupBy.HOUR) return "hour";
    if (q.groupBy() == GroupBy.DAY) return "day";
    boolean dayAligned = q.from().equals(q.from().truncatedTo(ChronoUnit.DAYS)) && q.to().equals(q.to().truncatedTo(ChronoUnit.DAYS));
    return dayAligned ? "day" : "hour";
  }

  private static Instant truncate(Instant t, String bucket) {
    return t.truncatedTo(bucket.equals("day") ? ChronoUnit.DAYS : ChronoUnit.HOURS);
  }

  private static String label(String column) {
    return switch (column) {
      case "start_ms" -> "start";
      case "team_id" -> "team";
      case "key_id" -> "key";
      default -> column;
    };
  }

  /** Per-request records, newest first; filters may be null. */
  public Future<List<UsageEvent>> records(String team, String requestId, Instant from, Instant to, int limit) {
    return db.call(c -> {
      StringBuilder sql = new StringBuilder("SELECT " + RECORD_COLUMNS + " FROM usage_records WHERE ts >= ? AND ts < ?");
      List<Object> args = new ArrayList<>(List.of(from.toEpochMilli(), to.toEpochMilli()));
      if (team != null) { sql.append(" AND team_id = ?"); args.add(team); }
      if (requestId != null) { sql.append(" AND request_id = ?"); args.add(requestId); }
      sql.append(" ORDER BY ts DESC, id LIMIT ").append(limit);
      List<UsageEvent> out = new ArrayList<>();
      try (PreparedStatement ps = TeamStore.prepare(c, sql.toString(), args.toArray()); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new UsageEvent(rs.getString("id"), rs.getString("request_id"), rs.getLong("ts"), rs.getString("team_id"),
              rs.getString("key_id"), rs.getString("model_requested"), rs.getString("model"), rs.getString("upstream_model"),
              rs.getString("provider"), rs.getString("endpoint"), rs.getBoolean("stream"),
              new Usage(rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"), rs.getLong("cached_tokens"),
                  rs.getLong("reasoning_tokens"), rs.getLong("cache_write_tokens")),
              rs.getLong("cost_nano"), rs.getBoolean("priced"), rs.getBoolean("estimated"), rs.getString("cache_status"),
              new Usage(rs.getLong("saved_prompt_tokens"), rs.getLong("saved_completion_tokens"), 0, 0), rs.getLong("saved_cost_nano"),
              rs.getInt("status"), rs.getString("outcome"), rs.getLong("latency_ms"), TeamStore.nullableLong(rs, "ttft_ms"),
              rs.getString("end_user")));
        }
      }
      return out;
    });
  }

  /** Each team's spend in nano-USD since the given start (from daily rollups, then hourly for a partial day). */
  public Future<Map<String, Long>> spendSince(Instant start) {
    return db.call(c -> {
      Map<String, Long> out = new HashMap<>();
      String bucket = start.equals(start.truncatedTo(ChronoUnit.DAYS)) ? "day" : "hour";
      try (PreparedStatement ps = TeamStore.prepare(c,
          "SELECT team_id, SUM(cost_nano) FROM usage_rollups WHERE bucket = ? AND start_ms >= ? GROUP BY team_id",
          bucket, start.truncatedTo(bucket.equals("day") ? ChronoUnit.DAYS : ChronoUnit.HOURS).toEpochMilli());
           ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
      }
      return out;
    });
  }

  /** One team's spend in nano-USD since the start of a budget period (which begins on a UTC day or hour). */
  @Override
  public Future<Long> spentSince(String teamId, Instant start) {
    return db.call(c -> {
      String bucket = start.equals(start.truncatedTo(ChronoUnit.DAYS)) ? "day" : "hour";
      try (PreparedStatement ps = TeamStore.prepare(c,
          "SELECT SUM(cost_nano) FROM usage_rollups WHERE bucket = ? AND start_ms >= ? AND team_id = ?",
          bucket, start.truncatedTo(bucket.equals("day") ? ChronoUnit.DAYS : ChronoUnit.HOURS).toEpochMilli(), teamId);
           ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    });
  }

  /** Deletes per-request records older than the cutoff; rollups are kept. Returns records deleted. */
  @Override
  public Future<Long> prune(Instant cutoff) {
    return db.call(c -> {
      long deleted = 0;
      if (db.dialect() == Database.Dialect.POSTGRESQL) {
        YearMonth cutoffMonth = YearMonth.from(cutoff.atZone(ZoneOffset.UTC));
        List<String> drop = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
                + "WHERE p.relname = 'usage_records'"); ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String name = rs.getString(1);
            YearMonth m = YearMonth.of(Integer.parseInt(name.substring(14, 18)), Integer.parseInt(name.substring(19, 21)));
            if (m.isBefore(cutoffMonth)) drop.add(name);
          }
        }
        for (String name : drop) {
          try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + name)) {
              rs.next();
              deleted += rs.getLong(1);
            }
            s.execute("DROP TABLE " + name);
          }
          partitions.remove(YearMonth.of(Integer.parseInt(name.substring(14, 18)), Integer.parseInt(name.substring(19, 21))));
        }
      }
      deleted += TeamStore.exec(c, "DELETE FROM usage_records WHERE ts < ?", cutoff.toEpochMilli());
      return deleted;
    });
  }
}
