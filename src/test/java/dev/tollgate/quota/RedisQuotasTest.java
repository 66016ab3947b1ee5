package dev.tollgate.quota;

import static dev.tollgate.support.TestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.EmbeddedServers;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.junit.jupiter.api.Test;

class RedisQuotasTest extends QuotaBackendContract {
  @Override
  QuotaBackend open(Vertx vertx) {
    RedisQuotas redis = new RedisQuotas(vertx, EmbeddedServers.redisUrl(), 2000);
    await(redis.start());
    return redis;
  }

  @Test
  void a_dead_holders_slot_and_reservation_expire_with_its_lease() {
    ScopeLimits one = new ScopeLimits(null, null, 1L);
    Decision held = admit(request(one, NONE, 1000L, 1, 600, T0));
    assertThat(held.admitted()).isTrue();
    assertThat(admit(request(one, NONE, 1000L, 1, 600, T0 + LEASE - 1)).refusal()).isEqualTo(Refusal.BUDGET);

    // never settled or renewed: its holder died. After the lease, both the slot and the budget are free again.
    Decision after = admit(request(one, NONE, 1000L, 1, 600, T0 + LEASE + 1));
    assertThat(after.admitted()).isTrue();
  }

  @Test
  void renewing_a_lease_keeps_the_slot_held() {
    ScopeLimits one = new ScopeLimits(null, null, 1L);
    Decision held = admit(request(one, NONE, null, 1, 0, T0));
    await(quotas.renew(java.util.List.of(held.reservation()), T0, T0 + 3 * LEASE));

    assertThat(admit(request(one, NONE, null, 1, 0, T0 + 2 * LEASE)).refusal()).isEqualTo(Refusal.CONCURRENT);
    assertThat(admit(request(one, NONE, null, 1, 0, T0 + 3 * LEASE + 1)).admitted()).isTrue();
  }

