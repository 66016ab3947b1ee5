package dev.tollgate.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.errors.UnexpectedStatusCodeException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.tollgate.support.Http;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TestStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK against the gateway and the fake provider, given only the base URL and a team key:
 * each feature an SDK user relies on, one test each, with the SDK's own helpers where it has them.
 */
class OpenAiSdkConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static ConformanceStack stack;
  static OpenAIClient sdk;

  @BeforeAll
  static void start() {
    stack = ConformanceStack.start();
    sdk = client(TestStack.ALPHA_KEY, 0);
  }

  @AfterAll
  static void stop() {
    sdk.close();
    stack.close();
  }

  static OpenAIClient client(String key, int maxRetries) {
    return OpenAIOkHttpClient.builder().baseUrl(stack.baseUrl() + "/v1").apiKey(key).maxRetries(maxRetries).build();
  }

  private static ChatCompletionCreateParams.Builder chat(String prompt) {
    return ChatCompletionCreateParams.builder().model("gpt-test").addUserMessage(prompt);
  }

  private static ChatCompletion streamAndAccumulate(ChatCompletionCreateParams params) {
    return OpenAiSdk.streamAndAccumulate(sdk, params);
  }

  private static FunctionDefinition weatherTool() {
    return OpenAiSdk.weatherTool();
  }

  private static List<String> toolCalls(ChatCompletion c) {
    return c.choices().get(0).message().toolCalls().orElse(List.of()).stream()
        .map(ChatCompletionMessageToolCall::asFunction)
        .map(f -> f.function().name() + " " + f.function().arguments()).toList();
  }

  @Test
  void chat_completion() {
    ChatCompletion completion = sdk.chat().completions().create(chat("What is a gateway?").build());

    assertThat(completion.choices().get(0).message().content().orElseThrow().trim().split(" ")).hasSize(16);
    assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(16);
    // the upstream saw its own model name, not the one the client asked for
    assertThat(stack.stack.mock.stats().last().body()).contains("\"model\":\"upstream-gpt\"");
  }

  @Test
  void chat_completion_streamed_token_by_token() {
    ChatCompletion whole = sdk.chat().completions().create(chat("Stream me").build());
    List<ChatCompletionChunk> chunks;
    try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(chat("Stream me").build())) {
      chunks = stream.stream().collect(Collectors.toList());
    }
    String streamed = chunks.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse(""))
        .collect(Collectors.joining());

    assertThat(streamed).isEqualTo(whole.choices().get(0).message().content().orElseThrow());
    assertThat(chunks.stream().filter(c -> !c.choices().isEmpty() && c.choices().get(0).delta().content().isPresent())).hasSize(16);
    // the client did not ask for usage, so the usage chunk the gateway requested is hidden from it
    assertThat(chunks).noneMatch(c -> c.usage().isPresent());
  }

  @Test
  void chat_stream_with_usage_when_the_client_asks() {
    ChatCompletion accumulated = streamAndAccumulate(chat("Count me")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());
    assertThat(accumulated.usage().orElseThrow().completionTokens()).isEqualTo(16);
  }

  @Test
  void tool_calls_streamed_and_assembled_by_the_sdk_accumulator() throws Exception {
    ChatCompletionCreateParams params = chat("Weather in Paris?").addFunctionTool(weatherTool()).build();
    ChatCompletion whole = sdk.chat().completions().create(params);
    ChatCompletion streamed = streamAndAccumulate(params);

    assertThat(whole.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    assertThat(toolCalls(whole)).hasSize(1).allSatisfy(c -> assertThat(c).startsWith("get_weather "));
    JsonNode arguments = JSON.readTree(toolCalls(whole).get(0).substring("get_weather ".length()));
    assertThat(arguments.path("city").isTextual()).as("arguments follow the tool's schema").isTrue();
    assertThat(toolCalls(streamed)).isEqualTo(toolCalls(whole));
  }

  @Test
  void parallel_tool_calls() {
    ChatCompletionCreateParams params = chat("Weather in three cities?").addFunctionTool(weatherTool())
        .putAdditionalHeader("x-mock-tool-calls", "3").build();
    ChatCompletion whole = sdk.chat().completions().create(params);
    ChatCompletion streamed = streamAndAccumulate(params);

    assertThat(toolCalls(whole)).hasSize(3);
    assertThat(whole.choices().get(0).message().toolCalls().orElseThrow().stream().map(c -> c.asFunction().id()).distinct()).hasSize(3);
    assertThat(toolCalls(streamed)).isEqualTo(toolCalls(whole));
  }

  /** The answer the SDK parses from a JSON schema it derives from this class. */
  public static class Forecast {
    public String city;
    public long temperature;
    public boolean sunny;
    public List<String> warnings;
  }

  @Test
  void structured_output_parsed_by_the_sdk() {
    var params = ChatCompletionCreateParams.builder().model("gpt-test").addUserMessage("Forecast for Oslo")
        .responseFormat(Forecast.class, com.openai.core.JsonSchemaLocalValidation.YES).build();
    StructuredChatCompletion<Forecast> completion = sdk.chat().completions().create(params);

    Forecast forecast = completion.choices().get(0).message().content().orElseThrow();
    assertThat(forecast.city).isNotNull();
    assertThat(forecast.warnings).isNotNull();
    assertThat(stack.stack.mock.stats().last().body()).contains("\"json_schema\"");
  }

  @Test
  void several_choices_with_n() {
    ChatCompletion completion = sdk.chat().completions().create(chat("Three ways").n(3).build());

    assertThat(completion.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0L, 1L, 2L);
    assertThat(completion.choices()).allSatisfy(c -> assertThat(c.message().content().orElseThrow()).isNotBlank());
    ChatCompletion streamed = streamAndAccumulate(chat("Three ways").n(3).build());
    assertThat(streamed.choices()).extracting(c -> c.message().content().orElseThrow())
        .isEqualTo(completion.choices().stream().map(c -> c.message().content().orElseThrow()).toList());
  }

  @Test
  void max_tokens_cuts_the_answer_with_finish_reason_length() {
    ChatCompletion completion = sdk.chat().completions().create(chat("Long answer").maxCompletionTokens(5).build());
    assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(5);
  }

  @Test
  void responses_api_streamed_and_assembled_by_the_sdk_accumulator() {
    ResponseCreateParams params = ResponseCreateParams.builder().model("gpt-test").input("Tell me about gateways").build();
    Response whole = sdk.responses().create(params);
    ResponseAccumulator accumulator = ResponseAccumulator.create();
    List<String> types;
    try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(params)) {
      types = stream.stream().map(accumulator::accumulate).map(e -> JSON.valueToTree(e).path("type").asText()).toList();
    }
    Response streamed = accumulator.response();

    assertThat(types).startsWith("response.created", "response.in_progress", "response.output_item.added", "response.content_part.added")
        .contains("response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done")
        .endsWith("response.completed");
    assertThat(text(streamed)).isNotBlank().isEqualTo(text(whole));
    assertThat(streamed.usage().orElseThrow().outputTokens()).isEqualTo(whole.usage().orElseThrow().outputTokens());
  }

  private static String text(Response r) {
    return r.output().stream().flatMap(o -> o.message().stream()).flatMap(m -> m.content().stream())
        .flatMap(c -> c.outputText().stream()).map(t -> t.text()).collect(Collectors.joining());
  }

  @Test
  void embeddings() {
    CreateEmbeddingResponse response = sdk.embeddings().create(
        EmbeddingCreateParams.builder().model("embed-test").input("embed this sentence").build());

    assertThat(response.data()).hasSize(1);
    assertThat(response.data().get(0).embedding()).hasSize(8);
    assertThat(response.usage().promptTokens()).isPositive();
  }

  @Test
  void the_sdk_retries_a_gateway_429_after_retry_after_ms() throws Exception {
    double refusedBefore = stack.answered(429);
    // the team's one concurrent request is taken by a slow stream
    try (RawHttp holder = new RawHttp(stack.stack.gateway.port(), "/v1/chat/completions", stack.singleKey,
        Http.chat("gpt-test", "hold the slot", true), "x-mock-tokens", "1000", "x-mock-interval-ms", "50")) {
      holder.readUntil("\"content\"");
      OpenAIClient retrying = client(stack.singleKey, 5);
      CompletableFuture<ChatCompletion> call = CompletableFuture.supplyAsync(() -> retrying.chat().completions().create(chat("x").build()));
      // the SDK got the gateway's 429 (retry-after-ms: 1000) and waits to try again
      await().atMost(Duration.ofSeconds(10)).until(() -> stack.answered(429) > refusedBefore);
      holder.close();
      assertThat(call.get(30, java.util.concurrent.TimeUnit.SECONDS).choices()).hasSize(1);
      retrying.close();
    }
  }

  @Test
  void the_sdk_does_not_retry_an_exhausted_budget() {
    OpenAIClient retrying = client(stack.brokeKey, 3);
    double refusedBefore = stack.answered(429);
    assertThatThrownBy(() -> retrying.chat().completions().create(chat("x").build()))
        .isInstanceOfSatisfying(RateLimitException.class, e -> assertThat(e.code()).hasValue("insufficient_quota"));
    // x-should-retry: false — one request, no retries
    assertThat(stack.answered(429) - refusedBefore).isEqualTo(1.0);
    retrying.close();
  }

  private static OpenAIServiceException failure(Function<ChatCompletionCreateParams.Builder, ChatCompletionCreateParams.Builder> request,
      String key) {
    OpenAIClient client = key.equals(TestStack.ALPHA_KEY) ? sdk : client(key, 0);
    try {
      client.chat().completions().create(request.apply(chat("fail")).build());
    } catch (OpenAIServiceException e) {
      return e;
    }
    throw new AssertionError("the request did not fail");
  }

  @Test
  void http_400_is_a_bad_request_exception() {
    assertThat(failure(b -> b.maxCompletionTokens(0), TestStack.ALPHA_KEY)).isInstanceOf(BadRequestException.class)
        .satisfies(e -> assertThat(e.param()).hasValue("max_completion_tokens"));
  }

  @Test
  void http_401_is_an_unauthorized_exception() {
    assertThat(failure(b -> b, "tg-not-a-real-key-0123456789abcdefghijklmnopq")).isInstanceOf(UnauthorizedException.class);
  }

  @Test
  void http_403_is_a_permission_denied_exception() {
    assertThat(failure(b -> b, TestStack.BETA_KEY)).isInstanceOf(PermissionDeniedException.class);
  }

  @Test
  void http_404_is_a_not_found_exception() {
    assertThat(failure(b -> b.model("no-such-model"), TestStack.ALPHA_KEY)).isInstanceOf(NotFoundException.class)
        .satisfies(e -> assertThat(e.code()).hasValue("model_not_found"));
  }

  @Test
  void http_413_is_an_unexpected_status_with_the_gateways_error() {
    assertThat(failure(b -> b.addUserMessage("x".repeat(70_000)), TestStack.ALPHA_KEY)).isInstanceOf(UnexpectedStatusCodeException.class)
        .satisfies(e -> assertThat(e.statusCode()).isEqualTo(413))
        .satisfies(e -> assertThat(e.code()).hasValue("request_too_large"));
  }

  @Test
  void http_429_is_a_rate_limit_exception() {
    assertThat(failure(b -> b.putAdditionalHeader("x-mock-fault", "429"), TestStack.ALPHA_KEY)).isInstanceOf(RateLimitException.class);
  }

  @Test
  void http_500_is_an_internal_server_exception() {
    assertThat(failure(b -> b.putAdditionalHeader("x-mock-fault", "500"), TestStack.ALPHA_KEY)).isInstanceOf(InternalServerException.class)
        .satisfies(e -> assertThat(e.statusCode()).isEqualTo(500));
  }

  @Test
  void http_502_for_an_unreachable_provider_is_an_internal_server_exception() {
    assertThat(failure(b -> b.model("down-test"), TestStack.ALPHA_KEY)).isInstanceOf(InternalServerException.class)
        .satisfies(e -> assertThat(e.statusCode()).isEqualTo(502))
        .satisfies(e -> assertThat(e.code()).hasValue("upstream_unreachable"));
  }

  @Test
  void http_504_for_a_silent_provider_is_an_internal_server_exception() {
    assertThat(failure(b -> b.putAdditionalHeader("x-mock-fault", "hang"), TestStack.ALPHA_KEY)).isInstanceOf(InternalServerException.class)
        .satisfies(e -> assertThat(e.statusCode()).isEqualTo(504));
  }
}
