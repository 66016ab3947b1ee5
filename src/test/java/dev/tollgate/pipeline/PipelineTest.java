package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.core.GatewayFailure;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** How stages compose: work forward, after-work backward and only where the work ran; a stage may answer itself. */
class PipelineTest {
  private final List<String> order = new CopyOnWriteArrayList<>();

  private Stage named(String name) {
    return (ctx, next) -> {
      order.add(name);
      return next.run(ctx).andThen(done -> order.add("after " + name));
    };
  }

  @Test
  void after_work_runs_in_reverse_order_once_the_stages_after_it_are_done() {
    try (StageHarness h = StageHarness.start(ctx -> { }, x -> List.of(named("a"), named("b"), x.answer200()))) {
      assertThat(h.http.get("/").statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(5)).until(() -> order.size() == 4);
      assertThat(order).containsExactly("a", "b", "after b", "after a");
    }
  }

  @Test
  void a_refusing_stage_ends_the_request_and_only_the_stages_before_it_run_their_after_work() {
    Stage refuse = (ctx, next) -> {
      order.add("refuse");
      throw GatewayFailure.badRequest("No.", "x");
    };
    try (StageHarness h = StageHarness.start(ctx -> { }, x -> List.of(named("a"), refuse, named("b"), x.answer200()))) {
      HttpResponse<String> r = h.http.get("/");

      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(new JsonObject(r.body()).getJsonObject("error").getString("param")).isEqualTo("x");
      await().atMost(Duration.ofSeconds(5)).until(() -> order.size() == 3);
      assertThat(order).containsExactly("a", "refuse", "after a");
      assertThat(h.reached).isEmpty();
    }
  }

  @Test
  void a_stage_may_answer_without_calling_the_next() {
    Stage answers = (ctx, next) -> ctx.response().end("from the stage");
    try (StageHarness h = StageHarness.start(ctx -> { }, x -> List.of(named("a"), answers, x.answer200()))) {
      assertThat(h.http.get("/").body()).isEqualTo("from the stage");
      assertThat(h.reached).isEmpty();
      await().atMost(Duration.ofSeconds(5)).until(() -> order.contains("after a"));
    }
  }
}
