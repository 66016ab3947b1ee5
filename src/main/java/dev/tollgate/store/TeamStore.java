package dev.tollgate.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.auth.KeySource;
import dev.tollgate.core.NanoUsd;
import dev.tollgate.team.Budget;
import dev.tollgate.team.BudgetPeriod;
import dev.tollgate.team.Limits;
import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import io.vertx.core.Future;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Teams and team keys in the store. Every change also bumps the store version in the same
 * transaction, which is how other replicas learn that their key index is stale.
 */
public final class TeamStore implements KeySource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEAM_COLUMNS =
      "id, name, budget_nano, budget_period, rpm, tpm, concurrent, models, metadata, seeded, created_at, updated_at";
  private static final String KEY_COLUMNS =
      "id, team_id, name, hash, prefix, expires_at, models, rpm, tpm, concurrent, revoked, created_at, last_used_at";

  private final Database db;

  public TeamStore(Database db) {
    this.db = db;
  }

  public Database database() {
    return db;
  }

  // ---- teams

  @Override
  public Future<List<Team>> teams() {
    return db.call(c -> queryTeams(c, "SELECT " + TEAM_COLUMNS + " FROM teams ORDER BY id"));
  }

  public Future<Team> team(String id) {
    return db.call(c -> {
      List<Team> found = queryTeams(c, "SELECT " + TEAM_COLUMNS + " FROM teams WHERE id = ?", id);
      return found.isEmpty() ? null : found.get(0);
    });
  }

  /** Fails with {@link StoreConflict} when a team with that id exists. */
  public Future<Team> createTeam(Team team) {
    return db.call(c -> {
      if (!queryTeams(c, "SELECT " + TEAM_COLUMNS + " FROM teams WHERE id = ?", team.id()).isEmpty()) {
        throw new StoreConflict("a team with id '" + team.id() + "' already exists");
      }
      insertTeam(c, team);
      bumpVersion(c);
      return team;
    });
  }

  /** Replaces a team's fields; null when no such team. */
  public Future<Team> updateTeam(Team team) {
    return db.call(c -> {
      int n = updateTeam(c, team);
      if (n == 0) return null;
      bumpVersion(c);
      return team;
    });
  }

  /**
   * Creates or updates a team declared in config (marked as seeded). Replicas starting together all seed the
   * same teams: the version row is locked first, so they take turns and a later one updates what an earlier
   * one inserted instead of colliding with it.
   */
  public Future<Team> seedTeam(Team team) {
    return db.call(c -> {
      bumpVersion(c);
      if (updateTeam(c, team) == 0) insertTeam(c, team);
      return team;
    });
  }

  /** Deletes a team and its keys; false when no such team. */
  public Future<Boolean> deleteTeam(String id) {
    return db.call(c -> {
      exec(c, "DELETE FROM team_keys WHERE team_id = ?", id);
      boolean deleted = exec(c, "DELETE FROM teams WHERE id = ?", id) > 0;
      if (deleted) bumpVersion(c);
      return deleted;
    });
  }

  // ---- keys

  @Override
  public Future<List<TeamKey>> keys() {
    return db.call(c -> queryKeys(c, "SELECT " + KEY_COLUMNS + " FROM team_keys ORDER BY created_at, id"));
  }

  public Future<List<TeamKey>> keysOf(String teamId) {
    return db.call(c -> queryKeys(c, "SELECT " + KEY_COLUMNS + " FROM team_keys WHERE team_id = ? ORDER BY created_at, id", teamId));
  }

  public Future<TeamKey> key(String id) {
    return db.call(c -> {
      List<TeamKey> found = queryKeys(c, "SELECT " + KEY_COLUMNS + " FROM team_keys WHERE id = ?", id);
      return found.isEmpty() ? null : found.get(0);
    });
  }

  /** Fails with {@link StoreConflict} when the id or the secret's hash is taken, or the team is gone. */
  public Future<TeamKey> createKey(TeamKey key) {
    return db.call(c -> {
      requireTeam(c, key.teamId());
      insertKey(c, key);
      bumpVersion(c);
      return key;
    });
  }

  /** Creates or updates a key declared in config, matched by id; in turns with other replicas, as {@link #seedTeam}. */
  public Future<TeamKey> seedKey(TeamKey key) {
    return db.call(c -> {
      bumpVersion(c);
      int n = exec(c, "UPDATE team_keys SET team_id = ?, name = ?, hash = ?, prefix = ?, revoked = ? WHERE id = ?",
          key.teamId(), key.name(), key.hash(), key.prefix(), false, key.id());
      if (n == 0) insertKey(c, key);
      return key;
    });
  }

  /** Marks a key revoked; null when no such key. Revoking twice is harmless. */
  public Future<TeamKey> revokeKey(String id) {
    return db.call(c -> {
      if (exec(c, "UPDATE team_keys SET revoked = ? WHERE id = ?", true, id) == 0) return null;
      bumpVersion(c);
      return queryKeys(c, "SELECT " + KEY_COLUMNS + " FROM team_keys WHERE id = ?", id).get(0);
    });
  }

  /**
   * Rotation in one transaction: the new key is stored and the old one set to expire at
   * {@code oldExpiresAt} (or earlier, if it already expired sooner). Null when no such old key.
   */
  public Future<TeamKey> rotateKey(String oldId, TeamKey replacement, Instant oldExpiresAt) {
    return db.call(c -> {
      List<TeamKey> old = queryKeys(c, "SELECT " + KEY_COLUMNS + " FROM team_keys WHERE id = ?", oldId);
      if (old.isEmpty()) return null;
      if (old.get(0).revoked()) throw new StoreConflict("key '" + oldId + "' is revoked and cannot be rotated");
      Instant current = old.get(0).expiresAt();
      Instant expiry = current != null && current.isBefore(oldExpiresAt) ? current : oldExpiresAt;
      exec(c, "UPDATE team_keys SET expires_at = ? WHERE id = ?", expiry.toEpochMilli(), oldId);
      insertKey(c, replacement);
      bumpVersion(c);
      return replacement;
    });
  }

  /** Records last-used times in one batch (no version bump: it changes nothing the hot path reads). */
  @Override
  public Future<Void> touchKeys(Map<String, Instant> lastUsed) {
    if (lastUsed.isEmpty()) return Future.succeededFuture();
    return db.call(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE team_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")) {
        for (var e : lastUsed.entrySet()) {
          ps.setLong(1, e.getValue().toEpochMilli());
          ps.setString(2, e.getKey());
          ps.setLong(3, e.getValue().toEpochMilli());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  /** Goes up on every change to teams or keys. */
  @Override
  public Future<Long> version() {
    return db.call(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT version FROM store_version WHERE id = 1");
           ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    });
  }

  // ---- SQL

  private static void requireTeam(Connection c, String teamId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM teams WHERE id = ?")) {
      ps.setString(1, teamId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) throw new StoreConflict("team '" + teamId + "' does not exist");
      }
    }
  }

  private static void bumpVersion(Connection c) throws SQLException {
    exec(c, "UPDATE store_version SET version = version + 1 WHERE id = 1");
  }

  private static void insertTeam(Connection c, Team t) throws SQLException {
    exec(c, "INSERT INTO teams (" + TEAM_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        t.id(), t.name(), budgetNanos(t.budget()), t.budget() == null ? null : t.budget().period().name(),
        t.limits().rpm(), t.limits().tpm(), t.limits().concurrent(), json(t.allowedModels()), json(t.metadata()),
        t.seeded(), t.createdAt().toEpochMilli(), t.updatedAt().toEpochMilli());
  }

  private static int updateTeam(Connection c, Team t) throws SQLException {
    return exec(c, "UPDATE teams SET name = ?, budget_nano = ?, budget_period = ?, rpm = ?, tpm = ?, concurrent = ?, "
            + "models = ?, metadata = ?, seeded = ?, updated_at = ? WHERE id = ?",
        t.name(), budgetNanos(t.budget()), t.budget() == null ? null : t.budget().period().name(),
        t.limits().rpm(), t.limits().tpm(), t.limits().concurrent(), json(t.allowedModels()), json(t.metadata()),
        t.seeded(), t.updatedAt().toEpochMilli(), t.id());
  }

  private static void insertKey(Connection c, TeamKey k) throws SQLException {
    try {
      exec(c, "INSERT INTO team_keys (" + KEY_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          k.id(), k.teamId(), k.name(), k.hash(), k.prefix(), k.expiresAt() == null ? null : k.expiresAt().toEpochMilli(),
          json(k.allowedModels()), k.limits().rpm(), k.limits().tpm(), k.limits().concurrent(), k.revoked(),
          k.createdAt().toEpochMilli(), k.lastUsedAt() == null ? null : k.lastUsedAt().toEpochMilli());
    } catch (SQLException e) {
      if (isUniqueViolation(e)) throw new StoreConflict("a key with that id or secret already exists");
      throw e;
    }
  }

  private static List<Team> queryTeams(Connection c, String sql, Object... args) throws SQLException {
    List<Team> out = new ArrayList<>();
    try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Long budget = nullableLong(rs, "budget_nano");
        out.add(new Team(
            rs.getString("id"), rs.getString("name"),
            budget == null ? null : new Budget(NanoUsd.toUsd(budget),
                BudgetPeriod.valueOf(rs.getString("budget_period"))),
            new Limits(nullableLong(rs, "rpm"), nullableLong(rs, "tpm"), nullableLong(rs, "concurrent")),
            list(rs.getString("models")), map(rs.getString("metadata")), rs.getBoolean("seeded"),
            Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at"))));
      }
    }
    return out;
  }

  private static List<TeamKey> queryKeys(Connection c, String sql, Object... args) throws SQLException {
    List<TeamKey> out = new ArrayList<>();
    try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Long expires = nullableLong(rs, "expires_at");
        Long lastUsed = nullableLong(rs, "last_used_at");
        out.add(new TeamKey(
            rs.getString("id"), rs.getString("team_id"), rs.getString("name"), rs.getString("hash"), rs.getString("prefix"),
            expires == null ? null : Instant.ofEpochMilli(expires), list(rs.getString("models")),
            new Limits(nullableLong(rs, "rpm"), nullableLong(rs, "tpm"), nullableLong(rs, "concurrent")),
            rs.getBoolean("revoked"), Instant.ofEpochMilli(rs.getLong("created_at")),
            lastUsed == null ? null : Instant.ofEpochMilli(lastUsed)));
      }
    }
    return out;
  }

  static int exec(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args)) {
      return ps.executeUpdate();
    }
  }

  static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) ps.setNull(i + 1, Types.NULL);
      else if (a instanceof Boolean b) ps.setBoolean(i + 1, b);
      else if (a instanceof Long l) ps.setLong(i + 1, l);
      else if (a instanceof Integer n) ps.setLong(i + 1, n);
      else ps.setString(i + 1, a.toString());
    }
    return ps;
  }

  static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  static boolean isUniqueViolation(SQLException e) {
    String state = e.getSQLState();
    String msg = String.valueOf(e.getMessage());
    return "23505".equals(state) || msg.contains("UNIQUE constraint failed") || msg.contains("PRIMARY KEY");
  }

  private static Long budgetNanos(Budget b) {
    return b == null ? null : NanoUsd.of(b.usd());
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static List<String> list(String json) {
    try {
      return List.copyOf(JSON.readValue(json, new TypeReference<List<String>>() {}));
    } catch (Exception e) {
      throw new IllegalStateException("corrupt models column: " + e.getMessage());
    }
  }

  private static Map<String, String> map(String json) {
    try {
      return Map.copyOf(JSON.readValue(json, new TypeReference<Map<String, String>>() {}));
    } catch (Exception e) {
      throw new IllegalStateException("corrupt metadata column: " + e.getMessage());
    }
  }
}
