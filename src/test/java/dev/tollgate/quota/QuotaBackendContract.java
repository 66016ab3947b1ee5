package dev.tollgate.quota;

import static dev.tollgate.support.TestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.team.BudgetPeriod;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One contract for both quota backends: in memory and Redis. Time is passed in, so tests drive it. */
abstract class QuotaBackendContract {
  static final long T0 = Instant.parse("2026-11-29T10:00:00Z").toEpochMilli();
  static final long LEASE = 5_000;

  Vertx vertx;
  QuotaBackend quotas;
  String team;

  abstract QuotaBackend open(Vertx vertx);

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    quotas = open(vertx);
    team = "team-" + UUID.randomUUID();
  }

  @AfterEach
  void tearDown() {
    await(quotas.close());
    await(vertx.close());
  }

  AdmissionRequest request(ScopeLimits teamLimits, ScopeLimits keyLimits, Long budget, long tokens, long cost, long now) {
    return new AdmissionRequest(UUID.randomUUID().toString(), team, "key-1", teamLimits, keyLimits, budget,
        budget == null ? null : BudgetPeriod.DAILY, tokens, cost, now, LEASE);
  }

  Decision admit(AdmissionRequest r) {
    return await(quotas.admit(r));
  }

  QuotaStatus status(long now) {
    return await(quotas.status(new StatusRequest(team, "key-1", ScopeLimits.NONE, ScopeLimits.NONE, "daily:" + periodStart(now), now)));
  }

  static Instant periodStart(long now) {
    return BudgetPeriod.DAILY.start(Instant.ofEpochMilli(now));
  }

  static final ScopeLimits NONE = new ScopeLimits(null, null, null);

  @Test
  void admits_up_to_the_requests_per_minute_then_refuses_until_the_window_moves() {
    ScopeLimits rpm5 = new ScopeLimits(5L, null, null);
    for (int i = 0; i < 5; i++) assertThat(admit(request(rpm5, NONE, null, 1, 0, T0 + i * 1000)).admitted()).isTrue();

    Decision refused = admit(request(rpm5, NONE, null, 1, 0, T0 + 10_000));
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.refusal()).isEqualTo(Refusal.RPM);
    assertThat(refused.refusedScope()).isEqualTo("team");
    assertThat(refused.retryAfterMillis()).isEqualTo(50_000); // the first request leaves the window at T0 + 60 s
    assertThat(refused.rates().limitRequests()).isEqualTo(5);
    assertThat(refused.rates().usedRequests()).isEqualTo(5);

    assertThat(admit(request(rpm5, NONE, null, 1, 0, T0 + 60_000)).admitted()).isTrue();
    assertThat(admit(request(rpm5, NONE, null, 1, 0, T0 + 60_500)).admitted()).isFalse();
  }

  @Test
  void a_window_left_idle_for_minutes_counts_only_its_last_minute() {
    ScopeLimits rpm2 = new ScopeLimits(2L, 1000L, null);
    assertThat(admit(request(rpm2, rpm2, null, 400, 0, T0)).admitted()).isTrue();
    assertThat(admit(request(rpm2, rpm2, null, 400, 0, T0 + 59_000)).admitted()).isTrue();
    long later = T0 + 10 * 60_000; // long past both, with nothing in between (a clock that jumped, on Redis)
    assertThat(admit(request(rpm2, rpm2, null, 400, 0, later)).admitted()).isTrue();
    assertThat(admit(request(rpm2, rpm2, null, 400, 0, later + 1000)).admitted()).isTrue();
    assertThat(admit(request(rpm2, rpm2, null, 400, 0, later + 2000)).refusal()).isEqualTo(Refusal.RPM);

    QuotaStatus s = status(later + 60_500); // the first of the two later ones has left, the second not
    assertThat(s.team().requests()).isEqualTo(1);
    assertThat(s.team().tokens()).isEqualTo(400);
    assertThat(s.key().requests()).isEqualTo(1);
  }

  /** One replica stamps A just before B, but B reaches the shared counters first: both still leave the window on time. */
  @Test
  void requests_stamped_out_of_order_leave_the_window_like_the_others() {
    ScopeLimits limits = new ScopeLimits(2L, 1000L, null);
    assertThat(admit(request(limits, limits, null, 300, 0, T0 + 1000)).admitted()).isTrue();
    assertThat(admit(request(limits, limits, null, 300, 0, T0 + 999)).admitted()).isTrue();
    for (long t = T0 + 61_000; t < T0 + 200_000; t += 61_000) {
      assertThat(status(t).team().requests()).as("at +%d s", (t - T0) / 1000).isZero();
      assertThat(status(t).key().tokens()).isZero();
      assertThat(admit(request(limits, limits, null, 300, 0, t)).admitted()).isTrue();
      assertThat(admit(request(limits, limits, null, 300, 0, t + 1)).admitted()).isTrue();
    }
  }

  @Test
  void a_key_limit_tighter_than_the_team_refuses_first() {
    ScopeLimits team10 = new ScopeLimits(10L, null, null);
    ScopeLimits key2 = new ScopeLimits(2L, null, null);
    admit(request(team10, key2, null, 1, 0, T0));
    Decision second = admit(request(team10, key2, null, 1, 0, T0));
    Decision third = admit(request(team10, key2, null, 1, 0, T0));

    assertThat(second.admitted()).isTrue();
    assertThat(second.rates().limitRequests()).isEqualTo(2);
    assertThat(second.rates().usedRequests()).isEqualTo(2);
    assertThat(third.refusal()).isEqualTo(Refusal.RPM);
    assertThat(third.refusedScope()).isEqualTo("key");
  }

  @Test
  void tokens_are_reserved_at_admission_and_settled_to_actual_use() {
    ScopeLimits tpm1000 = new ScopeLimits(null, 1000L, null);
    Decision a = admit(request(tpm1000, NONE, null, 600, 0, T0));
    assertThat(a.admitted()).isTrue();
    assertThat(admit(request(tpm1000, NONE, null, 600, 0, T0 + 100)).refusal()).isEqualTo(Refusal.TPM);

    await(quotas.settle(a.reservation(), 150, 0, T0 + 200));

    assertThat(status(T0 + 300).team().tokens()).isEqualTo(150);
    assertThat(admit(request(tpm1000, NONE, null, 600, 0, T0 + 300)).admitted()).isTrue();
  }

  @Test
  void concurrency_slots_are_held_until_settled() {
    ScopeLimits two = new ScopeLimits(null, null, 2L);
    Decision a = admit(request(two, NONE, null, 1, 0, T0));
    Decision b = admit(request(two, NONE, null, 1, 0, T0));
    Decision c = admit(request(two, NONE, null, 1, 0, T0));
    assertThat(a.admitted()).isTrue();
    assertThat(b.admitted()).isTrue();
    assertThat(c.refusal()).isEqualTo(Refusal.CONCURRENT);
    assertThat(status(T0).team().concurrent()).isEqualTo(2);

    await(quotas.settle(a.reservation(), 1, 0, T0 + 10));
    assertThat(status(T0 + 10).team().concurrent()).isEqualTo(1);
    assertThat(admit(request(two, NONE, null, 1, 0, T0 + 20)).admitted()).isTrue();
  }

  @Test
  void the_budget_counts_spend_plus_reservations_in_flight() {
    long budget = 1000;
    Decision a = admit(request(NONE, NONE, budget, 1, 400, T0));
    Decision b = admit(request(NONE, NONE, budget, 1, 400, T0));
    Decision c = admit(request(NONE, NONE, budget, 1, 400, T0));
    assertThat(a.admitted()).isTrue();
    assertThat(b.admitted()).isTrue();
    assertThat(c.refusal()).isEqualTo(Refusal.BUDGET);
    assertThat(status(T0).reservedNanos()).isEqualTo(800);

    await(quotas.settle(a.reservation(), 1, 100, T0 + 1));
    await(quotas.settle(b.reservation(), 1, 500, T0 + 1));
    QuotaStatus s = status(T0 + 2);
    assertThat(s.spentNanos()).isEqualTo(600);
    assertThat(s.reservedNanos()).isZero();
    assertThat(admit(request(NONE, NONE, budget, 1, 400, T0 + 3)).admitted()).isTrue();
    assertThat(admit(request(NONE, NONE, budget, 1, 1, T0 + 3)).refusal()).isEqualTo(Refusal.BUDGET);
  }

  @Test
  void an_exhausted_budget_refuses_until_the_next_period() {
    Decision a = admit(request(NONE, NONE, 100L, 1, 100, T0));
    await(quotas.settle(a.reservation(), 1, 150, T0 + 1));

    Decision refused = admit(request(NONE, NONE, 100L, 1, 0, T0 + 2));
    assertThat(refused.refusal()).isEqualTo(Refusal.BUDGET);
    long nextDay = BudgetPeriod.DAILY.end(Instant.ofEpochMilli(T0)).toEpochMilli();
    assertThat(refused.retryAfterMillis()).isEqualTo(nextDay - (T0 + 2));
    assertThat(admit(request(NONE, NONE, 100L, 1, 10, nextDay + 1)).admitted()).isTrue();
  }

  @Test
  void spend_rebuilt_at_start_up_keeps_the_larger_value() {
    String period = "daily:" + periodStart(T0);
    await(quotas.seedSpend(Map.of(team, 70L), Map.of(team, period)));
    await(quotas.seedSpend(Map.of(team, 50L), Map.of(team, period)));

    assertThat(status(T0).spentNanos()).isEqualTo(70);
    assertThat(admit(request(NONE, NONE, 100L, 1, 31, T0)).refusal()).isEqualTo(Refusal.BUDGET);
    assertThat(admit(request(NONE, NONE, 100L, 1, 30, T0)).admitted()).isTrue();
  }

  @Test
  void settling_every_reservation_returns_every_counter_to_where_it_was() {
    ScopeLimits limits = new ScopeLimits(100L, 100_000L, 10L);
    List<Decision> admitted = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) admitted.add(admit(request(limits, limits, 1_000_000L, 500, 1000, T0)));
    for (Decision d : admitted) await(quotas.settle(d.reservation(), 0, 0, T0 + 5));

    QuotaStatus s = status(T0 + 10);
    assertThat(s.team().concurrent()).isZero();
    assertThat(s.key().concurrent()).isZero();
    assertThat(s.team().tokens()).isZero();
    assertThat(s.key().tokens()).isZero();
    assertThat(s.team().requests()).isEqualTo(5);
    assertThat(s.reservedNanos()).isZero();
    assertThat(s.spentNanos()).isZero();
  }

  /** Offered load well above the limit for five minutes of (driven) time: the admitted count is 5 × the limit, ±2%. */
  @Test
  void requests_and_tokens_per_minute_hold_within_two_percent_over_five_minutes() {
    ScopeLimits rpm = new ScopeLimits(120L, null, null);
    ScopeLimits tpm = new ScopeLimits(null, 6_000L, null);
    int admittedRequests = 0;
    long admittedTokens = 0;
    for (long t = T0; t < T0 + 300_000; t += 250) {
      for (int i = 0; i < 2; i++) if (admit(request(rpm, NONE, null, 1, 0, t)).admitted()) admittedRequests++;
      Decision d = await(quotas.admit(new AdmissionRequest(UUID.randomUUID().toString(), team + "-tokens", "key-2", tpm, NONE, null, null,
          40, 0, t, LEASE)));
      if (d.admitted()) {
        admittedTokens += 40;
        await(quotas.settle(d.reservation(), 40, 0, t));
      }
    }
    assertThat(admittedRequests).isBetween((int) (600 * 0.98), (int) (600 * 1.02));
    assertThat(admittedTokens).isBetween((long) (30_000 * 0.98), (long) (30_000 * 1.02));
  }
}