  /** A settlement that empties the lease and reservation keys deletes them; the next admission makes them anew, with a time-to-live. */
  @Test
  void keys_made_anew_within_a_second_still_expire() {
    ScopeLimits five = new ScopeLimits(null, null, 5L);
    Decision first = admit(request(five, five, 1000L, 1, 100, T0));
    await(quotas.settle(first.reservation(), 1, 100, T0 + 10));
    admit(request(five, five, 1000L, 1, 100, T0 + 20)); // same second: not the second's first admission

    RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, EmbeddedServers.redisUrl()));
    String scope = "tg:{" + team + "}:";
    for (String key : java.util.List.of(scope + "t:leases", scope + "k:key-1:leases", scope + "res", scope + "resexp",
        scope + "t:win", scope + "k:key-1:win")) {
      assertThat(await(redis.pttl(key)).toLong()).as(key).isPositive();
    }
    redis.close();
  }

  /** A stream that outlives the leases' first time-to-live must not lose its slot or budget reservation in Redis. */
  @Test
  void renewing_extends_how_long_redis_keeps_the_leases_and_reservations() {
    Decision held = admit(request(new ScopeLimits(null, null, 5L), NONE, 1000L, 1, 100, T0));
    long tenMinutes = 10 * 60_000;
    await(quotas.renew(java.util.List.of(held.reservation()), T0, T0 + tenMinutes));

    RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, EmbeddedServers.redisUrl()));
    String scope = "tg:{" + team + "}:";
    for (String key : java.util.List.of(scope + "t:leases", scope + "k:key-1:leases", scope + "res", scope + "resexp")) {
      assertThat(await(redis.pttl(key)).toLong()).as(key).isGreaterThan(tenMinutes);
    }
    redis.close();
  }

  /**
   * A settlement sent again because its first sending got no reply books the cost once: whether that first sending
   * reached Redis before it, never did, or arrives after it (late, from a connection's queue), and however often it is
   * sent again.
   */
  @Test
  void a_settlement_sent_again_after_a_lost_reply_is_booked_once() {
    RedisQuotas redis = (RedisQuotas) quotas;
    Decision reached = admit(request(NONE, NONE, 1_000_000L, 1, 600, T0));
    await(redis.settle(reached.reservation(), 1, 19_000, T0 + 100)); // Redis ran it; its reply was lost
    assertThat(await(redis.settleAgain(reached.reservation(), 1, 19_000, T0 + 1_000))).isFalse();
    Decision lost = admit(request(NONE, NONE, 1_000_000L, 1, 600, T0 + 200)); // its first sending never reached Redis
    assertThat(await(redis.settleAgain(lost.reservation(), 1, 19_000, T0 + 1_000))).isTrue();
    assertThat(await(redis.settleAgain(lost.reservation(), 1, 19_000, T0 + 1_400))).isFalse();
    Decision late = admit(request(NONE, NONE, 1_000_000L, 1, 600, T0 + 300));
    assertThat(await(redis.settleAgain(late.reservation(), 1, 19_000, T0 + 1_000))).isTrue();
    await(redis.settle(late.reservation(), 1, 19_000, T0 + 1_500)); // its first sending, arriving after

    QuotaStatus s = status(T0 + 2_000);
    assertThat(s.spentNanos()).isEqualTo(57_000);
    assertThat(s.reservedNanos()).isZero();
  }

  /**
   * A replica that failed open pushes its local spend back once Redis answers; a push whose reply was lost is sent
   * again, and Redis must add it once (RedisRestartTest saw a budget refused early when it was added twice).
   */
  @Test
  void a_push_back_sent_again_after_a_lost_reply_is_added_once() {
    RedisQuotas redis = (RedisQuotas) quotas;
    String period = "daily:" + periodStart(T0);
    await(redis.seed(team, period, 38_000, T0)); // Redis holds 38,000 before the outage
    long outageBegan = T0 + 1_000;

    await(redis.pushBack(team, period, "push-1", 19_000, outageBegan, 0, T0 + 5_000));
    await(redis.pushBack(team, period, "push-1", 19_000, outageBegan, 0, T0 + 5_400)); // the same push, again

    assertThat(status(T0 + 6_000).spentNanos()).isEqualTo(57_000);
  }

  /**
   * When Redis kept its data, the push is added to its figure, and the spend is at least the ledger's: the ledger also
   * holds what a settlement lost in the outage never told Redis.
   */
  @Test
  void a_push_back_is_added_to_what_redis_kept_and_the_ledgers_figure_is_a_floor() {
    RedisQuotas redis = (RedisQuotas) quotas;
    String period = "daily:" + periodStart(T0);
    await(redis.seed(team, period, 38_000, T0));
    long outageBegan = T0 + 1_000;

    await(redis.pushBack(team, period, "push-1", 19_000, outageBegan, 50_000, T0 + 5_000));
    assertThat(status(T0 + 5_500).spentNanos()).as("38,000 kept + 19,000 pushed").isEqualTo(57_000);

    // a request admitted in Redis before the outage, whose settlement (20,000) was lost: only the ledger has it
    await(redis.pushBack(team, period, "push-2", 1_000, outageBegan, 78_000, T0 + 6_000));
    assertThat(status(T0 + 6_500).spentNanos()).isEqualTo(78_000);
  }

  /**
   * Redis lost its data and the ledger cannot be read: the push is not taken for the whole spend, and the period is
   * left to be rebuilt from the ledger at the next admission (its marker stays unset).
   */
  @Test
  void a_push_back_to_a_redis_that_lost_its_data_while_the_ledger_is_unreadable_leaves_the_rebuild_to_come() {
    RedisQuotas redis = (RedisQuotas) quotas;
    String period = "daily:" + periodStart(T0);

    await(redis.pushBack(team, period, "push-1", 19_000, T0 + 1_000, -1, T0 + 5_000));

    RedisAPI api = RedisAPI.api(Redis.createClient(vertx, EmbeddedServers.redisUrl()));
    assertThat(await(api.exists(java.util.List.of("tg:{" + team + "}:seeded:" + period))).toInteger()).isZero();
    api.close();
  }

  /** Redis lost its data during the outage (no rebuild before it began): the ledger's figure stands, pushes are not added to it. */
  @Test
  void a_push_back_to_a_redis_that_lost_its_data_takes_the_ledgers_figure() {
    RedisQuotas redis = (RedisQuotas) quotas;
    String period = "daily:" + periodStart(T0);

    await(redis.pushBack(team, period, "push-1", 19_000, T0 + 1_000, 76_000, T0 + 5_000));

    assertThat(status(T0 + 6_000).spentNanos()).isEqualTo(76_000);
  }
}
