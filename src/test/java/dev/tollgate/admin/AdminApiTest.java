package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.Admin;
import dev.tollgate.support.Http;
import dev.tollgate.support.MutableClock;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every admin endpoint and its error cases, and keys created through it working on the client API. */
class AdminApiTest {
  static final Instant START = Instant.parse("2026-11-29T12:00:00Z");
  static MutableClock clock = new MutableClock(START);
  static TestStack stack;
  static Admin admin;

  @BeforeAll
  static void start() {
    stack = TestStack.start(port -> TestStack.defaultYaml(port, null), clock);
    admin = new Admin(stack);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static HttpResponse<String> chatWith(String key) {
    return stack.http.post("/v1/chat/completions", key, Http.chat("gpt-test", "hi", false));
  }

  static void assertError(HttpResponse<String> r, int status, String messagePart) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertThat(error.getString("message")).contains(messagePart);
  }

  @Test
  void requires_the_admin_token() {
    assertError(admin.callWith(null, "GET", "/admin/teams", null), 401, "admin token");
    assertError(admin.callWith("wrong-token", "GET", "/admin/teams", null), 401, "admin token");
    assertError(admin.callWith(TestStack.ALPHA_KEY, "POST", "/admin/teams", "{\"id\":\"x\"}"), 401, "admin token");
  }

  @Test
  void creates_reads_lists_updates_and_deletes_a_team() {
    JsonObject created = admin.ok("POST", "/admin/teams", """
        {"id":"crud","name":"CRUD team","budget":{"usd":25.5,"period":"weekly"},
         "limits":{"rpm":100,"tpm":50000,"concurrent":3},"models":["gpt-test"],"metadata":{"owner":"ops"}}""");
    assertThat(created.getString("id")).isEqualTo("crud");
    assertThat(created.getJsonObject("budget")).isEqualTo(new JsonObject().put("usd", 25.5).put("period", "weekly"));
    assertThat(created.getJsonObject("limits").getLong("concurrent")).isEqualTo(3);
    assertThat(created.getString("source")).isEqualTo("api");

    assertThat(admin.ok("GET", "/admin/teams/crud", null)).isEqualTo(created);
    JsonArray all = admin.ok("GET", "/admin/teams", null).getJsonArray("data");
    assertThat(all.stream().map(t -> ((JsonObject) t).getString("id"))).contains("crud", "alpha", "beta");

    JsonObject patched = admin.ok("PATCH", "/admin/teams/crud", "{\"limits\":{\"rpm\":5,\"tpm\":null},\"budget\":null}");
    assertThat(patched.getJsonObject("limits")).isEqualTo(new JsonObject().put("rpm", 5).putNull("tpm").put("concurrent", 3));
    assertThat(patched.getValue("budget")).isNull();
    assertThat(patched.getString("name")).isEqualTo("CRUD team");

    assertThat(admin.call("DELETE", "/admin/teams/crud", null).statusCode()).isEqualTo(204);
    assertError(admin.call("GET", "/admin/teams/crud", null), 404, "No team with id 'crud'");
    assertError(admin.call("DELETE", "/admin/teams/crud", null), 404, "No team");
  }

  @Test
  void refuses_bad_team_input_and_writes_nothing() {
    String before = admin.ok("GET", "/admin/teams", null).encode();

    assertError(admin.call("POST", "/admin/teams", "{not json"), 400, "not valid JSON");
    assertError(admin.call("POST", "/admin/teams", "[1]"), 422, "must be a JSON object");
    assertError(admin.call("POST", "/admin/teams", "{\"name\":\"no id\"}"), 422, "'id' is required");
    assertError(admin.call("POST", "/admin/teams", "{\"id\":\"Bad Id!\"}"), 422, "'id' must be");
    assertError(admin.call("POST", "/admin/teams", "{\"id\":\"t1\",\"colour\":\"red\"}"), 422, "unknown field 'colour'");
    assertError(admin.call("POST", "/admin/teams", "{\"id\":\"t1\",\"limits\":{\"rpm\":-1}}"), 422, "'limits.rpm' must be a positive");
    assertError(admin.call("POST", "/admin/teams", "{\"id\":\"t1\",\"limits\":{\"rpm\":\"fast\"}}"), 422, "'limits.rpm'");
    assertError(admin.call("POST", "/admin/teams", "{\"id\":\"t1\",\"budget\":{\"usd\":-3}}"), 422, "must not be negative");
    assertError(admin.call("POST", "/admin/teams", "{\"id\":\"t1\",\"budget\":{\"usd\":1,\"period\":\"hourly\"}}"), 422, "daily, weekly or monthly");
    assertError(admin.call("POST", "/admin/teams", "{\"id\":\"t1\",\"budget\":5}"), 422, "'budget' must be an object");
    assertError(admin.call("POST", "/admin/teams", "{\"id\":\"t1\",\"models\":[\"gpt-9\"]}"), 422, "'gpt-9' is not a model");
    assertError(admin.call("POST", "/admin/teams", "{\"id\":\"t1\",\"metadata\":{\"a\":1}}"), 422, "metadata values must be strings");
    assertError(admin.call("POST", "/admin/teams", "{\"id\":\"alpha\"}"), 409, "already exists");
    assertError(admin.call("PATCH", "/admin/teams/ghost", "{\"name\":\"x\"}"), 404, "No team with id 'ghost'");
    assertError(admin.call("PATCH", "/admin/teams/alpha", "{\"id\":\"renamed\"}"), 422, "unknown field 'id'");
    assertError(admin.call("PATCH", "/admin/teams/alpha", "{\"name\":\"ok\",\"limits\":{\"tpm\":0}}"), 422, "'limits.tpm'");

    assertThat(admin.ok("GET", "/admin/teams", null).encode()).isEqualTo(before);
  }

