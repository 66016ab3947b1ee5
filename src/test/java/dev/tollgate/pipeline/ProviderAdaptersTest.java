package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.mock.MockStats;
import dev.tollgate.support.Http;
import dev.tollgate.support.TestStack;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Azure's deployment URLs and api-key header, and keys chosen by weight. */
class ProviderAdaptersTest {

  @Test
  void azure_targets_get_the_deployment_url_api_version_and_api_key_header() {
    try (TestStack stack = TestStack.start(port -> """
        server: { port: 0, instances: 1 }
        providers:
          az: { type: azure-openai, base-url: "http://127.0.0.1:%d", api-version: 2024-10-21, keys: [ { secret: "${env:UP_KEY}" } ] }
        models:
          gpt-az: { targets: [ { provider: az, model: my-deployment } ] }
        teams:
          alpha: { keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
        """.formatted(port))) {
      var r = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-az", "hello azure", true));

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("data: [DONE]");
      MockStats.Seen seen = stack.mock.stats().last();
      assertThat(seen.uri()).isEqualTo("/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21");
      assertThat(seen.headers().get("api-key")).isEqualTo(TestStack.PROVIDER_KEY);
      assertThat(seen.headers().get("authorization")).isNull();
    }
  }

  @Test
  void provider_keys_are_used_in_proportion_to_their_weights() {
    var env = TestStack.env();
    try (TestStack stack = TestStack.start(port -> """
        server: { port: 0, instances: 1, access-log: false }
        providers:
          up: { type: openai, base-url: "http://127.0.0.1:%d/v1",
                keys: [ { secret: "${env:UP_KEY}", weight: 3 }, { secret: "${env:UP_KEY_2:-sk-second-key}", weight: 1 } ] }
        models:
          gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] }
        teams:
          alpha: { keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
        """.formatted(port))) {
      int n = 400;
      for (int i = 0; i < n; i++) {
        stack.http.post("/v1/embeddings", TestStack.ALPHA_KEY, "{\"model\":\"gpt-test\",\"input\":\"x\"}");
      }
      List<MockStats.Seen> seen = stack.mock.stats().recent();
      long first = seen.stream().filter(s -> s.headers().get("authorization").equals("Bearer " + TestStack.PROVIDER_KEY)).count();
      long second = seen.stream().filter(s -> s.headers().get("authorization").equals("Bearer sk-second-key")).count();
      assertThat(first + second).isEqualTo(seen.size());
      // 3:1 over 200 recorded requests: 150 expected, 4 standard deviations either side
      assertThat(first).isBetween(125L, 175L);
    }
  }
}
