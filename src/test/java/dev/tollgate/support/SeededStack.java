package dev.tollgate.support;

import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A gateway with two priced teams, budgets and limits — {@code alpha} (ALPHA_KEY) and {@code beta} (BETA_KEY) —
 * and known traffic sent through it, waited for until the ledger holds every record: what the team API, the
 * metrics and the dashboard tests compare against.
 */
public final class SeededStack {
  public static final int ALPHA_REQUESTS = 5;
  public static final int BETA_REQUESTS = 2;

  private SeededStack() {}

  public static String yaml(int mockPort) {
    try {
      Path prices = TempFiles.file("prices", ".yaml");
      Files.writeString(prices, """
          models:
            upstream-gpt: { input: 2.50, output: 10.00 }
            upstream-mini: { input: 0.15, output: 0.60 }
          """);
      return """
          server: { port: 0, instances: 2, access-log: false, upstream-timeout: 3s }
          admin: { token: "${env:ADMIN_TOKEN}" }
          providers:
            up: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
          models:
            gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] }
            mini-test: { targets: [ { provider: up, model: upstream-mini } ] }
          prices: "%s"
          teams:
            alpha: { budget: { usd: 1, period: monthly }, limits: { rpm: 600, tpm: 1000000, concurrent: 8 },
                     keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
            beta: { budget: { usd: 2.5, period: daily }, limits: { rpm: 300 },
                    keys: [ { name: main, secret: "${env:BETA_KEY}" } ] }
          """.formatted(mockPort, prices);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts the gateway and sends ALPHA_REQUESTS for alpha (streamed and not, two models) and BETA_REQUESTS for beta. */
  public static TestStack start() {
    TestStack stack = TestStack.start(SeededStack::yaml);
    Http http = stack.http;
    for (int i = 0; i < ALPHA_REQUESTS; i++) {
      String model = i % 2 == 0 ? "gpt-test" : "mini-test";
      ok(http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat(model, "alpha question " + i, i == 1),
          "x-mock-tokens", Integer.toString(20 + i * 7)));
    }
    for (int i = 0; i < BETA_REQUESTS; i++) {
      ok(http.post("/v1/chat/completions", TestStack.BETA_KEY, Http.chat("gpt-test", "beta question " + i, false),
          "x-mock-tokens", "40"));
    }
    Admin admin = new Admin(stack);
    await().atMost(Duration.ofSeconds(15)).until(() -> requests(admin, "alpha") == ALPHA_REQUESTS
        && requests(admin, "beta") == BETA_REQUESTS);
    return stack;
  }

  private static long requests(Admin admin, String team) {
    JsonObject total = admin.ok("GET", "/admin/usage?group_by=team&team=" + team, null).getJsonObject("total");
    return total.getLong("requests");
  }

  private static void ok(java.net.http.HttpResponse<String> r) {
    if (r.statusCode() != 200) throw new AssertionError("seed request failed: " + r.statusCode() + " " + r.body());
  }
}
