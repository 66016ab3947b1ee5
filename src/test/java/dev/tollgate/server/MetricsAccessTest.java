package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.Http;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code server.metrics}: a bearer token for {@code /metrics}, or a port of its own, since it shows each team's cost. */
class MetricsAccessTest {
  static final String TOKEN = "metrics-token-0123456789";

  @Test
  void with_a_token_set_metrics_need_it_and_health_does_not() {
    try (TestStack stack = TestStack.start(port -> TestStack.defaultYaml(port,
        "metrics: { token: \"${env:METRICS_TOKEN:-" + TOKEN + "}\" }"))) {
      for (HttpResponse<String> refused : new HttpResponse[] {stack.http.get("/metrics"),
          stack.http.get("/metrics", "authorization", "Bearer wrong-" + TOKEN),
          stack.http.get("/metrics", "authorization", "Bearer " + TestStack.ADMIN_TOKEN)}) {
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).doesNotContain("tollgate_");
        assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("message")).contains("metrics token");
      }
      HttpResponse<String> ok = stack.http.get("/metrics", "authorization", "Bearer " + TOKEN);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("tollgate_requests_in_flight");
      assertThat(stack.http.get("/healthz").statusCode()).isEqualTo(200);
      assertThat(stack.http.get("/readyz").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void with_a_port_of_their_own_metrics_are_served_there_and_not_on_the_api_port() throws Exception {
    int metricsPort;
    try (ServerSocket free = new ServerSocket(0)) {
      metricsPort = free.getLocalPort();
    }
    try (TestStack stack = TestStack.start(port -> TestStack.defaultYaml(port, "metrics: { port: " + metricsPort + ", host: 127.0.0.1 }"))) {
      stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", false));

      HttpResponse<String> there = new Http("http://127.0.0.1:" + metricsPort).get("/metrics");
      assertThat(there.statusCode()).isEqualTo(200);
      assertThat(there.body()).contains("tollgate_requests_seconds_count{endpoint=\"chat_completions\",model=\"gpt-test\",status=\"200\"} 1");
      HttpResponse<String> api = stack.http.get("/metrics");
      assertThat(api.statusCode()).isEqualTo(404);
      assertThat(api.body()).doesNotContain("tollgate_");
      assertThat(stack.http.get("/healthz").statusCode()).isEqualTo(200);
    }
  }
}
