package dev.tollgate.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.FunctionDefinition;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A team on the OpenAI SDK uses a Claude model ({@code claude-test}, an Anthropic provider) through the chat
 * completions endpoint: the SDK assembles the same text and tool calls the fake Anthropic provider produced,
 * streamed or not, with the usage (and the bill) the provider reported.
 */
class CrossFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static ConformanceStack stack;
  static OpenAIClient sdk;

  @BeforeAll
  static void start() {
    stack = ConformanceStack.start();
    sdk = OpenAIOkHttpClient.builder().baseUrl(stack.baseUrl() + "/v1").apiKey(TestStack.ALPHA_KEY).maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    sdk.close();
    stack.close();
  }

  private static ChatCompletionCreateParams.Builder chat(String prompt) {
    return ChatCompletionCreateParams.builder().model("claude-test").addSystemMessage("Be brief.").addUserMessage(prompt);
  }

  /**
   * What the fake Anthropic provider answers to the last Messages request the gateway sent it (its body and its
   * x-mock-* headers), asked directly and not streamed.
   */
  private static JsonNode providerAnswerToLastRequest() throws Exception {
    var seen = stack.stack.mock.stats().last();
    assertThat(seen.uri()).endsWith("/v1/messages");
    ObjectNodeBody last = new ObjectNodeBody(JSON.readTree(seen.body()));
    HttpRequest.Builder direct = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.stack.mock.port() + "/v1/messages"))
        .header("content-type", "application/json").header("x-api-key", "direct");
    seen.headers().forEach((name, value) -> {
      if (name.toLowerCase(java.util.Locale.ROOT).startsWith("x-mock-")) direct.header(name, value);
    });
    HttpResponse<String> r = HttpClient.newHttpClient().send(direct.POST(HttpRequest.BodyPublishers.ofString(last.withoutStream())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private record ObjectNodeBody(JsonNode body) {
    String withoutStream() {
      ((com.fasterxml.jackson.databind.node.ObjectNode) body).remove("stream");
      return body.toString();
    }
  }

  private static String providerText(JsonNode message) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode b : message.path("content")) if (b.path("type").asText().equals("text")) sb.append(b.path("text").asText());
    return sb.toString();
  }

  /** Each tool call as name and arguments (JSON, parsed): the provider's tool_use blocks or the SDK's tool calls. */
  private static List<String> providerToolCalls(JsonNode message) {
    List<String> out = new ArrayList<>();
    for (JsonNode b : message.path("content")) {
      if (b.path("type").asText().equals("tool_use")) out.add(b.path("name").asText() + " " + b.path("input"));
    }
    return out;
  }

  private static List<String> sdkToolCalls(ChatCompletion c) throws Exception {
    List<String> out = new ArrayList<>();
    for (var call : c.choices().get(0).message().toolCalls().orElse(List.of())) {
      out.add(call.asFunction().function().name() + " " + JSON.readTree(call.asFunction().function().arguments()));
    }
    return out;
  }

  private static ChatCompletion streamAndAccumulate(ChatCompletionCreateParams params) {
    return OpenAiSdk.streamAndAccumulate(sdk, params);
  }

  private static FunctionDefinition weatherTool() {
    return OpenAiSdk.weatherTool();
  }

  @Test
  void the_sdk_gets_the_text_the_anthropic_provider_produced() throws Exception {
    ChatCompletion c = sdk.chat().completions().create(chat("Hello Claude").build());
    JsonNode produced = providerAnswerToLastRequest();

    assertThat(c.choices().get(0).message().content().orElseThrow()).isEqualTo(providerText(produced));
    assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(produced.path("usage").path("output_tokens").asLong());
    assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(produced.path("usage").path("input_tokens").asLong());
  }

  @Test
  void the_sdk_assembles_the_same_text_from_the_translated_stream() throws Exception {
    ChatCompletion streamed = streamAndAccumulate(chat("Stream, Claude")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());
    JsonNode produced = providerAnswerToLastRequest();

    assertThat(streamed.choices().get(0).message().content().orElseThrow()).isEqualTo(providerText(produced));
    assertThat(streamed.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(streamed.usage().orElseThrow().completionTokens()).isEqualTo(produced.path("usage").path("output_tokens").asLong());
  }

  @Test
  void the_sdk_gets_the_tool_calls_the_anthropic_provider_produced_streamed_or_not() throws Exception {
    ChatCompletionCreateParams params = chat("Weather in two cities").addFunctionTool(weatherTool())
        .putAdditionalHeader("x-mock-tool-calls", "2").build();
    ChatCompletion whole = sdk.chat().completions().create(params);
    List<String> produced = providerToolCalls(providerAnswerToLastRequest());
    ChatCompletion streamed = streamAndAccumulate(params);

    assertThat(produced).hasSize(2);
    assertThat(whole.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    assertThat(sdkToolCalls(whole)).isEqualTo(produced);
    assertThat(sdkToolCalls(streamed)).isEqualTo(produced);
    assertThat(streamed.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
  }

  @Test
  void a_tool_result_goes_back_to_the_anthropic_provider_as_one() throws Exception {
    ChatCompletion call = sdk.chat().completions().create(chat("Weather?").addFunctionTool(weatherTool()).build());
    var toolCall = call.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
    ChatCompletion answer = sdk.chat().completions().create(chat("Weather?").addFunctionTool(weatherTool())
        .addMessage(call.choices().get(0).message())
        .addMessage(com.openai.models.chat.completions.ChatCompletionToolMessageParam.builder()
            .toolCallId(toolCall.id()).content("Sunny, 21 C").build())
        .build());

    JsonNode sent = JSON.readTree(stack.stack.mock.stats().last().body());
    JsonNode last = sent.path("messages").get(sent.path("messages").size() - 1);
    assertThat(last.path("role").asText()).isEqualTo("user");
    assertThat(last.path("content").get(0).path("type").asText()).isEqualTo("tool_result");
    assertThat(last.path("content").get(0).path("tool_use_id").asText()).isEqualTo(toolCall.id());
    assertThat(answer.choices().get(0).message().content().orElseThrow()).isNotBlank();
  }

  @Test
  void billing_follows_the_usage_the_anthropic_provider_reported() {
    String id = "cross-" + UUID.randomUUID();
    ChatCompletion c = sdk.chat().completions().create(chat("Bill me").putAdditionalHeader("x-request-id", id)
        .putAdditionalHeader("x-mock-cache-read-tokens", "200").putAdditionalHeader("x-mock-cache-write-tokens", "100").build());
    long prompt = c.usage().orElseThrow().promptTokens();
    long completion = c.usage().orElseThrow().completionTokens();
    assertThat(c.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens()).hasValue(200L);

    JsonObject r = stack.record("alpha", id);
    assertThat(r.getBoolean("estimated")).isFalse();
    assertThat(r.getLong("prompt_tokens")).isEqualTo(prompt);
    assertThat(r.getLong("cached_tokens")).isEqualTo(200);
    assertThat(r.getLong("cache_write_tokens")).isEqualTo(100);
    assertThat(r.getLong("cost_nano_usd")).isEqualTo((prompt - 300) * 3000 + 200 * 300 + 100 * 3750 + completion * 15000);
  }

  @Test
  void an_anthropic_error_reaches_the_sdk_with_its_status_and_message() {
    try {
      sdk.chat().completions().create(chat("x").putAdditionalHeader("x-mock-fault", "529").build());
      throw new AssertionError("no error");
    } catch (OpenAIServiceException e) {
      assertThat(e).isInstanceOf(InternalServerException.class);
      assertThat(e.statusCode()).isEqualTo(529);
      assertThat(e.code()).hasValue("overloaded_error");
    }
  }

  @Test
  void what_claude_cannot_do_is_a_400_naming_the_field() {
    try {
      sdk.chat().completions().create(chat("x").n(2).build());
      throw new AssertionError("no error");
    } catch (BadRequestException e) {
      assertThat(e.param()).hasValue("n");
    }
  }
}
