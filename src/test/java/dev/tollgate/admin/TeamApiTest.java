package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.Admin;
import dev.tollgate.support.SeededStack;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Team self-service: a team key reads its own usage, quota and keys, and nothing of another team. */
class TeamApiTest {
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

  private static HttpResponse<String> team(String key, String path) {
    return key == null ? stack.http.get(path) : stack.http.get(path, "authorization", "Bearer " + key);
  }

  private static JsonObject teamOk(String key, String path) {
    HttpResponse<String> r = team(key, path);
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  @Test
  void team_usage_equals_admin_usage_for_that_team_for_every_grouping() {
    String from = LocalDate.now(ZoneOffset.UTC).minusDays(30).toString();
    String to = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
    for (String group : new String[] {"day", "hour", "model", "key", "team"}) {
      String query = "?group_by=" + group + "&from=" + from + "&to=" + to;
      JsonObject own = teamOk(TestStack.ALPHA_KEY, "/team/usage" + query);
      JsonObject asAdmin = admin.ok("GET", "/admin/usage" + query + "&team=alpha", null);
      assertThat(own).as(group).isEqualTo(asAdmin);
    }
    JsonObject total = teamOk(TestStack.ALPHA_KEY, "/team/usage?from=" + from + "&to=" + to).getJsonObject("total");
    assertThat(total.getLong("requests")).isEqualTo(SeededStack.ALPHA_REQUESTS);
    assertThat(new BigDecimal(total.getValue("cost_usd").toString())).isPositive();
    assertThat(teamOk(TestStack.BETA_KEY, "/team/usage?from=" + from + "&to=" + to).getJsonObject("total").getLong("requests"))
        .isEqualTo(SeededStack.BETA_REQUESTS);
    String csv = team(TestStack.ALPHA_KEY, "/team/usage.csv?group_by=model&from=" + from + "&to=" + to).body();
    assertThat(csv).isEqualTo(admin.call("GET", "/admin/usage.csv?group_by=model&team=alpha&from=" + from + "&to=" + to, null).body());
  }

  @Test
  void a_team_key_naming_another_team_is_refused_and_never_reads_it() {
    HttpResponse<String> other = team(TestStack.ALPHA_KEY, "/team/usage?team=beta");
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(other.body()).getJsonObject("error").getString("code")).isEqualTo("team_not_allowed");
    assertThat(team(TestStack.ALPHA_KEY, "/team/usage/records?team=beta").statusCode()).isEqualTo(403);
    assertThat(team(TestStack.ALPHA_KEY, "/team/usage?team=alpha&team=beta").statusCode()).isEqualTo(403);
    assertThat(team(TestStack.ALPHA_KEY, "/team/usage?team=alpha").statusCode()).isEqualTo(200);

    JsonObject byTeam = teamOk(TestStack.ALPHA_KEY, "/team/usage?group_by=team");
    assertThat(byTeam.getJsonArray("data")).hasSize(1);
    assertThat(byTeam.getJsonArray("data").getJsonObject(0).getString("team")).isEqualTo("alpha");
    JsonArray records = teamOk(TestStack.ALPHA_KEY, "/team/usage/records?limit=100").getJsonArray("data");
    assertThat(records).hasSize(SeededStack.ALPHA_REQUESTS);
    for (int i = 0; i < records.size(); i++) assertThat(records.getJsonObject(i).getString("team")).isEqualTo("alpha");

    // a key id of another team as a filter finds nothing
    String betaKey = admin.ok("GET", "/admin/teams/beta/keys", null).getJsonArray("data").getJsonObject(0).getString("id");
    assertThat(teamOk(TestStack.ALPHA_KEY, "/team/usage?key=" + betaKey).getJsonObject("total").getLong("requests")).isZero();
  }

  @Test
  void team_quota_shows_the_budget_remaining_after_the_traffic_and_the_limits() {
    JsonObject quota = teamOk(TestStack.ALPHA_KEY, "/team/quota");
    assertThat(quota.getString("team")).isEqualTo("alpha");
    JsonObject budget = quota.getJsonObject("budget");
    BigDecimal spent = new BigDecimal(admin.ok("GET", "/admin/usage?group_by=team&team=alpha&from="
        + LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1), null).getJsonObject("total").getValue("cost_usd").toString());
    assertThat(new BigDecimal(budget.getValue("spent_usd").toString())).isEqualByComparingTo(spent);
    assertThat(new BigDecimal(budget.getValue("remaining_usd").toString())).isEqualByComparingTo(BigDecimal.ONE.subtract(spent));
    assertThat(budget.getString("period")).isEqualTo("monthly");
    assertThat(budget.getString("resets_at")).isEqualTo(LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).plusMonths(1) + "T00:00:00Z");
    JsonObject limits = quota.getJsonObject("team_limits");
    assertThat(limits.getJsonObject("requests_per_minute").getLong("limit")).isEqualTo(600);
    assertThat(limits.getJsonObject("requests_per_minute").getLong("used")).isGreaterThanOrEqualTo(SeededStack.ALPHA_REQUESTS);
    assertThat(limits.getJsonObject("tokens_per_minute").getLong("limit")).isEqualTo(1_000_000);
    assertThat(limits.getJsonObject("concurrent").getLong("limit")).isEqualTo(8);
    assertThat(quota.getJsonObject("key_limits")).isNotNull();
    assertThat(quota.getJsonObject("budget"))
        .isEqualTo(new JsonObject(team(TestStack.ALPHA_KEY, "/tollgate/quota").body()).getJsonObject("budget"));

    JsonObject beta = teamOk(TestStack.BETA_KEY, "/team/quota");
    assertThat(beta.getString("team")).isEqualTo("beta");
    assertThat(beta.encode()).doesNotContain("alpha");
  }

  @Test
  void team_keys_list_prefixes_and_dates_never_secrets_or_hashes() {
    JsonObject keys = teamOk(TestStack.ALPHA_KEY, "/team/keys");
    assertThat(keys.getJsonArray("data")).hasSize(1);
    JsonObject key = keys.getJsonArray("data").getJsonObject(0);
    assertThat(key.getString("team_id")).isEqualTo("alpha");
    assertThat(TestStack.ALPHA_KEY).startsWith(key.getString("prefix").replace("…", ""));
    assertThat(key.getString("created_at")).isNotNull();
    assertThat(key.fieldNames()).contains("last_used_at", "expires_at").doesNotContain("secret", "hash");
    assertThat(keys.encode()).doesNotContain(TestStack.ALPHA_KEY).doesNotContain(dev.tollgate.auth.KeyHash.sha256Hex(TestStack.ALPHA_KEY));
    JsonObject me = teamOk(TestStack.ALPHA_KEY, "/team");
    assertThat(me.getString("id")).isEqualTo("alpha");
    assertThat(me.getString("key_prefix")).isEqualTo(key.getString("prefix"));
  }

  @Test
  void the_team_api_wants_a_valid_team_key_and_not_the_admin_token() {
    for (String path : new String[] {"/team/usage", "/team/quota", "/team/keys", "/team/usage/records", "/team"}) {
      assertThat(team(null, path).statusCode()).as(path).isEqualTo(401);
      assertThat(team(TestStack.ADMIN_TOKEN, path).statusCode()).as(path).isEqualTo(401);
      assertThat(team("tg-not-a-key-0123456789abcdefghijklmnopq", path).statusCode()).as(path).isEqualTo(401);
    }
    assertThat(admin.callWith(TestStack.ALPHA_KEY, "GET", "/admin/usage", null).statusCode()).isEqualTo(401);
  }
}
