package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.core.GatewayFailure;
import dev.tollgate.support.LogCapture;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outermost stage: every failure is answered in the client API's error shape; every request counted once. */
class RespondStageTest {
  @Test
  void a_failure_is_answered_with_its_status_headers_and_the_apis_error_body() {
    Stage refuse = (ctx, next) -> {
      throw new GatewayFailure(429, "rate_limit_exceeded", "rate_limit_exceeded", null, "Slow down.").header("Retry-After", "7");
    };
    try (StageHarness h = StageHarness.start(ctx -> { }, x -> List.of(refuse))) {
      HttpResponse<String> r = h.http.get("/", "x-request-id", "my-id-1");

      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(r.headers().firstValue("retry-after")).hasValue("7");
      assertThat(r.headers().firstValue("x-request-id")).hasValue("my-id-1");
      JsonObject error = new JsonObject(r.body()).getJsonObject("error");
      assertThat(error.getString("type")).isEqualTo("rate_limit_exceeded");
      assertThat(error.getString("message")).isEqualTo("Slow down.");
      await().atMost(Duration.ofSeconds(5)).until(() -> h.metrics.inFlight().get() == 0);
      assertThat(h.metrics.scrape()).contains("tollgate_requests_seconds_count{endpoint=\"chat_completions\",model=\"unknown\",status=\"429\"} 1");
    }
  }

  @Test
  void an_unexpected_error_is_a_500_without_details_and_logged_once_with_the_request_id() {
    Stage broken = (ctx, next) -> {
      throw new IllegalStateException("a bug with internals in its message");
    };
    try (LogCapture logs = new LogCapture(); StageHarness h = StageHarness.start(ctx -> { }, x -> List.of(broken))) {
      HttpResponse<String> r = h.http.get("/", "x-request-id", "bug-1");

      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(r.body()).doesNotContain("internals").doesNotContain("Exception");
      assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("internal_error");
      assertThat(logs.lines()).filteredOn(l -> l.contains("bug-1")).hasSize(1);
    }
  }

  @Test
  void a_failed_answer_write_that_is_not_the_client_leaving_stays_an_unexpected_error() {
    Stage writes = (ctx, next) -> ctx.delivered(Future.failedFuture(new IllegalStateException("not the connection")));
    try (LogCapture logs = new LogCapture(); StageHarness h = StageHarness.start(ctx -> { }, x -> List.of(writes))) {
      HttpResponse<String> r = h.http.get("/", "x-request-id", "write-bug-1");

      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(h.last().clientGone()).isFalse();
      assertThat(logs.lines(ch.qos.logback.classic.Level.ERROR))
          .containsExactly("unexpected failure in request write-bug-1 not the connection");
    }
  }
}
