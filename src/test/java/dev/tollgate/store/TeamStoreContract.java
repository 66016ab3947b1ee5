package dev.tollgate.store;

import static dev.tollgate.support.TestStack.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.team.Budget;
import dev.tollgate.team.BudgetPeriod;
import dev.tollgate.team.Limits;
import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every team-store operation, run against each store (SQLite and PostgreSQL subclasses). */
abstract class TeamStoreContract {
  static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  Vertx vertx;
  String url;
  Database db;
  TeamStore store;

  /** A store URL for a new, empty store. */
  abstract String newStore();

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    url = newStore();
    db = Database.open(vertx, url);
    store = new TeamStore(db);
  }

  @AfterEach
  void close() {
    await(db.close());
    await(vertx.close());
  }

  static Team team(String id) {
    return new Team(id, "Team " + id, new Budget(new BigDecimal("12.345678901"), BudgetPeriod.WEEKLY),
        new Limits(60L, 100_000L, 4L), List.of("gpt-test"), Map.of("cost-center", "42"), false, T0, T0);
  }

  static TeamKey key(String id, String teamId, String hash) {
    return new TeamKey(id, teamId, "k-" + id, hash, "tg-abcd…", null, List.of(), new Limits(10L, null, null), false, T0, null);
  }

  @Test
  void creates_reads_and_lists_teams_with_every_field() {
    await(store.createTeam(team("a")));
    await(store.createTeam(team("b")));

    assertThat(await(store.team("a"))).isEqualTo(team("a"));
    assertThat(await(store.teams())).extracting(Team::id).containsExactly("a", "b");
    assertThat(await(store.team("zz"))).isNull();
  }

  @Test
  void refuses_a_duplicate_team() {
    await(store.createTeam(team("a")));
    assertThatThrownBy(() -> await(store.createTeam(team("a")))).hasCauseInstanceOf(StoreConflict.class);
  }

  @Test
  void updates_a_team_and_reports_a_missing_one() {
    await(store.createTeam(team("a")));
    Team changed = new Team("a", "Renamed", null, Limits.NONE, List.of(), Map.of(), false, T0, T0.plusSeconds(5));

    assertThat(await(store.updateTeam(changed))).isEqualTo(changed);
    assertThat(await(store.team("a"))).isEqualTo(changed);
    assertThat(await(store.updateTeam(team("missing")))).isNull();
  }

  @Test
  void seeds_a_team_by_creating_then_updating_it() {
    Team seeded = new Team("cfg", "cfg", null, new Limits(1L, 2L, 3L), List.of(), Map.of(), true, T0, T0);
    await(store.seedTeam(seeded));
    Team reseeded = new Team("cfg", "cfg", null, new Limits(5L, null, null), List.of(), Map.of(), true, T0, T0.plusSeconds(1));
    await(store.seedTeam(reseeded));

    assertThat(await(store.team("cfg"))).isEqualTo(reseeded);
  }

  @Test
  void deletes_a_team_with_its_keys() {
    await(store.createTeam(team("a")));
    await(store.createKey(key("k1", "a", "h1")));

    assertThat(await(store.deleteTeam("a"))).isTrue();
    assertThat(await(store.team("a"))).isNull();
    assertThat(await(store.key("k1"))).isNull();
    assertThat(await(store.deleteTeam("a"))).isFalse();
  }

  @Test
  void creates_reads_and_lists_keys() {
    await(store.createTeam(team("a")));
    await(store.createTeam(team("b")));
    TeamKey k1 = key("k1", "a", "h1");
    TeamKey k2 = new TeamKey("k2", "a", "second", "h2", "tg-xyz…", T0.plus(30, ChronoUnit.DAYS), List.of("gpt-test"),
        Limits.NONE, false, T0.plusSeconds(1), null);
    await(store.createKey(k1));
    await(store.createKey(k2));
    await(store.createKey(key("k3", "b", "h3")));

    assertThat(await(store.key("k2"))).isEqualTo(k2);
    assertThat(await(store.keysOf("a"))).containsExactly(k1, k2);
    assertThat(await(store.keys())).extracting(TeamKey::id).containsExactlyInAnyOrder("k1", "k2", "k3");
    assertThat(await(store.key("nope"))).isNull();
  }

  @Test
  void refuses_a_key_with_a_taken_hash_or_for_a_missing_team() {
    await(store.createTeam(team("a")));
    await(store.createKey(key("k1", "a", "h1")));

    assertThatThrownBy(() -> await(store.createKey(key("k2", "a", "h1")))).hasCauseInstanceOf(StoreConflict.class);
    assertThatThrownBy(() -> await(store.createKey(key("k3", "ghost", "h3")))).hasCauseInstanceOf(StoreConflict.class);
    assertThat(await(store.keys())).extracting(TeamKey::id).containsExactly("k1");
  }

  @Test
  void seeds_a_key_by_creating_then_updating_its_hash() {
    await(store.createTeam(team("a")));
    await(store.seedKey(key("cfg-a-main", "a", "old-hash")));
    await(store.seedKey(key("cfg-a-main", "a", "new-hash")));

    assertThat(await(store.key("cfg-a-main")).hash()).isEqualTo("new-hash");
    assertThat(await(store.keys())).hasSize(1);
  }

  @Test
  void revokes_a_key() {
    await(store.createTeam(team("a")));
    await(store.createKey(key("k1", "a", "h1")));

    assertThat(await(store.revokeKey("k1")).revoked()).isTrue();
    assertThat(await(store.key("k1")).revoked()).isTrue();
    assertThat(await(store.revokeKey("nope"))).isNull();
  }

  @Test
  void rotates_a_key_keeping_the_old_one_until_the_grace_period_ends() {
    await(store.createTeam(team("a")));
    await(store.createKey(key("old", "a", "h-old")));
    Instant graceEnd = T0.plus(1, ChronoUnit.DAYS);

    TeamKey fresh = key("new", "a", "h-new");
    assertThat(await(store.rotateKey("old", fresh, graceEnd))).isEqualTo(fresh);
    assertThat(await(store.key("old")).expiresAt()).isEqualTo(graceEnd);
    assertThat(await(store.key("new"))).isEqualTo(fresh);
    assertThat(await(store.rotateKey("nope", key("x", "a", "h-x"), graceEnd))).isNull();
  }

  @Test
  void rotation_never_extends_an_earlier_expiry_and_refuses_revoked_keys() {
    await(store.createTeam(team("a")));
    TeamKey soon = new TeamKey("soon", "a", "n", "h-soon", "p", T0.plusSeconds(60), List.of(), Limits.NONE, false, T0, null);
    await(store.createKey(soon));
    await(store.rotateKey("soon", key("next", "a", "h-next"), T0.plus(1, ChronoUnit.DAYS)));
    assertThat(await(store.key("soon")).expiresAt()).isEqualTo(T0.plusSeconds(60));

    await(store.createKey(key("gone", "a", "h-gone")));
    await(store.revokeKey("gone"));
    assertThatThrownBy(() -> await(store.rotateKey("gone", key("x", "a", "h-x"), T0))).hasCauseInstanceOf(StoreConflict.class);
    assertThat(await(store.key("x"))).isNull();
  }

  @Test
  void records_last_use_in_batches_never_moving_backwards() {
    await(store.createTeam(team("a")));
    await(store.createKey(key("k1", "a", "h1")));
    await(store.createKey(key("k2", "a", "h2")));

    await(store.touchKeys(Map.of("k1", T0.plusSeconds(10), "k2", T0.plusSeconds(20))));
    await(store.touchKeys(Map.of("k1", T0.plusSeconds(5))));

    assertThat(await(store.key("k1")).lastUsedAt()).isEqualTo(T0.plusSeconds(10));
    assertThat(await(store.key("k2")).lastUsedAt()).isEqualTo(T0.plusSeconds(20));
  }

  @Test
  void the_version_moves_on_every_change_but_not_on_last_use() {
    long v0 = await(store.version());
    await(store.createTeam(team("a")));
    long v1 = await(store.version());
    await(store.createKey(key("k1", "a", "h1")));
    long v2 = await(store.version());
    await(store.touchKeys(Map.of("k1", T0)));
    long v3 = await(store.version());
    await(store.revokeKey("k1"));
    long v4 = await(store.version());

    assertThat(v1).isGreaterThan(v0);
    assertThat(v2).isGreaterThan(v1);
    assertThat(v3).isEqualTo(v2);
    assertThat(v4).isGreaterThan(v3);
  }

  @Test
  void everything_survives_reopening_the_store() {
    await(store.createTeam(team("a")));
    await(store.createKey(key("k1", "a", "h1")));
    await(db.close());

    db = Database.open(vertx, url);
    store = new TeamStore(db);
    assertThat(await(store.team("a"))).isEqualTo(team("a"));
    assertThat(await(store.key("k1"))).isEqualTo(key("k1", "a", "h1"));
  }
}
