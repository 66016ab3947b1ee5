package dev.tollgate.conformance;

import dev.tollgate.support.Admin;
import dev.tollgate.support.TempFiles;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The gateway the SDK conformance suites call: in front of the fake provider as an OpenAI-compatible API
 * ({@code gpt-test}, {@code embed-test}) and as Anthropic's API ({@code claude-test}), plus a provider that is
 * down ({@code down-test}), and {@code claude-cached} with the response cache on. One attempt per request (the
 * SDKs' own retries are under test), a 1 s first-byte timeout and a 64 KiB body limit, so each error status is
 * quick to provoke; keepalives every 200 ms while a stream waits for its first event. Teams: alpha (no limits), beta
 * (embed-test only), one concurrent request ({@link #singleKey}), a spent budget ({@link #brokeKey}).
 */
final class ConformanceStack {
  /** Claude-like prices: input 3, cache reads 0.30, cache writes 3.75, output 15 USD per 1M tokens. */
  static final String PRICES = """
      models:
        upstream-gpt: { input: 0.50, output: 1.50 }
        upstream-claude: { input: 3, cached-input: 0.30, cache-write: 3.75, output: 15 }
      """;

  final TestStack stack;
  final Admin admin;
  final String singleKey;
  final String brokeKey;

  private ConformanceStack(TestStack stack) {
    this.stack = stack;
    this.admin = new Admin(stack);
    admin.ok("POST", "/admin/teams", "{\"id\":\"single\",\"limits\":{\"concurrent\":1}}");
    this.singleKey = admin.newKey("single", null).getString("secret");
    admin.ok("POST", "/admin/teams", "{\"id\":\"broke\",\"budget\":{\"usd\":0.000001,\"period\":\"monthly\"}}");
    this.brokeKey = admin.newKey("broke", null).getString("secret");
  }

  static ConformanceStack start() {
    Path prices;
    try {
      prices = TempFiles.file("prices", ".yaml");
      Files.writeString(prices, PRICES);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return new ConformanceStack(TestStack.start(port -> """
        server: { port: 0, instances: 2, shutdown-grace: 5s, upstream-timeout: 5s, first-byte-timeout: 1s, max-body-bytes: 65536,
                  sse-keepalive: 200ms, retry: { max-attempts: 1 } }
        admin: { token: "${env:ADMIN_TOKEN}" }
        prices: "%s"
        providers:
          up: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
          claude: { type: anthropic, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
          down: { type: openai, base-url: "http://127.0.0.1:1/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
        models:
          gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] }
          embed-test: { targets: [ { provider: up, model: upstream-embed } ] }
          claude-test: { targets: [ { provider: claude, model: upstream-claude } ] }
          claude-cached: { targets: [ { provider: claude, model: upstream-claude } ], cache: { ttl: 1h } }
          down-test: { targets: [ { provider: down, model: nothing } ] }
        teams:
          alpha: { keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
          beta: { models: [ embed-test ], keys: [ { name: main, secret: "${env:BETA_KEY}" } ] }
        """.formatted(prices, port, port)));
  }

  String baseUrl() {
    return stack.baseUrl();
  }

  /** The ledger's record of one request, once written. */
  JsonObject record(String team, String requestId) {
    JsonObject[] found = new JsonObject[1];
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
      var data = admin.ok("GET", "/admin/usage/records?team=" + team + "&request_id=" + requestId, null).getJsonArray("data");
      found[0] = data.isEmpty() ? null : data.getJsonObject(0);
      return found[0] != null;
    });
    return found[0];
  }

  /** How many requests the gateway answered with this status (its request counter, all models). */
  double answered(int status) {
    return stack.http.get("/metrics").body().lines()
        .filter(l -> l.startsWith("tollgate_requests_seconds_count{") && l.contains("status=\"" + status + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  void close() {
    stack.close();
  }
}