  @Test
  void a_key_created_through_the_api_works_at_once_and_its_secret_is_shown_once() {
    admin.ok("POST", "/admin/teams", "{\"id\":\"fresh\"}");
    JsonObject key = admin.newKey("fresh", "{\"name\":\"ci\"}");
    String secret = key.getString("secret");

    assertThat(secret).startsWith("tg-").hasSizeGreaterThanOrEqualTo(3 + 43);
    assertThat(key.getString("prefix")).isEqualTo(secret.substring(0, 7) + "…");
    assertThat(chatWith(secret).statusCode()).isEqualTo(200);

    JsonArray listed = admin.ok("GET", "/admin/teams/fresh/keys", null).getJsonArray("data");
    assertThat(listed).hasSize(1);
    assertThat(listed.getJsonObject(0).containsKey("secret")).isFalse();
    assertThat(listed.encode()).doesNotContain(secret);
    assertThat(admin.ok("GET", "/admin/keys/" + key.getString("id"), null).containsKey("secret")).isFalse();
  }

  @Test
  void refuses_bad_key_input() {
    admin.ok("POST", "/admin/teams", "{\"id\":\"strict\",\"limits\":{\"rpm\":10},\"models\":[\"gpt-test\"]}");

    assertError(admin.call("POST", "/admin/teams/ghost/keys", "{\"name\":\"k\"}"), 404, "No team with id 'ghost'");
    assertError(admin.call("POST", "/admin/teams/strict/keys", "{}"), 422, "'name' is required");
    assertError(admin.call("POST", "/admin/teams/strict/keys", "{\"name\":\"k\",\"limits\":{\"rpm\":11}}"), 422, "looser");
    assertError(admin.call("POST", "/admin/teams/strict/keys", "{\"name\":\"k\",\"models\":[\"embed-test\"]}"), 422,
        "not among the team's models");
    assertError(admin.call("POST", "/admin/teams/strict/keys", "{\"name\":\"k\",\"expires_at\":\"2020-01-01T00:00:00Z\"}"), 422,
        "must be in the future");
    assertError(admin.call("POST", "/admin/teams/strict/keys", "{\"name\":\"k\",\"expires_at\":\"tomorrow\"}"), 422, "ISO-8601");
    assertError(admin.call("POST", "/admin/keys/key_nope/revoke", null), 404, "No key with id 'key_nope'");
    assertError(admin.call("POST", "/admin/keys/key_nope/rotate", null), 404, "No key");
    assertError(admin.call("GET", "/admin/teams/ghost/keys", null), 404, "No team");

    assertThat(admin.ok("GET", "/admin/teams/strict/keys", null).getJsonArray("data")).isEmpty();
    assertThat(admin.ok("POST", "/admin/teams/strict/keys", "{\"name\":\"k\",\"limits\":{\"rpm\":5}}").getString("secret")).isNotNull();
  }

