package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.tollgate.support.Admin;
import dev.tollgate.support.Http;
import dev.tollgate.support.Scrape;
import dev.tollgate.support.SeededStack;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** After known traffic, what Prometheus scrapes equals what the ledger and the quota backend say. */
class BudgetMetricsTest {
  private static final double CENT_FRACTION = 1e-9;
  private static TestStack stack;
  private static Admin admin;

  @BeforeAll
  static void seed() {
    stack = SeededStack.start();
    admin = new Admin(stack);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static Scrape scrape() {
    return new Scrape(stack.http.get("/metrics").body());
  }

  private static JsonObject ledgerTotal(String team, String from) {
    return admin.ok("GET", "/admin/usage?group_by=team&team=" + team + "&from=" + from, null).getJsonObject("total");
  }

  private static double usd(JsonObject o, String field) {
    return Double.parseDouble(o.getValue(field).toString());
  }

  @Test
  void cost_tokens_and_budget_series_equal_the_ledger() {
    String monthStart = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).toString();
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    JsonObject alpha = ledgerTotal("alpha", monthStart);
    JsonObject beta = ledgerTotal("beta", today);
    assertThat(alpha.getLong("requests")).isEqualTo(SeededStack.ALPHA_REQUESTS);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Scrape s = scrape();
      assertThat(s.sum("tollgate_cost_usd_total", "team=\"alpha\"")).isCloseTo(usd(alpha, "cost_usd"), within(CENT_FRACTION));
      assertThat(s.sum("tollgate_tokens_total", "team=\"alpha\"", "kind=\"prompt\"")).isEqualTo(alpha.getLong("prompt_tokens").doubleValue());
      assertThat(s.sum("tollgate_tokens_total", "team=\"alpha\"", "kind=\"completion\""))
          .isEqualTo(alpha.getLong("completion_tokens").doubleValue());
      assertThat(s.value("tollgate_budget_usd{team=\"alpha\"}")).isEqualTo(1.0);
      assertThat(s.value("tollgate_budget_spent_usd{team=\"alpha\"}")).isCloseTo(usd(alpha, "cost_usd"), within(CENT_FRACTION));
      assertThat(s.value("tollgate_budget_remaining_usd{team=\"alpha\"}")).isCloseTo(1.0 - usd(alpha, "cost_usd"), within(CENT_FRACTION));
      assertThat(s.value("tollgate_budget_reserved_usd{team=\"alpha\"}")).isZero();
      assertThat(s.value("tollgate_budget_usd{team=\"beta\"}")).isEqualTo(2.5);
      assertThat(s.value("tollgate_budget_spent_usd{team=\"beta\"}")).isCloseTo(usd(beta, "cost_usd"), within(CENT_FRACTION));
      assertThat(s.sum("tollgate_cost_usd_total", "team=\"beta\"")).isCloseTo(usd(beta, "cost_usd"), within(CENT_FRACTION));
    });
  }

  @Test
  void quota_use_series_equal_the_quota_status() {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonObject limits = admin.ok("GET", "/admin/teams/alpha/quota", null).getJsonObject("team_limits");
      Scrape s = scrape();
      assertThat(s.value("tollgate_quota_limit{limit=\"rpm\",team=\"alpha\"}")).isEqualTo(600.0);
      assertThat(s.value("tollgate_quota_limit{limit=\"tpm\",team=\"alpha\"}")).isEqualTo(1_000_000.0);
      assertThat(s.value("tollgate_quota_limit{limit=\"concurrent\",team=\"alpha\"}")).isEqualTo(8.0);
      assertThat(s.value("tollgate_quota_limit{limit=\"tpm\",team=\"beta\"}")).as("beta has no TPM limit").isNull();
      assertThat(s.value("tollgate_quota_used{limit=\"rpm\",team=\"alpha\"}"))
          .isEqualTo(limits.getJsonObject("requests_per_minute").getLong("used").doubleValue());
      assertThat(s.value("tollgate_quota_used{limit=\"tpm\",team=\"alpha\"}"))
          .isEqualTo(limits.getJsonObject("tokens_per_minute").getLong("used").doubleValue());
      assertThat(s.value("tollgate_quota_used{limit=\"concurrent\",team=\"alpha\"}")).isZero();
    });
  }

  @Test
  void latency_and_time_to_first_token_are_histograms_with_fixed_buckets() {
    Scrape s = scrape();
    assertThat(s.value("tollgate_requests_seconds_bucket{endpoint=\"chat_completions\",model=\"gpt-test\",status=\"200\",le=\"+Inf\"}"))
        .isEqualTo(s.value("tollgate_requests_seconds_count{endpoint=\"chat_completions\",model=\"gpt-test\",status=\"200\"}"));
    assertThat(s.value("tollgate_requests_seconds_bucket{endpoint=\"chat_completions\",model=\"gpt-test\",status=\"200\",le=\"0.25\"}"))
        .isNotNull();
    assertThat(s.value("tollgate_time_to_first_token_seconds_bucket{model=\"mini-test\",le=\"+Inf\"}")).isEqualTo(1.0);
    assertThat(s.value("tollgate_upstream_latency_seconds_bucket{model=\"gpt-test\",provider=\"up\",le=\"1.0\"}")).isNotNull();
    assertThat(s.any(k -> k.startsWith("tollgate_") && k.contains("quantile="))).as("no client-side percentiles").isFalse();
  }

  @Test
  void series_name_teams_and_models_never_keys_and_a_deleted_team_loses_its_series() {
    admin.ok("POST", "/admin/teams", "{\"id\":\"doomed\",\"budget\":{\"usd\":3,\"period\":\"weekly\"},\"limits\":{\"rpm\":1}}");
    JsonObject key = admin.newKey("doomed", null);
    String secret = key.getString("secret");
    assertThat(stack.http.post("/v1/chat/completions", secret, Http.chat("gpt-test", "last words", false)).statusCode()).isEqualTo(200);
    assertThat(stack.http.post("/v1/chat/completions", secret, Http.chat("gpt-test", "more", false)).statusCode()).isEqualTo(429);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      Scrape s = scrape();
      return s.value("tollgate_budget_usd{team=\"doomed\"}") != null
          && s.value("tollgate_quota_refusals_total{reason=\"rpm\",team=\"doomed\"}") != null
          && s.sum("tollgate_cost_usd_total", "team=\"doomed\"") > 0;
    });
    String text = stack.http.get("/metrics").body();
    assertThat(text).doesNotContain(key.getString("id")).doesNotContain("cfg-alpha-main").doesNotContain(key.getString("prefix"))
        .doesNotContain(secret);
    assertThat(new JsonObject(stack.http.get("/team/quota", "authorization", "Bearer " + secret).body())
        .getJsonObject("refusals").getLong("rpm")).isEqualTo(1);

    admin.ok("DELETE", "/admin/teams/doomed", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> !scrape().any(k -> k.contains("team=\"doomed\"")));
    assertThat(scrape().value("tollgate_budget_usd{team=\"alpha\"}")).isEqualTo(1.0);
  }
}
