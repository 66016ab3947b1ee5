package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.mock.MockProvider;
import dev.tollgate.support.GatewayProcess;
import dev.tollgate.support.Http;
import dev.tollgate.support.TestStack;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** SIGTERM: streams in flight finish within the grace, a longer one ends with an error event, the ledger is whole, exit 0. */
class DrainTest {
  @Test
  void sigterm_drains_ends_a_too_long_stream_with_an_error_event_flushes_the_ledger_and_exits_0() throws Exception {
    Vertx upstream = Vertx.vertx();
    MockProvider mock = TestStack.await(MockProvider.start(upstream, "127.0.0.1", 0));
    String store = TestStack.newSqliteStore();
    try (GatewayProcess gateway = new GatewayProcess("""
        server: { host: 127.0.0.1, port: 0, instances: 2, shutdown-grace: 2s, access-log: false }
        store: "%s"
        admin: { token: "${env:ADMIN_TOKEN}" }
        providers: { up: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] } }
        models: { gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] } }
        teams: { alpha: { keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] } }
        """.formatted(store, mock.port()))) {
      Http http = gateway.http();
      CompletableFuture<HttpResponse<String>> shortOne = stream(http, gateway.port(), "drain-short", "8");
      CompletableFuture<HttpResponse<String>> longOne = stream(http, gateway.port(), "drain-long", "100");
      await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/metrics").body().contains("tollgate_active_streams 2.0"));

      assertThat(gateway.terminate(30)).as(gateway.output()).isTrue();

      assertThat(gateway.exitValue()).as(gateway.output()).isZero();
      assertThat(shortOne.get().body()).endsWith("data: [DONE]\n\n");
      String cut = longOne.get().body();
      assertThat(cut).doesNotContain("[DONE]");
      assertThat(cut.lines().filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElseThrow()).contains("server_shutting_down");
    }
    // the ledger has both, the cut one as what it was
    try (TestStack after = TestStack.start(port -> TestStack.defaultYaml(port, null), java.time.Clock.systemUTC(), store)) {
      var admin = new dev.tollgate.support.Admin(after);
      var records = admin.ok("GET", "/admin/usage/records?team=alpha", null).getJsonArray("data");
      assertThat(records.stream().map(r -> ((io.vertx.core.json.JsonObject) r))
          .filter(r -> r.getString("request_id").startsWith("drain-")).map(r -> r.getString("request_id") + "=" + r.getString("outcome")))
          .containsExactlyInAnyOrder("drain-short=ok", "drain-long=shutdown");
    } finally {
      TestStack.await(upstream.close());
    }
  }

  private static CompletableFuture<HttpResponse<String>> stream(Http http, int port, String id, String tokens) {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + TestStack.ALPHA_KEY).header("x-request-id", id)
        .header("x-mock-tokens", tokens).header("x-mock-interval-ms", "100")
        .POST(HttpRequest.BodyPublishers.ofString(Http.chat("gpt-test", "drain " + id, true))).build();
    return http.client().sendAsync(req, HttpResponse.BodyHandlers.ofString());
  }
}
