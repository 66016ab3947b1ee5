package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.route.ModelRouter;
import dev.tollgate.team.Limits;
import dev.tollgate.team.Team;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteStageTest {
  private static StageHarness harness(List<String> allowed) {
    Map<String, GatewayConfig.Model> models = new LinkedHashMap<>();
    models.put("big", new GatewayConfig.Model("big", List.of(new GatewayConfig.Target("p", "big-v2", 1)), List.of("small"),
        List.of("gpt-old"), null, null));
    models.put("small", new GatewayConfig.Model("small", List.of(new GatewayConfig.Target("p", "small-v1", 1)), List.of(), List.of(), 64, null));
    ModelRouter router = new ModelRouter(models);
    Team team = new Team("alpha", "alpha", null, Limits.NONE, allowed, Map.of(), false, Instant.EPOCH, Instant.EPOCH);
    return StageHarness.start(ctx -> {
      ctx.caller(StageHarness.caller(team));
      StageHarness.read(ctx, ctx.request().getHeader("x-body"));
    }, h -> List.of(new RouteStage(router), h.answer200()));
  }

  private static HttpResponse<String> ask(StageHarness h, String model) {
    return h.http.get("/", "x-body", "{\"model\":\"" + model + "\"}");
  }

  @Test
  void an_alias_routes_to_its_model_then_its_fallbacks() {
    try (StageHarness h = harness(List.of())) {
      assertThat(ask(h, "gpt-old").statusCode()).isEqualTo(200);
      var route = h.reached.get(0).route();
      assertThat(route.requested()).isEqualTo("gpt-old");
      assertThat(route.model()).isEqualTo("big");
      assertThat(route.candidates()).extracting(t -> t.upstreamModel()).containsExactly("big-v2", "small-v1");
    }
  }

  @Test
  void an_unknown_model_is_404_and_one_the_team_may_not_use_is_403() {
    try (StageHarness h = harness(List.of("small"))) {
      HttpResponse<String> unknown = ask(h, "nope");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(new JsonObject(unknown.body()).getJsonObject("error").getString("code")).isEqualTo("model_not_found");
      HttpResponse<String> denied = ask(h, "big");
      assertThat(denied.statusCode()).isEqualTo(403);
      assertThat(new JsonObject(denied.body()).getJsonObject("error").getString("code")).isEqualTo("model_not_allowed");
      assertThat(ask(h, "small").statusCode()).isEqualTo(200);
      assertThat(h.reached).hasSize(1);
    }
  }
}
