package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.wire.ApiRequest;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadBodyStageTest {
  private static StageHarness harness(long limit) {
    return StageHarness.start(ctx -> { }, h -> List.of(new ReadBodyStage(limit, 30_000), h.answer200()));
  }

  @Test
  void the_dialect_reads_model_stream_max_tokens_and_user() {
    try (StageHarness h = harness(10_000)) {
      HttpResponse<String> r = h.http.post("/", null,
          "{\"model\":\"m\",\"stream\":true,\"max_tokens\":7,\"user\":\"u-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

      assertThat(r.statusCode()).isEqualTo(200);
      ApiRequest api = h.reached.get(0).api();
      assertThat(api.model()).isEqualTo("m");
      assertThat(api.stream()).isTrue();
      assertThat(api.maxOutputTokens()).isEqualTo(7);
      assertThat(api.user()).isEqualTo("u-1");
      assertThat(api.prompt().pieces()).containsExactly("hi");
    }
  }

  @Test
  void a_body_past_the_limit_is_413_and_one_the_dialect_rejects_is_400() {
    try (StageHarness h = harness(100)) {
      HttpResponse<String> big = h.http.post("/", null, "{\"model\":\"m\",\"prompt\":\"" + "x".repeat(200) + "\"}");
      assertThat(big.statusCode()).isEqualTo(413);
      HttpResponse<String> bad = h.http.post("/", null, "{\"model\":\"m\",\"max_tokens\":0}");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(new JsonObject(bad.body()).getJsonObject("error").getString("param")).isEqualTo("max_tokens");
      assertThat(h.reached).isEmpty();
    }
  }
}
