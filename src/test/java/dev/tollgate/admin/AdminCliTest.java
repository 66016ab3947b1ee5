package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.Http;
import dev.tollgate.support.MutableClock;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tollgate admin …} drives the admin API end to end. */
class AdminCliTest {

  static String run(TestStack stack, String... args) {
    return run(stack, 0, args);
  }

  /** Runs a command that should exit with {@code exitCode}; what it printed (standard output and error). */
  static String run(TestStack stack, int exitCode, String... args) {
    PrintStream original = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true));
    System.setErr(new PrintStream(out, true));
    try {
      int code = AdminCli.run(List.of(args), Map.of("TOLLGATE_URL", stack.baseUrl(), "TOLLGATE_ADMIN_TOKEN", TestStack.ADMIN_TOKEN));
      assertThat(code).as(String.join(" ", args) + ": " + out).isEqualTo(exitCode);
    } finally {
      System.setOut(original);
      System.setErr(originalErr);
    }
    return out.toString().trim();
  }

  @Test
  void creates_a_team_and_a_key_that_works_then_revokes_it() {
    try (TestStack stack = TestStack.start()) {
      JsonObject team = new JsonObject(run(stack, "teams", "create", "cli-team", "{\"limits\":{\"rpm\":10}}"));
      assertThat(team.getJsonObject("limits").getLong("rpm")).isEqualTo(10);
      JsonObject key = new JsonObject(run(stack, "keys", "create", "cli-team", "laptop"));
      String secret = key.getString("secret");
      assertThat(stack.http.post("/v1/chat/completions", secret, Http.chat("gpt-test", "hi", false)).statusCode()).isEqualTo(200);
      assertThat(run(stack, "teams", "list")).contains("\"cli-team\"");
      assertThat(run(stack, "keys", "list", "cli-team")).contains(key.getString("id")).doesNotContain(secret);

      run(stack, "keys", "revoke", key.getString("id"));
      assertThat(stack.http.post("/v1/chat/completions", secret, Http.chat("gpt-test", "hi", false)).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void refuses_without_a_token_or_with_an_unknown_command() {
    assertThat(AdminCli.run(List.of("teams", "list"), Map.of())).isEqualTo(2);
    assertThat(AdminCli.run(List.of("teams", "frobnicate"), Map.of("TOLLGATE_ADMIN_TOKEN", "x"))).isEqualTo(2);
  }

  @Test
  void keys_rotate_keeps_the_expiry_and_refuses_an_expired_key() {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
    try (TestStack stack = TestStack.start(port -> TestStack.defaultYaml(port, null), clock)) {
      run(stack, "teams", "create", "cli-rot");
      Instant expires = clock.instant().plus(Duration.ofDays(7));
      JsonObject key = new JsonObject(run(stack, "keys", "create", "cli-rot", "ci", "{\"expires_at\":\"" + expires + "\"}"));

      JsonObject rotated = new JsonObject(run(stack, "keys", "rotate", key.getString("id"), "0"));
      assertThat(rotated.getString("expires_at")).isEqualTo(expires.toString());

      clock.advance(Duration.ofDays(8));
      String refused = run(stack, 1, "keys", "rotate", rotated.getString("id"));
      assertThat(new JsonObject(refused).getJsonObject("error").getString("message")).contains("expired");
      assertThat(run(stack, 2, "keys", "rotate", rotated.getString("id"), "soon")).contains("GRACE_SECONDS");
    }
  }

  @Test
  void a_json_argument_with_trailing_text_or_a_duplicate_key_is_refused_and_nothing_is_created() {
    try (TestStack stack = TestStack.start()) {
      assertThat(run(stack, 2, "teams", "create", "cli-strict", "{\"limits\":{\"rpm\":5}} garbage")).contains("not a JSON object");
      assertThat(run(stack, 2, "teams", "create", "cli-strict", "{\"name\":\"a\",\"name\":\"b\"}")).contains("not a JSON object");
      assertThat(run(stack, "teams", "list")).doesNotContain("cli-strict");
    }
  }
}
