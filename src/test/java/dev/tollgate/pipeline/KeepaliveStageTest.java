package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeepaliveStageTest {
  /** Answers after 400 ms with one event: what a model that thinks first looks like. */
  private static Stage slowFirstEvent(StageHarness h) {
    return (ctx, next) -> {
      io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
      h.vertx.setTimer(400, t -> {
        if (!ctx.response().headWritten()) ResponseHeaders.startEventStream(ctx, ctx.response());
        ctx.outcome().firstEvent(System.nanoTime());
        ctx.response().end("data: {\"x\":1}\n\n").onComplete(done);
      });
      return done.future();
    };
  }

  private static StageHarness harness(boolean stream) {
    return StageHarness.start(ctx -> StageHarness.read(ctx, "{\"model\":\"m\",\"stream\":" + stream + "}"),
        h -> List.of(new KeepaliveStage(h.vertx, 50), slowFirstEvent(h)));
  }

  @Test
  void a_stream_gets_comments_until_its_first_event_and_none_after() throws Exception {
    try (StageHarness h = harness(true)) {
      HttpResponse<String> r = h.http.get("/");
      List<String> lines = r.body().lines().filter(l -> !l.isEmpty()).toList();

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
      assertThat(lines.subList(0, lines.size() - 1)).hasSizeGreaterThanOrEqualTo(3).allMatch(l -> l.equals(": keepalive"));
      assertThat(lines.get(lines.size() - 1)).isEqualTo("data: {\"x\":1}");
    }
  }

  @Test
  void a_request_that_does_not_stream_gets_no_comments() {
    try (StageHarness h = harness(false)) {
      assertThat(h.http.get("/").body()).doesNotContain("keepalive");
    }
  }
}
