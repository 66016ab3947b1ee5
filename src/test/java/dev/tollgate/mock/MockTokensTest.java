package dev.tollgate.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The fake provider counts prompts as OpenAI's usage reports them, on its own. */
class MockTokensTest {
  private static int prompt(String path, String body) throws Exception {
    return MockTokens.prompt(path, new ObjectMapper().readTree(body));
  }

  @Test
  void a_one_message_chat_costs_its_text_plus_openais_framing() throws Exception {
    // 3 framing the message + "user" + "x" + 3 priming the reply: what OpenAI reports for this request
    assertThat(prompt("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")).isEqualTo(8);
    assertThat(prompt("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"name\":\"ann\",\"content\":\"x\"}]}"))
        .isEqualTo(8 + MockTokens.count("ann") + 1);
  }

  @Test
  void images_cost_by_detail_and_plain_endpoints_count_only_text() throws Exception {
    String image = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"u\"%s}}]}]}";
    assertThat(prompt("/v1/chat/completions", image.formatted(""))).isEqualTo(3 + 1 + 765 + 3);
    assertThat(prompt("/v1/chat/completions", image.formatted(",\"detail\":\"low\""))).isEqualTo(3 + 1 + 85 + 3);
    assertThat(prompt("/v1/completions", "{\"prompt\":\"Say hi\"}")).isEqualTo(MockTokens.count("Say hi"));
    assertThat(prompt("/v1/embeddings", "{\"input\":[\"a b\",\"c\"]}")).isEqualTo(MockTokens.count("a b") + MockTokens.count("c"));
  }
}
