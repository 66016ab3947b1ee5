package dev.tollgate.quota;

import static dev.tollgate.quota.QuotaGatewayTest.REQUEST_NANOS;
import static dev.tollgate.quota.QuotaGatewayTest.TEN_TOKENS;
import static dev.tollgate.quota.QuotaGatewayTest.concurrently;
import static dev.tollgate.quota.QuotaGatewayTest.count;
import static dev.tollgate.quota.QuotaGatewayTest.team;
import static dev.tollgate.quota.QuotaGatewayTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.server.Gateway;
import dev.tollgate.support.Admin;
import dev.tollgate.support.EmbeddedServers;
import dev.tollgate.support.Http;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leased quotas (quota.mode: leased) through two real gateway replicas sharing one Redis. */
class LeasedQuotaGatewayTest {
  static String leased(String extra) {
    return "redis: " + EmbeddedServers.redisUrl() + "\nquota: { mode: leased, redis-timeout: 5s" + extra + " }";
  }

  static JsonObject quota(TestStack stack, String team) {
    return new Admin(stack).ok("GET", "/admin/teams/" + team + "/quota", null);
  }

  static long nanos(JsonObject budget, String field) {
    return new BigDecimal(budget.getValue(field).toString()).movePointRight(9).longValueExact();
  }

  static int chat(Http http) {
    return http.post("/v1/chat/completions", TestStack.ALPHA_KEY, TEN_TOKENS, "x-mock-tokens", "10").statusCode();
  }

  /**
   * Room for exactly 10 requests. Slices are reservations in Redis, so never more than 10 pass and the spend stays
   * within the budget. A replica's budget slice is at most max(5% of the budget, 2 requests) + the request it was
   * taken for = 3 requests, so a request is refused with at most the other replica's 3 and its own leftover (less
   * than 1 request) unused: at least 10 - 3 - 1 = 6 pass. Once both are idle, their unused slices are back in Redis
   * and one replica alone can spend all that is left.
   */
  @Test
  void two_leased_replicas_racing_never_spend_past_the_budget_and_give_back_what_they_did_not_use() {
    String team = team();
    String budget = "budget: { usd: 0.00019, period: monthly }";
    try (TestStack stack = TestStack.start(port -> yaml(port, team, budget, leased("")), Clock.systemUTC(),
        EmbeddedServers.newPostgresStore())) {
      Gateway second = stack.startReplica();
      try {
        List<HttpResponse<String>> responses = concurrently(100, stack.baseUrl(), "http://127.0.0.1:" + second.port());

        long passed = count(responses, 200);
        assertThat(passed).isBetween(6L, 10L);
        assertThat(count(responses, 429)).isEqualTo(100 - passed);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          JsonObject b = quota(stack, team).getJsonObject("budget");
          assertThat(nanos(b, "spent_usd")).isEqualTo(passed * REQUEST_NANOS);
          assertThat(nanos(b, "reserved_usd")).as("every slice given back").isZero();
        });

        Http other = new Http("http://127.0.0.1:" + second.port());
        for (long i = passed; i < 10; i++) assertThat(chat(other)).as("request %d", i + 1).isEqualTo(200);
        assertThat(chat(other)).isEqualTo(429);
        QuotaGatewayTest.assertSpentAtMost(stack, team, 10 * REQUEST_NANOS);
      } finally {
        TestStack.await(second.stop());
      }
    }
  }

  /**
   * RPM 30: a slice is ceil(5% of 30) = 2 requests of the current second, at most 3 with the request it was taken
   * for. Never more than 30 pass. A request is refused only when Redis has no room left and its replica no slice:
   * unused then are at most the other replica's slice of this second (3) and both replicas' unused slices of the
   * second before, not yet given back (3 each): at least 30 - 9 = 21 pass.
   */
  @Test
  void two_leased_replicas_racing_never_admit_past_the_requests_per_minute() {
    String team = team();
    try (TestStack stack = TestStack.start(port -> yaml(port, team, "limits: { rpm: 30 }", leased("")))) {
      Gateway second = stack.startReplica();
      try {
        List<HttpResponse<String>> responses = concurrently(100, stack.baseUrl(), "http://127.0.0.1:" + second.port());

        long passed = count(responses, 200);
        assertThat(passed).isBetween(21L, 30L);
        assertThat((long) stack.mock.stats().requests()).isEqualTo(passed);
        // the unused parts of the slices come back: the shared window counts exactly the requests that passed
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(quota(stack, team).getJsonObject("team_limits")
            .getJsonObject("requests_per_minute").getLong("used")).isEqualTo(passed));
      } finally {
        TestStack.await(second.stop());
      }
    }
  }

  /** A replica that stops gives its slices back at once: the other can use the whole rest without waiting for the lease time. */
  @Test
  void a_stopped_replica_gives_back_its_slices() {
    String team = team();
    String body = "budget: { usd: 0.00019, period: monthly }, limits: { concurrent: 4 }";
    try (TestStack stack = TestStack.start(port -> yaml(port, team, body, leased(", lease-time: 60s")))) {
      Gateway second = stack.startReplica();
      Http other = new Http("http://127.0.0.1:" + second.port());
      assertThat(chat(other)).isEqualTo(200);
      assertThat(nanos(quota(stack, team).getJsonObject("budget"), "reserved_usd")).as("a slice held").isPositive();

      TestStack.await(second.stop());
      JsonObject q = quota(stack, team);
      assertThat(nanos(q.getJsonObject("budget"), "reserved_usd")).isZero();
      assertThat(nanos(q.getJsonObject("budget"), "spent_usd")).isEqualTo(REQUEST_NANOS);
      assertThat(q.getJsonObject("team_limits").getJsonObject("concurrent").getLong("in_use")).isZero();
      for (int i = 0; i < 9; i++) assertThat(chat(stack.http)).as("request %d", i + 2).isEqualTo(200);
      assertThat(chat(stack.http)).isEqualTo(429);
    }
  }
}
