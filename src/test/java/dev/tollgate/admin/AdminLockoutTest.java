package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.tollgate.support.Admin;
import dev.tollgate.support.LogCapture;
import dev.tollgate.support.MutableClock;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Guessing the admin token: an address that keeps failing is locked out for a while, loudly; other addresses are not. */
class AdminLockoutTest {

  private static RawHttp.Response from(String address, TestStack stack, String token) throws Exception {
    try (RawHttp client = RawHttp.request(address, stack.gateway.port(), "GET", "/admin/teams", null, "Authorization", "Bearer " + token)) {
      return client.readResponse();
    }
  }

  @Test
  void ten_wrong_tokens_in_a_minute_lock_that_address_out_for_a_minute() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
    try (TestStack stack = TestStack.start(port -> TestStack.defaultYaml(port, null), clock); LogCapture logs = new LogCapture()) {
      for (int i = 0; i < 10; i++) {
        assertThat(from("127.0.0.3", stack, "guess-" + i).status()).isEqualTo(401);
      }

      RawHttp.Response locked = from("127.0.0.3", stack, "guess-10");
      assertThat(locked.status()).isEqualTo(429);
      assertThat(Long.parseLong(locked.header("retry-after"))).isBetween(1L, 60L);
      assertThat(new JsonObject(locked.body()).getJsonObject("error").getString("message")).contains("Too many failed");
      assertThat(from("127.0.0.3", stack, TestStack.ADMIN_TOKEN).status()).as("the right token, from the locked address").isEqualTo(429);
      assertThat(from("127.0.0.4", stack, TestStack.ADMIN_TOKEN).status()).as("another address").isEqualTo(200);

      assertThat(logs.lines(Level.WARN)).filteredOn(l -> l.contains("admin")).hasSize(1).allMatch(l -> l.contains("127.0.0.3"));
      assertThat(logs.lines()).noneMatch(l -> l.contains("guess-") || l.contains(TestStack.ADMIN_TOKEN));
      assertThat(stack.http.get("/metrics").body()).contains("tollgate_admin_auth_failures_total 10.0");

      clock.advance(Duration.ofSeconds(61));
      assertThat(from("127.0.0.3", stack, TestStack.ADMIN_TOKEN).status()).isEqualTo(200);
    }
  }

  @Test
  void failures_spread_over_more_than_a_minute_lock_nothing_and_a_success_does_not_reset_the_count() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
    try (TestStack stack = TestStack.start(port -> TestStack.defaultYaml(port, null), clock)) {
      Admin admin = new Admin(stack);
      for (int i = 0; i < 30; i++) {
        HttpResponse<String> r = admin.callWith("slow-guess-" + i, "GET", "/admin/teams", null);
        assertThat(r.statusCode()).as("guess " + i).isEqualTo(401);
        clock.advance(Duration.ofSeconds(10));
      }
      clock.advance(Duration.ofMinutes(2));
      for (int i = 0; i < 10; i++) {
        assertThat(admin.call("GET", "/admin/teams", null).statusCode()).isEqualTo(200);
        assertThat(admin.callWith("fast-guess-" + i, "GET", "/admin/teams", null).statusCode()).isEqualTo(401);
      }
      assertThat(admin.call("GET", "/admin/teams", null).statusCode()).isEqualTo(429);
    }
  }
}
