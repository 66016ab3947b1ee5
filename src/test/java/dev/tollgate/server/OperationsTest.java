package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tollgate.support.Http;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TestStack;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Metrics, health, and the graceful shutdown that lets streams in flight finish. */
class OperationsTest {

  @Test
  void metrics_show_requests_by_model_and_status_latency_ttft_and_active_streams() {
    try (TestStack stack = TestStack.start()) {
      stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", false));
      stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", true));
      stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("nope", "hi", false));

      String metrics = stack.http.get("/metrics").body();
      assertThat(metrics).contains(
          "tollgate_requests_seconds_count{endpoint=\"chat_completions\",model=\"gpt-test\",status=\"200\"} 2",
          "tollgate_requests_seconds_count{endpoint=\"chat_completions\",model=\"unknown\",status=\"404\"} 1",
          "tollgate_upstream_latency_seconds_count{model=\"gpt-test\",provider=\"up\"} 2",
          "tollgate_time_to_first_token_seconds_count{model=\"gpt-test\"} 1",
          "tollgate_active_streams 0.0");
      assertThat(stack.http.get("/healthz").statusCode()).isEqualTo(200);
      assertThat(stack.http.get("/readyz").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void shutdown_stops_accepting_and_lets_a_stream_in_flight_finish() throws Exception {
    TestStack stack = TestStack.start();
    int port = stack.gateway.port();
    try (RawHttp client = new RawHttp(port, "/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "long", true),
        "x-mock-tokens", "20", "x-mock-interval-ms", "50")) {
      client.readUntil("\"content\"");
      CompletableFuture<Void> stopped = stack.gateway.stop().toCompletionStage().toCompletableFuture();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(java.net.ConnectException.class));

      String rest = client.readUntil("data: [DONE]");
      assertThat(rest).contains("data: [DONE]");
      stopped.get();
    } finally {
      stack.close();
    }
  }
}
