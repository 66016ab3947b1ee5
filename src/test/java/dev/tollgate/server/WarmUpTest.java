package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.tollgate.core.Ids;
import dev.tollgate.support.Admin;
import dev.tollgate.support.EmbeddedServers;
import dev.tollgate.support.Http;
import dev.tollgate.support.LogCapture;
import dev.tollgate.support.TempFiles;
import dev.tollgate.support.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The warm-up: the replica is not ready while it drives its own pipeline with synthetic requests, and those are
 * nobody's traffic — never billed, never counted against a team's quotas (in memory or in Redis), never metered or
 * logged, never sent to a configured provider; their credential is refused once the warm-up is over.
 */
class WarmUpTest {
  private static final Pattern DONE = Pattern.compile("warm-up: done, (\\d+) synthetic requests answered 200");

  private static String yaml(int mockPort, String warmUp, String extra) {
    try {
      Path prices = TempFiles.file("prices", ".yaml");
      Files.writeString(prices, "models:\n  upstream-gpt: { input: 2.50, output: 10.00 }\n");
      return """
          server: { port: 0, instances: 2, upstream-timeout: 3s, shutdown-grace: 5s, warm-up: %s }
          admin: { token: "${env:ADMIN_TOKEN}" }
          providers:
            up: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
          models:
            gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] }
          prices: "%s"
          teams:
            alpha: { budget: { usd: 10, period: monthly }, limits: { rpm: 600, tpm: 1000000, concurrent: 8 },
                     keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
          %s
          """.formatted(warmUp, mockPort, prices, extra);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void the_replica_is_not_ready_while_it_warms_up_and_the_synthetic_traffic_leaves_no_trace() {
    try (LogCapture logs = new LogCapture();
         TestStack stack = TestStack.start(port -> yaml(port, "{ duration: 4s }", ""))) {
      var during = stack.http.get("/readyz");
      assertThat(during.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(during.body()).getJsonArray("reasons").encode()).contains("warming up");
      String pass = stack.gateway.warmUpSecret();
      // while it lasts, the pass reaches the warm-up's own fake provider only, never a configured one
      assertThat(stack.http.post("/v1/chat/completions", pass, Http.chat(Ids.WARM_UP, "hi", false)).statusCode()).isEqualTo(200);
      assertThat(stack.http.post("/v1/chat/completions", pass, Http.chat("gpt-test", "hi", false)).statusCode()).isEqualTo(404);
      // and no team reaches the warm-up's provider
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat(Ids.WARM_UP, "hi", false)).statusCode())
          .isEqualTo(404);

      await().atMost(Duration.ofSeconds(30)).until(() -> stack.http.get("/readyz").statusCode() == 200);

      assertThat(warmUpRequests(logs)).isPositive();
      assertThat(stack.mock.stats().requests()).as("requests at the configured provider").isZero();
      assertThat(stack.http.post("/v1/chat/completions", pass, Http.chat(Ids.WARM_UP, "hi", false)).statusCode()).isEqualTo(401);
      Admin admin = new Admin(stack);
      assertThat(admin.ok("GET", "/admin/usage/records", null).getJsonArray("data")).isEmpty();
      JsonObject quota = new JsonObject(stack.http.get("/team/quota", "authorization", "Bearer " + TestStack.ALPHA_KEY).body());
      assertThat(quota.getJsonObject("team_limits").getJsonObject("requests_per_minute").getLong("used")).isZero();
      assertThat(quota.getJsonObject("team_limits").getJsonObject("tokens_per_minute").getLong("used")).isZero();
      assertThat(quota.getJsonObject("budget").getDouble("spent_usd")).isZero();
      String metrics = stack.http.get("/metrics").body();
      // the requests counted are this test's own: alpha's 404 and the pass's 401, none of the synthetic ones
      assertThat(metrics).doesNotContain(Ids.WARM_UP).doesNotContain("status=\"200\"").doesNotContain("tollgate_upstream_attempts_total")
          .contains("tollgate_requests_seconds_count{endpoint=\"chat_completions\",model=\"unknown\",status=\"404\"} 1",
              "tollgate_requests_seconds_count{endpoint=\"chat_completions\",model=\"unknown\",status=\"401\"} 1");
      assertThat(logs.lines()).noneMatch(line -> line.contains("\"team\":\"" + Ids.WARM_UP)); // the access log

      // a team's request afterwards is billed, counted and logged as ever: the only record in the ledger
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", false)).statusCode())
          .isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> admin.ok("GET", "/admin/usage/records", null).getJsonArray("data").size() == 1);
      assertThat(admin.ok("GET", "/admin/usage/records", null).getJsonArray("data").getJsonObject(0).getString("team")).isEqualTo("alpha");
      assertThat(stack.http.get("/metrics").body()).contains("tollgate_requests_seconds_count{endpoint=\"chat_completions\",model=\"gpt-test\",status=\"200\"} 1");
      assertThat(logs.lines()).anyMatch(line -> line.contains("\"team\":\"alpha\""));
    }
  }

  @Test
  void with_redis_quotas_the_synthetic_requests_never_reach_redis() {
    Vertx vertx = Vertx.vertx();
    RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, EmbeddedServers.redisUrl()));
    try (LogCapture logs = new LogCapture();
         TestStack stack = TestStack.start(port -> yaml(port, "{ duration: 2s }", "redis: " + EmbeddedServers.redisUrl()
             + "\nquota: { redis-timeout: 5s }"))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> stack.http.get("/readyz").statusCode() == 200);
      assertThat(warmUpRequests(logs)).isPositive();
      assertThat(keys(redis, "tg:{" + Ids.WARM_UP + "*")).isEmpty();

      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", false)).statusCode())
          .isEqualTo(200);
      assertThat(keys(redis, "tg:{alpha}*")).as("a team's admission writes its keys").isNotEmpty();
    } finally {
      TestStack.await(vertx.close());
    }
  }

  @Test
  void while_it_warms_up_the_in_flight_and_stream_gauges_count_clients_requests_only() throws Exception {
    try (TestStack stack = TestStack.start(port -> yaml(port, "{ duration: 60s }", ""))) {
      await().atMost(Duration.ofSeconds(20)).until(() -> new JsonObject(stack.http.get("/readyz").body()).getJsonArray("reasons")
          .encode().matches(".*warming up: [1-9][0-9]* synthetic requests sent.*"));
      // one synthetic stream and one team stream held open (~6 s each), beside the warm-up's own traffic
      CompletableFuture<String> synthetic = heldStream(stack, stack.gateway.warmUpSecret(), Ids.WARM_UP);
      CompletableFuture<String> team = heldStream(stack, TestStack.ALPHA_KEY, "gpt-test");

      await().atMost(Duration.ofSeconds(10)).until(() -> {
        String metrics = stack.http.get("/metrics").body();
        return metrics.contains("tollgate_active_streams 1.0") && metrics.contains("tollgate_requests_in_flight 1.0");
      });
      assertThat(synthetic).as("the synthetic stream is still open").isNotDone();
      assertThat(team).as("the team's stream is still open").isNotDone();
      assertThat(synthetic.get(30, TimeUnit.SECONDS)).contains("data: [DONE]");
      assertThat(team.get(30, TimeUnit.SECONDS)).contains("data: [DONE]");
    }
  }

  /** A stream of 120 events 50 ms apart, read to its end in the background once its head has come. */
  private static CompletableFuture<String> heldStream(TestStack stack, String key, String model) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(stack.http.base() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + key)
        .header("x-mock-tokens", "120").header("x-mock-interval-ms", "50")
        .POST(HttpRequest.BodyPublishers.ofString(Http.chat(model, "held", true))).build();
    HttpResponse<InputStream> head = stack.http.client().send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(head.statusCode()).as(model).isEqualTo(200);
    return CompletableFuture.supplyAsync(() -> {
      try (InputStream in = head.body()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  @Test
  void a_shutdown_during_the_warm_up_stops_it_at_once_and_cleanly() {
    try (LogCapture logs = new LogCapture()) {
      TestStack stack = TestStack.start(port -> yaml(port, "{ duration: 60s, connections: 3 }", ""));
      try {
        await().atMost(Duration.ofSeconds(20)).until(() -> new JsonObject(stack.http.get("/readyz").body()).getJsonArray("reasons")
            .encode().matches(".*warming up: [1-9][0-9]* synthetic requests sent.*"));
        long start = System.nanoTime();
        TestStack.await(stack.gateway.stop());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(logs.lines()).anyMatch(line -> line.startsWith("warm-up: stopped by the shutdown after"));
        assertThat(logs.lines(Level.WARN)).isEmpty();
      } finally {
        stack.close();
      }
    }
  }

  private static long warmUpRequests(LogCapture logs) {
    for (String line : logs.lines()) {
      Matcher m = DONE.matcher(line);
      if (m.find()) return Long.parseLong(m.group(1));
    }
    throw new AssertionError("no warm-up summary in the log: " + logs.lines().stream().filter(l -> l.contains("warm-up")).toList());
  }

  private static List<String> keys(RedisAPI redis, String pattern) {
    return TestStack.await(redis.keys(pattern)).stream().map(Object::toString).toList();
  }
}
