package dev.tollgate.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.support.TcpRelay;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * Issue 20: budgets across a Redis that loses its data (restarted without persistence) or is out of reach for a
 * while. The spend is rebuilt from the ledger, and what a replica spent while failing open is pushed back, so a
 * budget holds across both.
 */
class RedisRestartTest {
  /** Each request costs 19,000 nano-USD (see QuotaGatewayTest); five fit in this budget, the sixth does not. */
  static final String BUDGET = "budget: { usd: 0.0001, period: monthly }";

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static RedisServer redis(int port) throws Exception {
    RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
        .setting("save \"\"").setting("appendonly no").build();
    server.start();
    return server;
  }

  /** A gateway whose team {@code team} has {@link #BUDGET}, reaching Redis through {@code relay} (which a test can cut). */
  static TestStack behind(TcpRelay relay, String team) {
    return TestStack.start(p -> QuotaGatewayTest.yaml(p, team, BUDGET,
        "redis: redis://127.0.0.1:" + relay.port() + "\nquota: { redis-timeout: 300ms }\nbilling: { flush-interval: 50ms }"));
  }

  static int chat(TestStack stack) {
    return stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, QuotaGatewayTest.TEN_TOKENS, "x-mock-tokens", "10").statusCode();
  }

  /** The team's spend as its quota endpoint shows it, in nano-USD. */
  static long spentNanos(TestStack stack) {
    HttpResponse<String> r = stack.http.get("/tollgate/quota", "authorization", "Bearer " + TestStack.ALPHA_KEY);
    return new BigDecimal(new JsonObject(r.body()).getJsonObject("budget").getValue("spent_usd").toString()).movePointRight(9).longValueExact();
  }

  @Test
  void a_redis_restarted_without_its_data_gets_each_teams_spend_back_from_the_ledger() throws Exception {
    restartWithoutData("exact");
  }

  /** Leased mode: the replica's budget slice was lost with Redis's data, so it cannot spend it; the ledger's spend holds. */
  @Test
  void a_redis_restarted_without_its_data_gets_each_teams_spend_back_from_the_ledger_in_leased_mode() throws Exception {
    restartWithoutData("leased");
  }

  void restartWithoutData(String mode) throws Exception {
    String team = QuotaGatewayTest.team();
    int port = freePort();
    RedisServer redis = redis(port);
    try (TestStack stack = TestStack.start(p -> QuotaGatewayTest.yaml(p, team, BUDGET,
        "redis: redis://127.0.0.1:" + port + "\nquota: { mode: " + mode + ", redis-timeout: 300ms }\nbilling: { flush-interval: 50ms }"))) {
      List<Integer> before = new ArrayList<>();
      for (int i = 0; i < 6; i++) before.add(chat(stack));
      assertThat(before).containsExactly(200, 200, 200, 200, 200, 429);
      await().atMost(Duration.ofSeconds(10)).until(() -> stack.gateway.ledgerPending() == 0);

      redis.stop();
      redis = redis(port);

      // the first call after the restart may find its pooled connection gone and fail open: refused too, on the ledger's figure
      assertThat(chat(stack)).as("the budget spent before the restart still counts").isEqualTo(429);
      assertThat(chat(stack)).as("the budget spent before the restart still counts").isEqualTo(429);
      // (leased: at the replica's next lease call, within a second or two)
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(spentNanos(stack)).as("Redis holds the ledger's spend again").isEqualTo(95_000));
      assertThat(chat(stack)).as("the budget spent before the restart still counts").isEqualTo(429);
    } finally {
      redis.stop();
    }
  }

  @Test
  void what_a_replica_spent_while_failing_open_is_pushed_back_when_redis_is_reachable_again() throws Exception {
    String team = QuotaGatewayTest.team();
    int port = freePort();
    RedisServer redis = redis(port);
    try (TcpRelay relay = new TcpRelay(port); TestStack stack = behind(relay, team)) {
      assertThat(List.of(chat(stack), chat(stack))).containsExactly(200, 200);
      // settling follows the answer: cut only once both are settled (one cut off would be booked only once Redis is back)
      await().atMost(Duration.ofSeconds(5)).until(() -> spentNanos(stack) == 38_000);
      relay.cut();
      assertThat(List.of(chat(stack), chat(stack))).as("failing open, on this replica's own count").containsExactly(200, 200);
      assertThat(stack.http.get("/metrics").body()).contains("tollgate_quota_redis_unavailable_total{mode=\"fail_open\",team=\"" + team + "\"}");

      relay.restore();
      // Redis kept its data (38,000 spent through it); the 38,000 spent locally are added to it
      await().atMost(Duration.ofSeconds(10)).until(() -> spentNanos(stack) == 76_000);
      HttpResponse<String> fifth = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, QuotaGatewayTest.TEN_TOKENS, "x-mock-tokens", "10");
      assertThat(fifth.statusCode()).as(fifth.body()).isEqualTo(200);
      assertThat(chat(stack)).as("the budget holds across the outage").isEqualTo(429);
    } finally {
      redis.stop();
    }
  }

  /**
   * A request admitted in Redis that ends while Redis is out of reach: its settlement is sent again once Redis
   * answers, so its cost counts in the shared budget, once. (It used to lapse with its lease and never count there:
   * this replica spent nothing while failing open, so it had nothing to push back.)
   */
  @Test
  void a_request_that_ends_while_redis_is_out_of_reach_is_settled_once_it_is_back() throws Exception {
    String team = QuotaGatewayTest.team();
    int port = freePort();
    RedisServer redis = redis(port);
    try (TcpRelay relay = new TcpRelay(port); TestStack stack = behind(relay, team)) {
      // a stream of 10 events 300 ms apart (each within the 700 ms upstream timeout): ~3 s from admission to settlement
      HttpRequest slowStream = HttpRequest.newBuilder(URI.create(stack.http.base() + "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(15)).header("content-type", "application/json")
          .header("authorization", "Bearer " + TestStack.ALPHA_KEY).header("x-mock-tokens", "10")
          .header("x-mock-interval-ms", "300")
          .POST(HttpRequest.BodyPublishers.ofString(QuotaGatewayTest.TEN_TOKENS.replace("{", "{\"stream\":true,"))).build();
      CompletableFuture<HttpResponse<String>> slow = stack.http.client().sendAsync(slowStream, HttpResponse.BodyHandlers.ofString());
      // admitted: its budget reservation is in Redis
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> reservedNanos(stack) > 0);
      relay.cut();
      HttpResponse<String> streamed = slow.get(15, TimeUnit.SECONDS);
      assertThat(streamed.statusCode()).isEqualTo(200);
      assertThat(streamed.body()).contains("data: [DONE]");
      assertThat(spentNanos(stack)).as("Redis out of reach: this replica's own count").isEqualTo(0);

      relay.restore();
      await().atMost(Duration.ofSeconds(10)).until(() -> spentNanos(stack) == 19_000);
      assertThat(reservedNanos(stack)).as("settled: its reservation is freed").isEqualTo(0);
      // and booked once: the pings that follow send nothing again
      await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(4)).until(() -> spentNanos(stack) == 19_000);
    } finally {
      redis.stop();
    }
  }

  static long reservedNanos(TestStack stack) {
    HttpResponse<String> r = stack.http.get("/tollgate/quota", "authorization", "Bearer " + TestStack.ALPHA_KEY);
    return new BigDecimal(new JsonObject(r.body()).getJsonObject("budget").getValue("reserved_usd").toString()).movePointRight(9).longValueExact();
  }
}
