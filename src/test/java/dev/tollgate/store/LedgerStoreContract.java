package dev.tollgate.store;

import static dev.tollgate.support.TestStack.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.Usage;
import dev.tollgate.billing.UsageEvent;
import io.vertx.core.Vertx;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger's store operations on each store: idempotent writes, rollups, queries, retention. */
abstract class LedgerStoreContract {
  Vertx vertx;
  Database db;
  LedgerStore ledger;

  abstract String newStore();

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    db = Database.open(vertx, newStore());
    ledger = new LedgerStore(db);
  }

  @AfterEach
  void close() {
    await(db.close());
    await(vertx.close());
  }

  static UsageEvent event(String id, String time, String team, String key, String model, long prompt, long cost, int status) {
    return new UsageEvent(id, "req-" + id, Instant.parse(time).toEpochMilli(), team, key, model, model, "up-" + model, "p",
        "chat_completions", false, new Usage(prompt, 10, 1, 0, 3), cost, true, false, null, Usage.ZERO, 0, status, status >= 400 ? "error" : "ok", 5, null, null);
  }

  @Test
  void writing_the_same_batch_twice_records_it_once() throws Exception {
    List<UsageEvent> batch = List.of(
        event("a", "2026-11-02T10:15:00Z", "t1", "k1", "m1", 100, 1000, 200),
        event("b", "2026-11-02T10:45:00Z", "t1", "k1", "m1", 50, 500, 500));

    assertThat(ledger.write(batch)).isEqualTo(2);
    assertThat(ledger.write(batch)).isZero();

    var rows = await(ledger.query(new LedgerStore.Query("t1", null, null, Instant.parse("2026-11-01T00:00:00Z"),
        Instant.parse("2026-12-01T00:00:00Z"), LedgerStore.GroupBy.TEAM)));
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).requests()).isEqualTo(2);
    assertThat(rows.get(0).usage()).isEqualTo(new Usage(150, 20, 2, 0, 6));
    assertThat(rows.get(0).costNanos()).isEqualTo(1500);
    assertThat(rows.get(0).errors()).isEqualTo(1);
  }

  @Test
  void groups_by_hour_day_model_key_and_team_with_filters() throws Exception {
    ledger.write(List.of(
        event("1", "2026-11-02T10:15:00Z", "t1", "k1", "m1", 1, 10, 200),
        event("2", "2026-11-02T11:15:00Z", "t1", "k2", "m2", 2, 20, 200),
        event("3", "2026-11-03T09:00:00Z", "t1", "k1", "m1", 4, 40, 200),
        event("4", "2026-11-03T09:30:00Z", "t2", "k9", "m1", 8, 80, 200)));
    Instant from = Instant.parse("2026-11-01T00:00:00Z");
    Instant to = Instant.parse("2026-11-04T00:00:00Z");

    var byDay = await(ledger.query(new LedgerStore.Query("t1", null, null, from, to, LedgerStore.GroupBy.DAY)));
    assertThat(byDay).extracting(r -> r.group().get("start") + "=" + r.costNanos())
        .containsExactly("2026-11-02T00:00:00Z=30", "2026-11-03T00:00:00Z=40");
    var byHour = await(ledger.query(new LedgerStore.Query(null, null, "m1", from, to, LedgerStore.GroupBy.HOUR)));
    assertThat(byHour).extracting(r -> r.group().get("start") + "=" + r.costNanos())
        .containsExactly("2026-11-02T10:00:00Z=10", "2026-11-03T09:00:00Z=120");
    var byModel = await(ledger.query(new LedgerStore.Query(null, null, null, from, to, LedgerStore.GroupBy.MODEL)));
    assertThat(byModel).extracting(r -> r.group().get("model") + "=" + r.costNanos()).containsExactly("m1=130", "m2=20");
    var byKey = await(ledger.query(new LedgerStore.Query("t1", null, null, from, to, LedgerStore.GroupBy.KEY)));
    assertThat(byKey).extracting(r -> r.group().get("key") + "=" + r.costNanos()).containsExactly("k1=50", "k2=20");
    var oneKey = await(ledger.query(new LedgerStore.Query(null, "k2", null, from, to, LedgerStore.GroupBy.TEAM)));
    assertThat(oneKey).extracting(r -> r.group().get("team") + "=" + r.costNanos()).containsExactly("t1=20");
    // a range inside a day is served by hourly rollups
    var partial = await(ledger.query(new LedgerStore.Query(null, null, null, Instant.parse("2026-11-02T11:00:00Z"),
        Instant.parse("2026-11-03T09:10:00Z"), LedgerStore.GroupBy.TEAM)));
    assertThat(partial).extracting(r -> r.group().get("team") + "=" + r.costNanos()).containsExactly("t1=60", "t2=80");
  }

  @Test
  void finds_records_by_request_id_and_team_newest_first() throws Exception {
    ledger.write(List.of(
        event("1", "2026-11-02T10:15:00Z", "t1", "k1", "m1", 1, 10, 200),
        event("2", "2026-11-02T11:15:00Z", "t1", "k2", "m2", 2, 20, 200),
        event("3", "2026-11-02T11:16:00Z", "t2", "k3", "m2", 2, 20, 200)));
    Instant from = Instant.parse("2026-11-01T00:00:00Z");
    Instant to = Instant.parse("2026-11-04T00:00:00Z");

    assertThat(await(ledger.records("t1", null, from, to, 10))).extracting(UsageEvent::id).containsExactly("2", "1");
    assertThat(await(ledger.records(null, "req-3", from, to, 10))).extracting(UsageEvent::teamId).containsExactly("t2");
    assertThat(await(ledger.records(null, null, from, to, 2))).hasSize(2);
  }

  @Test
  void retention_deletes_old_records_and_keeps_rollups() throws Exception {
    ledger.write(List.of(
        event("old", "2026-08-10T10:00:00Z", "t1", "k1", "m1", 1, 10, 200),
        event("older", "2026-07-10T10:00:00Z", "t1", "k1", "m1", 1, 10, 200),
        event("new", "2026-11-10T10:00:00Z", "t1", "k1", "m1", 1, 10, 200)));
    Instant from = Instant.parse("2026-01-01T00:00:00Z");
    Instant to = Instant.parse("2027-01-01T00:00:00Z");

    assertThat(await(ledger.prune(Instant.parse("2026-09-01T00:00:00Z")))).isEqualTo(2);

    assertThat(await(ledger.records(null, null, from, to, 10))).extracting(UsageEvent::id).containsExactly("new");
    var total = await(ledger.query(new LedgerStore.Query(null, null, null, from, to, LedgerStore.GroupBy.TEAM)));
    assertThat(total.get(0).requests()).isEqualTo(3);
    // writing into a pruned month again works (its partition is recreated where there are partitions)
    assertThat(ledger.write(List.of(event("late", "2026-07-11T10:00:00Z", "t1", "k1", "m1", 1, 10, 200)))).isEqualTo(1);
  }

  @Test
  void spend_since_a_period_start_sums_each_teams_cost() throws Exception {
    ledger.write(List.of(
        event("1", "2026-10-31T23:00:00Z", "t1", "k1", "m1", 1, 1000, 200),
        event("2", "2026-11-01T01:00:00Z", "t1", "k1", "m1", 1, 20, 200),
        event("3", "2026-11-02T01:00:00Z", "t1", "k2", "m1", 1, 30, 200),
        event("4", "2026-11-02T01:00:00Z", "t2", "k3", "m1", 1, 7, 200)));

    assertThat(await(ledger.spendSince(Instant.parse("2026-11-01T00:00:00Z")))).containsEntry("t1", 50L).containsEntry("t2", 7L);
  }

  @Test
  void a_batch_the_store_refused_leaves_nothing_behind_for_the_next_one() throws Exception {
    UsageEvent ok = event("ok", "2026-11-02T10:15:00Z", "t1", "k1", "m1", 1, 10, 200);
    UsageEvent noTeam = new UsageEvent("no-team", "req-no-team", ok.timeMillis(), null, "k1", "m1", "m1", null, "p", "chat_completions",
        false, Usage.ZERO, 0, true, false, null, Usage.ZERO, 0, 200, "ok", 5, null, null);
    assertThatThrownBy(() -> ledger.write(List.of(ok, noTeam))).isInstanceOf(SQLException.class);

    assertThat(ledger.write(List.of(event("next", "2026-11-02T10:16:00Z", "t1", "k1", "m1", 2, 20, 200)))).isEqualTo(1);

    var records = await(ledger.records("t1", null, Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"), 10));
    assertThat(records).extracting(UsageEvent::id).containsExactly("next");
    var rows = await(ledger.query(new LedgerStore.Query("t1", null, null, Instant.parse("2026-11-01T00:00:00Z"),
        Instant.parse("2026-12-01T00:00:00Z"), LedgerStore.GroupBy.TEAM)));
    assertThat(rows.get(0).requests()).isEqualTo(1);
    assertThat(rows.get(0).costNanos()).isEqualTo(20);
  }

  @Test
  void a_kept_statement_is_prepared_once_per_connection_and_again_once_closed() throws Exception {
    PreparedStatement first = db.transaction(c -> db.kept(c, "SELECT 1"));
    PreparedStatement again = db.transaction(c -> db.kept(c, "SELECT 1"));
    assertThat(again).isSameAs(first);

    first.close();
    PreparedStatement fresh = db.transaction(c -> db.kept(c, "SELECT 1"));
    assertThat(fresh).isNotSameAs(first);
    assertThat(fresh.isClosed()).isFalse();
  }
}
