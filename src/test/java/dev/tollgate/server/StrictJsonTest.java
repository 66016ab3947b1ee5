package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.Admin;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every JSON body the gateway reads must be exactly one JSON value, each object's keys unique: no guessing which one counts. */
class StrictJsonTest {
  static TestStack stack;
  static Admin admin;

  @BeforeAll
  static void start() {
    stack = TestStack.start();
    admin = new Admin(stack);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void client_api_bodies_with_a_duplicate_key_or_trailing_garbage_are_400_in_the_apis_shape() {
    String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    int before = stack.mock.stats().requests();
    for (String body : new String[] {
        "{\"model\":\"gpt-test\",\"model\":\"embed-test\"," + messages + "}",
        "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"a\",\"content\":\"b\"}]}",
        "{\"model\":\"gpt-test\"," + messages + "} garbage",
        "{\"model\":\"gpt-test\"," + messages + "}{}"}) {
      HttpResponse<String> r = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(new JsonObject(r.body()).getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    }
    for (String body : new String[] {
        "{\"model\":\"gpt-test\",\"max_tokens\":16,\"max_tokens\":99999," + messages + "}",
        "{\"model\":\"gpt-test\",\"max_tokens\":16," + messages + "} trailing"}) {
      HttpResponse<String> r = stack.http.post("/v1/messages", null, body, "x-api-key", TestStack.ALPHA_KEY);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      JsonObject error = new JsonObject(r.body());
      assertThat(error.getString("type")).isEqualTo("error");
      assertThat(error.getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    }
    assertThat(stack.mock.stats().requests()).isEqualTo(before);
  }

  @Test
  void admin_bodies_with_a_duplicate_key_or_trailing_garbage_are_400_and_change_nothing() {
    String before = admin.ok("GET", "/admin/teams", null).encode();
    for (String body : new String[] {"{\"id\":\"x\"} garbage", "{\"id\":\"x\",\"id\":\"y\"}", "{\"id\":\"x\"}{\"id\":\"y\"}",
        "{\"id\":\"x\",\"limits\":{\"rpm\":5,\"rpm\":500}}"}) {
      HttpResponse<String> r = admin.call("POST", "/admin/teams", body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(new JsonObject(r.body()).getJsonObject("error").getString("message")).isNotBlank();
    }
    assertThat(admin.ok("GET", "/admin/teams", null).encode()).isEqualTo(before);
  }
}
