package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.auth.Authenticator;
import dev.tollgate.auth.KeyHash;
import dev.tollgate.auth.KeyIndex;
import dev.tollgate.team.Limits;
import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthenticateStageTest {
  private static final String SECRET = "tg-a-secret-for-the-stage-test-0123456789";

  private static StageHarness harness(TeamKey key) {
    KeyIndex index = new KeyIndex();
    Team team = StageHarness.team("alpha", Limits.NONE);
    index.replace(List.of(team), List.of(key));
    Authenticator auth = new Authenticator(index, false, Clock.systemUTC());
    return StageHarness.start(ctx -> { }, h -> List.of(new AuthenticateStage(auth, h.metrics), h.answer200()));
  }

  private static TeamKey key(boolean revoked) {
    return new TeamKey("k1", "alpha", "main", KeyHash.sha256Hex(SECRET), "tg-a…", null, List.of(), Limits.NONE, revoked,
        Instant.EPOCH, null);
  }

  @Test
  void a_known_key_sets_the_caller_for_the_stages_after() {
    try (StageHarness h = harness(key(false))) {
      assertThat(h.http.get("/", "authorization", "Bearer " + SECRET).statusCode()).isEqualTo(200);
      assertThat(h.reached).hasSize(1);
      assertThat(h.reached.get(0).caller().team().id()).isEqualTo("alpha");
      assertThat(h.reached.get(0).caller().key().id()).isEqualTo("k1");
    }
  }

  @Test
  void a_missing_unknown_or_revoked_key_is_401_and_goes_no_further() {
    try (StageHarness h = harness(key(true))) {
      for (HttpResponse<String> r : List.of(h.http.get("/"), h.http.get("/", "authorization", "Bearer tg-nope"),
          h.http.get("/", "x-api-key", SECRET))) {
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("invalid_api_key");
      }
      assertThat(h.reached).isEmpty();
    }
  }
}
