package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.support.Http;
import dev.tollgate.support.TempFiles;
import dev.tollgate.support.TestStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana board and the alert rules name only metrics the gateway exports: a gateway that served ordinary,
 * streamed, cached, refused and failed requests is scraped, and every {@code tollgate_*} name in an expression
 * must be among the series it exported.
 */
class GrafanaAndAlertsTest {
  private static final Path BOARD = Path.of("k8s/grafana/tollgate-dashboard.json");
  private static final Path ALERTS = Path.of("k8s/prometheus/tollgate-alerts.yaml");
  private static final Pattern METRIC = Pattern.compile("\\btollgate_[a-z0-9_]+");
  private static TestStack stack;
  private static Set<String> exported;

  @BeforeAll
  static void traffic() {
    stack = TestStack.start(port -> """
        server: { port: 0, instances: 1, access-log: false, upstream-timeout: 3s, retry: { max-attempts: 1 } }
        admin: { token: "${env:ADMIN_TOKEN}" }
        providers:
          up: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
        models:
          gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] }
          cached-test: { targets: [ { provider: up, model: upstream-gpt } ], cache: { ttl: 1h } }
        prices: "%s"
        teams:
          alpha: { budget: { usd: 5, period: monthly }, limits: { rpm: 6 }, keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
        """.formatted(port, prices()));
    Http http = stack.http;
    http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "plain", false));
    http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "streamed", true));
    http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("cached-test", "same", false));
    http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("cached-test", "same", false));
    http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "fails", false), "x-mock-fault", "500");
    for (int i = 0; i < 3; i++) http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "refused " + i, false));
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      String text = http.get("/metrics").body();
      return text.contains("tollgate_quota_refusals_total") && text.contains("tollgate_budget_spent_usd")
          && text.contains("tollgate_cache_saved_usd_total");
    });
    exported = exportedNames(http.get("/metrics").body());
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static String prices() {
    try {
      Path p = TempFiles.file("prices", ".yaml");
      Files.writeString(p, "models:\n  upstream-gpt: { input: 2.50, output: 10.00 }\n");
      return p.toString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Set<String> exportedNames(String scrape) {
    Set<String> names = new HashSet<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int end = line.indexOf('{');
      names.add(line.substring(0, end < 0 ? line.indexOf(' ') : end));
    }
    return names;
  }

  static Set<String> named(List<String> expressions) {
    Set<String> names = new TreeSet<>();
    for (String e : expressions) {
      Matcher m = METRIC.matcher(e);
      while (m.find()) names.add(m.group());
    }
    return names;
  }

  private static List<String> boardExpressions(JsonNode board) {
    List<String> out = new ArrayList<>();
    board.findValues("expr").forEach(e -> out.add(e.asText()));
    board.findValues("query").forEach(q -> {
      if (q.isTextual()) out.add(q.asText());
      else if (q.has("query")) out.add(q.get("query").asText());
    });
    return out;
  }

  @Test
  void every_metric_the_grafana_board_names_is_exported() throws IOException {
    JsonNode board = new ObjectMapper().readTree(BOARD.toFile());
    Set<String> names = named(boardExpressions(board));
    assertThat(names).as("the board's metrics").hasSizeGreaterThanOrEqualTo(20)
        .contains("tollgate_budget_spent_usd", "tollgate_budget_usd", "tollgate_quota_used", "tollgate_quota_limit",
            "tollgate_requests_seconds_bucket", "tollgate_time_to_first_token_seconds_bucket", "tollgate_active_streams",
            "tollgate_ledger_pending", "tollgate_ledger_dropped_total");
    assertThat(exported).containsAll(names);

    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : board.get("panels")) {
      assertThat(ids.add(panel.get("id").asInt())).as("panel ids are unique").isTrue();
      if (!panel.get("type").asText().equals("row")) assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
    }
    assertThat(board.get("uid").asText()).isEqualTo("tollgate");
  }

  @Test
  void every_metric_the_alert_rules_name_is_exported() throws IOException {
    JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile());
    List<String> expressions = new ArrayList<>();
    Set<String> alerts = new TreeSet<>();
    for (JsonNode group : rules.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        alerts.add(rule.get("alert").asText());
        expressions.add(rule.get("expr").asText());
        assertThat(rule.at("/labels/severity").asText()).as(rule.get("alert").asText()).isIn("warning", "critical");
        assertThat(rule.at("/annotations/summary").asText()).isNotBlank();
      }
    }
    assertThat(alerts).contains("TollgateBudget80Percent", "TollgateBudgetExhausted", "TollgateRefusalSpike",
        "TollgateUpstreamErrorRate", "TollgateBreakerOpen", "TollgateLedgerDroppingRecords", "TollgateLedgerBacklog");
    Set<String> names = named(expressions);
    assertThat(names).contains("tollgate_budget_spent_usd", "tollgate_quota_refusals_total", "tollgate_breaker_state",
        "tollgate_ledger_dropped_total", "tollgate_ledger_pending", "tollgate_upstream_attempts_total");
    assertThat(exported).containsAll(names);
  }

  @Test
  void the_check_catches_a_name_the_gateway_does_not_export() {
    Set<String> names = named(List.of("sum(rate(tollgate_requests_seconds_count[5m])) / sum(tollgate_no_such_metric)"));
    assertThat(names).containsExactly("tollgate_no_such_metric", "tollgate_requests_seconds_count");
    assertThat(exported).contains("tollgate_requests_seconds_count").doesNotContain("tollgate_no_such_metric");
  }
}
