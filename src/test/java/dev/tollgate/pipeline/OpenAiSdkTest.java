package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.tollgate.support.TestStack;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, given only Tollgate's base URL and a team key. */
class OpenAiSdkTest {
  static TestStack stack;
  static OpenAIClient sdk;

  @BeforeAll
  static void start() {
    stack = TestStack.start();
    sdk = OpenAIOkHttpClient.builder().baseUrl(stack.baseUrl() + "/v1").apiKey(TestStack.ALPHA_KEY).maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    sdk.close();
    stack.close();
  }

  private static ChatCompletionCreateParams chat(String prompt) {
    return ChatCompletionCreateParams.builder().model("gpt-test").addUserMessage(prompt).build();
  }

  @Test
  void sdk_gets_a_chat_completion() {
    ChatCompletion completion = sdk.chat().completions().create(chat("What is a gateway?"));

    String answer = completion.choices().get(0).message().content().orElseThrow();
    assertThat(answer.trim().split(" ")).hasSize(16);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(16);
    // the upstream saw its own model name, not the one the client asked for
    assertThat(stack.mock.stats().last().body()).contains("\"model\":\"upstream-gpt\"");
  }

  @Test
  void sdk_gets_a_streamed_chat_completion_token_by_token() {
    ChatCompletion whole = sdk.chat().completions().create(chat("Stream me"));
    List<ChatCompletionChunk> chunks;
    try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(chat("Stream me"))) {
      chunks = stream.stream().collect(Collectors.toList());
    }
    String streamed = chunks.stream()
        .flatMap(c -> c.choices().stream())
        .map(c -> c.delta().content().orElse(""))
        .collect(Collectors.joining());

    assertThat(streamed).isEqualTo(whole.choices().get(0).message().content().orElseThrow());
    assertThat(chunks.stream().filter(c -> !c.choices().isEmpty() && c.choices().get(0).delta().content().isPresent()))
        .hasSize(16);
    // the client did not ask for usage, so the usage chunk the gateway requested is hidden from it
    assertThat(chunks).noneMatch(c -> c.usage().isPresent());
  }

  @Test
  void sdk_gets_an_embedding() {
    CreateEmbeddingResponse response = sdk.embeddings().create(
        EmbeddingCreateParams.builder().model("embed-test").input("embed this sentence").build());

    assertThat(response.data()).hasSize(1);
    assertThat(response.data().get(0).embedding()).hasSize(8);
    assertThat(response.usage().promptTokens()).isPositive();
  }
}
