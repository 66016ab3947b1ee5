package dev.tollgate.quota;

import static dev.tollgate.support.TestStack.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.support.EmbeddedServers;
import dev.tollgate.support.MutableClock;
import dev.tollgate.team.BudgetPeriod;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leased mode with two replicas (two {@link LeasedQuotas} on one real Redis) racing on one team: neither limit nor
 * budget is ever exceeded, and what a replica does not use comes back to the other.
 */
class LeasedQuotasTest {
  static final Instant T0 = Instant.parse("2026-11-29T10:00:00.100Z");
  static final double FRACTION = 0.05;
  static final long LEASE = 30_000;
  static final ScopeLimits NONE = ScopeLimits.NONE;

  Vertx vertx;
  MutableClock clock;
  RedisQuotas redisA;
  RedisQuotas redisB;
  LeasedQuotas a;
  LeasedQuotas b;
  String team;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    clock = new MutableClock(T0);
    redisA = new RedisQuotas(vertx, EmbeddedServers.redisUrl(), 5_000);
    redisB = new RedisQuotas(vertx, EmbeddedServers.redisUrl(), 5_000);
    await(redisA.start());
    await(redisB.start());
    a = new LeasedQuotas(vertx, redisA, redisA, t -> true, FRACTION, LEASE, clock);
    b = new LeasedQuotas(vertx, redisB, redisB, t -> true, FRACTION, LEASE, clock);
    team = "team-" + UUID.randomUUID();
  }

  @AfterEach
  void tearDown() {
    await(a.close());
    await(b.close());
    await(vertx.close());
  }

  AdmissionRequest request(ScopeLimits limits, Long budget, long tokens, long cost) {
    return new AdmissionRequest(UUID.randomUUID().toString(), team, "key-1", limits, NONE, budget,
        budget == null ? null : BudgetPeriod.DAILY, tokens, cost, clock.millis(), LEASE);
  }

  /** 100 admissions at once, alternating between the replicas. */
  List<Decision> race(ScopeLimits limits, Long budget, long cost) {
    List<Future<Decision>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) calls.add((i % 2 == 0 ? a : b).admit(request(limits, budget, 1, cost)));
    return calls.stream().map(f -> await(f)).toList();
  }

  QuotaStatus status() {
    long now = clock.millis();
    String period = "daily:" + BudgetPeriod.DAILY.start(Instant.ofEpochMilli(now));
    return await(redisB.status(new StatusRequest(team, null, NONE, NONE, period, now)));
  }

  static List<Decision> admitted(List<Decision> decisions) {
    return decisions.stream().filter(Decision::admitted).toList();
  }

  /**
   * RPM 30: a slice is ceil(5% of 30) = 2 requests of the current second. Never more than 30 pass; a request is
   * refused only when Redis has no room left and its replica no slice, so at most what the other replica holds
   * unused (its slice plus the one request it was asked for: 3) and what is left here (3) goes unused.
   */
  @Test
  void two_replicas_racing_never_admit_past_the_requests_per_minute() {
    ScopeLimits rpm30 = new ScopeLimits(30L, null, null);
    List<Decision> decisions = race(rpm30, null, 0);

    assertThat(admitted(decisions)).hasSizeLessThanOrEqualTo(30).hasSizeGreaterThanOrEqualTo(30 - 2 * 3);
    assertThat(decisions).filteredOn(d -> !d.admitted()).allSatisfy(d -> assertThat(d.refusal()).isEqualTo(Refusal.RPM));
    int passed = admitted(decisions).size();

    // idle a moment later: the slices' unused parts are given back, and the shared window counts exactly what passed
    clock.advance(Duration.ofSeconds(2));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status().team().requests()).isEqualTo(passed));
  }

  /**
   * A budget with room for exactly 10 requests of 19,000 nano-USD. Slices are reserved in Redis, so never more
   * than 10 pass; a replica's slice is at most max(5% of the budget, 2 requests) plus the request it was taken for
   * (3 requests), so at most the other's slice and one request here go unused: at least 10 - 3 - 1 pass.
   */
  @Test
  void two_replicas_racing_never_spend_past_the_budget_and_give_back_what_they_did_not_use() {
    long cost = 19_000;
    long budget = 10 * cost;
    List<Decision> decisions = race(NONE, budget, cost);

    List<Decision> passed = admitted(decisions);
    assertThat(passed).hasSizeLessThanOrEqualTo(10).hasSizeGreaterThanOrEqualTo(10 - 3 - 1);
    assertThat(decisions).filteredOn(d -> !d.admitted()).allSatisfy(d -> assertThat(d.refusal()).isEqualTo(Refusal.BUDGET));
    for (int i = 0; i < decisions.size(); i++) {
      if (decisions.get(i).admitted()) await((i % 2 == 0 ? a : b).settle(decisions.get(i).reservation(), 1, cost, clock.millis()));
    }

    // both go idle: their spend is booked and the budget they did not use is given back
    clock.advance(Duration.ofSeconds(2));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      QuotaStatus s = status();
      assertThat(s.spentNanos()).isEqualTo(passed.size() * cost);
      assertThat(s.reservedNanos()).isZero();
    });
    // so one replica alone can spend the whole rest
    int rest = 10 - passed.size();
    for (int i = 0; i < rest; i++) assertThat(await(b.admit(request(NONE, budget, 1, cost))).admitted()).isTrue();
    assertThat(await(b.admit(request(NONE, budget, 1, cost))).refusal()).isEqualTo(Refusal.BUDGET);
  }

  @Test
  void a_keys_own_limit_is_leased_too_and_refuses_for_the_key() {
    ScopeLimits team100 = new ScopeLimits(100L, null, null);
    ScopeLimits key2 = new ScopeLimits(2L, null, null);
    List<Decision> decisions = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      AdmissionRequest r = new AdmissionRequest(UUID.randomUUID().toString(), team, "key-1", team100, key2, null, null, 1, 0,
          clock.millis(), LEASE);
      decisions.add(await((i % 2 == 0 ? a : b).admit(r)));
    }
    assertThat(admitted(decisions)).hasSize(2);
    assertThat(decisions).filteredOn(d -> !d.admitted()).allSatisfy(d -> {
      assertThat(d.refusal()).isEqualTo(Refusal.RPM);
      assertThat(d.refusedScope()).isEqualTo("key");
    });
  }

  @Test
  void concurrency_slots_are_leased_and_never_exceeded_across_replicas() {
    ScopeLimits three = new ScopeLimits(null, null, 3L);
    List<Decision> passed = admitted(race(three, null, 0));
    assertThat(passed).hasSizeLessThanOrEqualTo(3).isNotEmpty();
    assertThat(status().team().concurrent()).isLessThanOrEqualTo(3);
  }

  @Test
  void tokens_settled_below_their_reservation_are_given_back_to_the_window() {
    ScopeLimits tpm = new ScopeLimits(null, 10_000L, null);
    Decision d = await(a.admit(request(tpm, null, 600, 0)));
    assertThat(d.admitted()).isTrue();
    await(a.settle(d.reservation(), 150, 0, clock.millis()));

    clock.advance(Duration.ofSeconds(2));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status().team().tokens()).isEqualTo(150));
  }

  @Test
  void a_replica_that_stops_gives_back_its_slices_and_books_its_spend() {
    ScopeLimits limits = new ScopeLimits(null, null, 10L);
    Decision d = await(a.admit(request(limits, 1_000_000L, 1, 1000)));
    assertThat(d.admitted()).isTrue();
    await(a.settle(d.reservation(), 1, 700, clock.millis()));
    assertThat(status().reservedNanos()).as("the budget slice is reserved in Redis").isPositive();
    assertThat(status().team().concurrent()).as("slots are held in Redis").isPositive();

    await(a.close());
    redisA = new RedisQuotas(vertx, EmbeddedServers.redisUrl(), 5_000);
    await(redisA.start());
    a = new LeasedQuotas(vertx, redisA, redisA, t -> true, FRACTION, LEASE, clock);

    QuotaStatus s = status();
    assertThat(s.reservedNanos()).isZero();
    assertThat(s.team().concurrent()).isZero();
    assertThat(s.spentNanos()).isEqualTo(700);
  }

  /**
   * Admissions on two event loops of one replica share its lease calls (one at a time per team), and a lease call
   * completes on the loop of the admission that made it; each admission must still complete on its own loop, where
   * the rest of its request runs. RPM 30 makes a lease call every couple of requests, so many admissions wait for
   * one the other loop made.
   */
  @Test
  void an_admission_that_waits_for_another_loops_lease_call_completes_on_its_own_loop() {
    ScopeLimits rpm30 = new ScopeLimits(30L, null, null);
    Context[] loops = twoEventLoops();
    List<Future<String>> wrongThread = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Promise<String> done = Promise.promise();
      AdmissionRequest r = request(rpm30, null, 1, 0);
      loops[i % 2].runOnContext(v -> {
        Thread caller = Thread.currentThread();
        a.admit(r).onComplete(ar -> done.complete(!ar.succeeded() ? "failed: " + ar.cause()
            : Thread.currentThread() == caller ? "" : "admitted on " + caller.getName() + ", completed on " + Thread.currentThread().getName()));
      });
      wrongThread.add(done.future());
    }
    assertThat(wrongThread.stream().map(f -> await(f)).filter(m -> !m.isEmpty()).toList()).isEmpty();
  }

  /** Two event-loop contexts on different threads: each deployment is given the next event loop. */
  Context[] twoEventLoops() {
    List<Context> found = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8 && found.size() < 2; i++) {
      Promise<Context> deployed = Promise.promise();
      await(vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          deployed.complete(context);
          return Future.succeededFuture();
        }
      }));
      Context c = await(deployed.future());
      Promise<Thread> thread = Promise.promise();
      c.runOnContext(v -> thread.complete(Thread.currentThread()));
      Thread t = await(thread.future());
      if (!threads.contains(t)) {
        threads.add(t);
        found.add(c);
      }
    }
    assertThat(found).as("two event loops").hasSize(2);
    return found.toArray(Context[]::new);
  }
}
