package dev.tollgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.Http;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tollgate admin …} drives the admin API end to end. */
class AdminCliTest {

  static String run(TestStack stack, String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true));
    try {
      int code = AdminCli.run(List.of(args), Map.of("TOLLGATE_URL", stack.baseUrl(), "TOLLGATE_ADMIN_TOKEN", TestStack.ADMIN_TOKEN));
      assertThat(code).as(String.join(" ", args)).isZero();
    } finally {
      System.setOut(original);
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
}