  @Test
  void a_revoked_key_is_refused_within_a_second() {
    admin.ok("POST", "/admin/teams", "{\"id\":\"revokers\"}");
    JsonObject key = admin.newKey("revokers", null);
    assertThat(chatWith(key.getString("secret")).statusCode()).isEqualTo(200);

    long start = System.nanoTime();
    JsonObject revoked = admin.ok("POST", "/admin/keys/" + key.getString("id") + "/revoke", null);
    assertThat(revoked.getString("status")).isEqualTo("revoked");
    assertThat(chatWith(key.getString("secret")).statusCode()).isEqualTo(401);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void an_expired_key_is_refused() {
    admin.ok("POST", "/admin/teams", "{\"id\":\"expiring\"}");
    JsonObject key = admin.newKey("expiring", "{\"name\":\"short\",\"expires_at\":\"" + clock.instant().plus(Duration.ofHours(1)) + "\"}");
    assertThat(chatWith(key.getString("secret")).statusCode()).isEqualTo(200);

    clock.advance(Duration.ofHours(2));
    assertThat(chatWith(key.getString("secret")).statusCode()).isEqualTo(401);
    assertThat(admin.ok("GET", "/admin/keys/" + key.getString("id"), null).getString("status")).isEqualTo("expired");
  }

  @Test
  void a_rotated_keys_old_secret_works_during_the_grace_period_and_not_after() {
    admin.ok("POST", "/admin/teams", "{\"id\":\"rotators\"}");
    JsonObject old = admin.newKey("rotators", null);

    JsonObject rotated = admin.ok("POST", "/admin/keys/" + old.getString("id") + "/rotate", null);
    assertThat(rotated.getString("replaces")).isEqualTo(old.getString("id"));
    assertThat(Instant.parse(rotated.getString("replaced_key_expires_at"))).isEqualTo(clock.instant().plus(Duration.ofHours(24)));
    assertThat(chatWith(old.getString("secret")).statusCode()).isEqualTo(200);
    assertThat(chatWith(rotated.getString("secret")).statusCode()).isEqualTo(200);

    clock.advance(Duration.ofHours(23));
    assertThat(chatWith(old.getString("secret")).statusCode()).isEqualTo(200);
    clock.advance(Duration.ofHours(2));
    assertThat(chatWith(old.getString("secret")).statusCode()).isEqualTo(401);
    assertThat(chatWith(rotated.getString("secret")).statusCode()).isEqualTo(200);

    JsonObject quick = admin.ok("POST", "/admin/keys/" + rotated.getString("id") + "/rotate", "{\"grace_seconds\":0}");
    assertThat(chatWith(rotated.getString("secret")).statusCode()).isEqualTo(401);
    assertThat(chatWith(quick.getString("secret")).statusCode()).isEqualTo(200);
    assertError(admin.call("POST", "/admin/keys/" + quick.getString("id") + "/rotate", "{\"grace_seconds\":-1}"), 422, "grace_seconds");
  }

  @Test
  void a_rotated_key_keeps_its_expiry() {
    admin.ok("POST", "/admin/teams", "{\"id\":\"keepers\"}");
    Instant expires = clock.instant().plus(Duration.ofDays(30));
    JsonObject old = admin.newKey("keepers", "{\"name\":\"k\",\"expires_at\":\"" + expires + "\"}");

    JsonObject rotated = admin.ok("POST", "/admin/keys/" + old.getString("id") + "/rotate", null);
    assertThat(rotated.getString("expires_at")).isEqualTo(expires.toString());
    assertThat(admin.ok("GET", "/admin/keys/" + rotated.getString("id"), null).getString("expires_at")).isEqualTo(expires.toString());
    assertThat(chatWith(rotated.getString("secret")).statusCode()).isEqualTo(200);

    clock.advance(Duration.ofDays(31));
    assertThat(chatWith(rotated.getString("secret")).statusCode()).isEqualTo(401);
  }

  @Test
  void an_expired_or_revoked_key_cannot_be_rotated() {
    admin.ok("POST", "/admin/teams", "{\"id\":\"lapsed\"}");
    JsonObject expired = admin.newKey("lapsed", "{\"name\":\"short\",\"expires_at\":\"" + clock.instant().plus(Duration.ofMinutes(5)) + "\"}");
    JsonObject revoked = admin.newKey("lapsed", "{\"name\":\"gone\"}");
    admin.ok("POST", "/admin/keys/" + revoked.getString("id") + "/revoke", null);
    clock.advance(Duration.ofMinutes(10));

    HttpResponse<String> r = admin.call("POST", "/admin/keys/" + expired.getString("id") + "/rotate", null);
    assertError(r, 409, "expired");
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("param")).isEqualTo("id");
    assertError(admin.call("POST", "/admin/keys/" + revoked.getString("id") + "/rotate", "{\"grace_seconds\":60}"), 409, "revoked");
    assertThat(admin.ok("GET", "/admin/teams/lapsed/keys", null).getJsonArray("data")).hasSize(2);
  }
}
