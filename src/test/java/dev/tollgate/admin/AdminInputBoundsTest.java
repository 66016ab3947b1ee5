package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.Admin;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Admin input out of any sane range, or not even well-formed, is a 400 or 422 JSON error naming the field, never a 500. */
class AdminInputBoundsTest {
  static TestStack stack;
  static Admin admin;

  @BeforeAll
  static void start() {
    stack = TestStack.start();
    admin = new Admin(stack);
    admin.ok("POST", "/admin/teams", "{\"id\":\"bounds\"}");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  /** The error's {@code param}, after checking the status is one of {@code statuses} and the body is the JSON error. */
  private static String refusedParam(int status, String body, int... statuses) {
    assertThat(statuses).as(body).contains(status);
    JsonObject error = new JsonObject(body).getJsonObject("error");
    assertThat(error.getString("message")).isNotBlank();
    return error.getString("param");
  }

  private static String refused(HttpResponse<String> r, int... statuses) {
    return refusedParam(r.statusCode(), r.body(), statuses);
  }

  private static RawHttp.Response raw(String method, String target) throws Exception {
    try (RawHttp client = RawHttp.request(null, stack.gateway.port(), method, target, null,
        "Authorization", "Bearer " + TestStack.ADMIN_TOKEN)) {
      return client.readResponse();
    }
  }

  @Test
  void an_expiry_no_clock_can_hold_is_refused_naming_expires_at() {
    for (String t : new String[] {"+1000000000-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "+300000000-01-01T00:00:00Z"}) {
      HttpResponse<String> r = admin.call("POST", "/admin/teams/bounds/keys", "{\"name\":\"k\",\"expires_at\":\"" + t + "\"}");
      assertThat(refused(r, 400, 422)).as(t).isEqualTo("expires_at");
    }
    assertThat(admin.ok("GET", "/admin/teams/bounds/keys", null).getJsonArray("data")).isEmpty();
  }

  @Test
  void a_grace_period_too_long_for_a_clock_is_refused_naming_grace_seconds() {
    JsonObject key = admin.newKey("bounds", "{\"name\":\"grace\"}");
    for (String grace : new String[] {"9223372036854775807", "99999999999999999999", "1e30", "-1", "1.5", "\"60\""}) {
      HttpResponse<String> r = admin.call("POST", "/admin/keys/" + key.getString("id") + "/rotate", "{\"grace_seconds\":" + grace + "}");
      assertThat(refused(r, 400, 422)).as(grace).isEqualTo("grace_seconds");
    }
    assertThat(admin.ok("GET", "/admin/keys/" + key.getString("id"), null).getValue("expires_at")).isNull();
  }

  @Test
  void usage_times_no_clock_can_hold_are_refused_naming_from_or_to() {
    for (String path : new String[] {"/admin/usage", "/admin/usage.csv", "/admin/usage/records"}) {
      for (String param : new String[] {"from", "to"}) {
        for (String t : new String[] {"+300000000-01-01T00:00:00Z", "-300000000-01-01T00:00:00Z"}) {
          HttpResponse<String> r = admin.call("GET", path + "?" + param + "=" + URLEncoder.encode(t, StandardCharsets.UTF_8) + "&format=csv", null);
          assertThat(refused(r, 400, 422)).as(path + " " + param + "=" + t).isEqualTo(param);
        }
      }
    }
  }

  @Test
  void bad_percent_encoding_in_a_query_or_path_is_a_json_400() throws Exception {
    for (String target : new String[] {"/admin/usage?team=%zz", "/admin/usage.csv?group_by=model&team=%zz", "/admin/usage/records?team=%"}) {
      RawHttp.Response r = raw("GET", target);
      assertThat(refusedParam(r.status(), r.body(), 400)).as(target).isEqualTo("team");
    }
    for (String target : new String[] {"/admin/teams/%zz", "/admin/keys/%zz/rotate"}) {
      RawHttp.Response r = raw(target.endsWith("rotate") ? "POST" : "GET", target);
      assertThat(r.status()).as(target).isEqualTo(400);
      assertThat(r.header("content-type")).startsWith("application/json");
      assertThat(new JsonObject(r.body()).getJsonObject("error").getString("message")).contains("percent-encod");
    }
  }
}
