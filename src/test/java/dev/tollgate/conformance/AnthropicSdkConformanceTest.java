package dev.tollgate.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.ContentTooLargeException;
import com.anthropic.errors.GatewayTimeoutException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.PermissionDeniedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official Anthropic Java SDK against the gateway's Messages API, in front of the fake provider speaking
 * Anthropic's API ({@code claude-test}) and, translated, an OpenAI-compatible one ({@code gpt-test}); and the
 * billing of Anthropic requests from the usage the provider reports.
 */
class AnthropicSdkConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static ConformanceStack stack;
  static AnthropicClient sdk;

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

  static AnthropicClient client(String key, int maxRetries) {
    return AnthropicOkHttpClient.builder().baseUrl(stack.baseUrl()).apiKey(key).maxRetries(maxRetries).build();
  }

  private static MessageCreateParams.Builder message(String model, String prompt) {
    return MessageCreateParams.builder().model(model).maxTokens(256).addUserMessage(prompt);
  }

  private static Message streamAndAccumulate(MessageCreateParams params) {
    MessageAccumulator accumulator = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(params)) {
      stream.stream().forEach(accumulator::accumulate);
    }
    return accumulator.message();
  }

  private static Tool weatherTool() {
    return Tool.builder().name("get_weather").description("The weather in a city")
        .inputSchema(Tool.InputSchema.builder()
            .properties(Tool.InputSchema.Properties.builder()
                .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string")))
                .putAdditionalProperty("days", JsonValue.from(Map.of("type", "integer")))
                .build())
            .required(List.of("city"))
            .build())
        .build();
  }

  private static String text(Message m) {
    return m.content().stream().flatMap(b -> b.text().stream()).map(t -> t.text()).collect(Collectors.joining());
  }

  private static List<String> toolUses(Message m) {
    return m.content().stream().flatMap(b -> b.toolUse().stream())
        .map(t -> t.id() + " " + t.name() + " " + JSON.valueToTree(t._input().convert(Object.class))).toList();
  }

  private static String requestId() {
    return "conformance-" + UUID.randomUUID();
  }

  @Test
  void message() {
    Message m = sdk.messages().create(message("claude-test", "What is a gateway?").build());

    assertThat(text(m).trim().split(" ")).hasSize(16);
    assertThat(m.stopReason()).hasValue(StopReason.END_TURN);
    assertThat(m.usage().outputTokens()).isEqualTo(16);
    assertThat(m.usage().inputTokens()).isPositive();
    // the key and the version went upstream as Anthropic wants them, with the upstream's model name
    var seen = stack.stack.mock.stats().last();
    assertThat(seen.headers().get("x-api-key")).isEqualTo(TestStack.PROVIDER_KEY);
    assertThat(seen.headers().get("anthropic-version")).isNotBlank();
    assertThat(seen.body()).contains("\"model\":\"upstream-claude\"");
  }

  @Test
  void message_streamed_and_assembled_by_the_sdk_accumulator() {
    Message whole = sdk.messages().create(message("claude-test", "Stream me").build());
    Message streamed = streamAndAccumulate(message("claude-test", "Stream me").build());

    assertThat(text(streamed)).isEqualTo(text(whole));
    assertThat(streamed.stopReason()).isEqualTo(whole.stopReason());
    assertThat(streamed.usage().outputTokens()).isEqualTo(whole.usage().outputTokens());
    assertThat(streamed.usage().inputTokens()).isEqualTo(whole.usage().inputTokens());
  }

  @Test
  void tool_use() throws Exception {
    Message m = sdk.messages().create(message("claude-test", "Weather in Paris?").addTool(weatherTool()).build());

    assertThat(m.stopReason()).hasValue(StopReason.TOOL_USE);
    List<ContentBlock> uses = m.content().stream().filter(ContentBlock::isToolUse).toList();
    assertThat(uses).hasSize(1);
    assertThat(uses.get(0).asToolUse().name()).isEqualTo("get_weather");
    JsonNode input = JSON.valueToTree(uses.get(0).asToolUse()._input().convert(Object.class));
    assertThat(input.path("city").isTextual()).as("the input follows the tool's schema").isTrue();
  }

  @Test
  void tool_use_streamed_with_input_in_pieces_and_assembled_by_the_sdk_accumulator() {
    MessageCreateParams params = message("claude-test", "Weather in two cities?").addTool(weatherTool())
        .putAdditionalHeader("x-mock-tool-calls", "2").build();
    Message whole = sdk.messages().create(params);
    Message streamed = streamAndAccumulate(params);

    assertThat(toolUses(whole)).hasSize(2);
    assertThat(toolUses(streamed)).isEqualTo(toolUses(whole));
    assertThat(text(streamed)).isEqualTo(text(whole));
  }

  @Test
  void count_tokens_answered_by_the_gateway() {
    long before = stack.stack.mock.stats().requests();
    long tokens = sdk.messages().countTokens(MessageCountTokensParams.builder().model("claude-test")
        .addUserMessage("How many tokens is this sentence?").build()).inputTokens();

    assertThat(tokens).isBetween(5L, 40L);
    assertThat(stack.stack.mock.stats().requests()).as("nothing went upstream").isEqualTo(before);
  }

  @Test
  void messages_to_a_model_served_by_an_openai_provider() {
    Message whole = sdk.messages().create(message("gpt-test", "Translate me").system("Be brief.").build());
    Message streamed = streamAndAccumulate(message("gpt-test", "Translate me").system("Be brief.").build());

    assertThat(text(whole).trim().split(" ")).hasSize(16);
    assertThat(text(streamed)).isEqualTo(text(whole));
    assertThat(streamed.usage().outputTokens()).isEqualTo(16);
    assertThat(streamed.usage().inputTokens()).isEqualTo(whole.usage().inputTokens());

    MessageCreateParams tools = message("gpt-test", "Weather?").addTool(weatherTool()).build();
    Message withTool = sdk.messages().create(tools);
    assertThat(withTool.stopReason()).hasValue(StopReason.TOOL_USE);
    assertThat(toolUses(streamAndAccumulate(tools))).hasSize(1).isEqualTo(toolUses(withTool));
  }

  @Test
  void billing_equals_the_reported_usage_with_prompt_cache_reads_and_writes_priced() {
    for (boolean stream : new boolean[] {false, true}) {
      String id = requestId();
      MessageCreateParams params = message("claude-test", "Cache me " + stream).putAdditionalHeader("x-request-id", id)
          .putAdditionalHeader("x-mock-cache-read-tokens", "400").putAdditionalHeader("x-mock-cache-write-tokens", "300").build();
      Message m = stream ? streamAndAccumulate(params) : sdk.messages().create(params);
      long input = m.usage().inputTokens();
      long output = m.usage().outputTokens();
      assertThat(m.usage().cacheReadInputTokens()).hasValue(400L);
      assertThat(m.usage().cacheCreationInputTokens()).hasValue(300L);

      JsonObject r = stack.record("alpha", id);
      assertThat(r.getBoolean("estimated")).isFalse();
      assertThat(r.getLong("prompt_tokens")).isEqualTo(input + 400 + 300);
      assertThat(r.getLong("cached_tokens")).isEqualTo(400);
      assertThat(r.getLong("cache_write_tokens")).isEqualTo(300);
      assertThat(r.getLong("completion_tokens")).isEqualTo(output);
      // USD per 1M tokens: input 3, cache reads 0.30, cache writes 3.75, output 15 -> nano-USD per token x1000
      assertThat(r.getLong("cost_nano_usd")).isEqualTo(input * 3000 + 400 * 300 + 300 * 3750 + output * 15000);
    }
  }

  @Test
  void a_cancelled_stream_is_billed_as_estimated_with_the_prompt_the_provider_reported() throws Exception {
    Message reference = sdk.messages().create(message("claude-test", "Cancel me").build());
    String id = requestId();
    String body = "{\"model\":\"claude-test\",\"max_tokens\":2000,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Cancel me\"}]}";
    try (RawHttp client = new RawHttp(stack.stack.gateway.port(), "/v1/messages", TestStack.ALPHA_KEY, body,
        "x-request-id", id, "x-mock-tokens", "1000", "x-mock-interval-ms", "20")) {
      client.readUntil("text_delta", 3);
    }
    JsonObject r = stack.record("alpha", id);
    assertThat(r.getString("outcome")).isEqualTo("client_gone");
    assertThat(r.getBoolean("estimated")).isTrue();
    assertThat(r.getLong("prompt_tokens")).isEqualTo(reference.usage().inputTokens());
    assertThat(r.getLong("completion_tokens")).isBetween(3L, 999L);
  }

  @Test
  void the_sdk_retries_a_gateway_429_after_retry_after_ms() throws Exception {
    double refusedBefore = stack.answered(429);
    String body = "{\"model\":\"claude-test\",\"max_tokens\":2000,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hold\"}]}";
    try (RawHttp holder = new RawHttp(stack.stack.gateway.port(), "/v1/messages", stack.singleKey, body,
        "x-mock-tokens", "1000", "x-mock-interval-ms", "50")) {
      holder.readUntil("text_delta");
      AnthropicClient retrying = client(stack.singleKey, 5);
      CompletableFuture<Message> call = CompletableFuture.supplyAsync(() -> retrying.messages().create(message("claude-test", "x").build()));
      await().atMost(Duration.ofSeconds(10)).until(() -> stack.answered(429) > refusedBefore);
      holder.close();
      assertThat(text(call.get(30, TimeUnit.SECONDS))).isNotBlank();
      retrying.close();
    }
  }

  @Test
  void the_sdk_does_not_retry_an_exhausted_budget() {
    AnthropicClient retrying = client(stack.brokeKey, 3);
    double refusedBefore = stack.answered(429);
    assertThatThrownBy(() -> retrying.messages().create(message("claude-test", "x").build()))
        .isInstanceOfSatisfying(RateLimitException.class, e -> assertThat(e.body().toString()).contains("rate_limit_error"));
    assertThat(stack.answered(429) - refusedBefore).isEqualTo(1.0);
    retrying.close();
  }

  private static AnthropicServiceException failure(Function<MessageCreateParams.Builder, MessageCreateParams.Builder> request, String key) {
    AnthropicClient client = key.equals(TestStack.ALPHA_KEY) ? sdk : client(key, 0);
    try {
      client.messages().create(request.apply(message("claude-test", "fail")).build());
    } catch (AnthropicServiceException e) {
      return e;
    }
    throw new AssertionError("the request did not fail");
  }

  /** The error body is Anthropic's: {"type":"error","error":{"type":..., "message":...}}. */
  private static String errorType(AnthropicServiceException e) {
    JsonNode body = JSON.valueToTree(e.body().convert(Object.class));
    assertThat(body.path("type").asText()).isEqualTo("error");
    assertThat(body.path("error").path("message").asText()).isNotBlank();
    return body.path("error").path("type").asText();
  }

  @Test
  void http_400_is_a_bad_request_exception() {
    AnthropicServiceException e = failure(b -> b.maxTokens(0), TestStack.ALPHA_KEY);
    assertThat(e).isInstanceOf(BadRequestException.class);
    assertThat(errorType(e)).isEqualTo("invalid_request_error");
  }

  @Test
  void http_401_is_an_unauthorized_exception() {
    AnthropicServiceException e = failure(b -> b, "tg-not-a-real-key-0123456789abcdefghijklmnopq");
    assertThat(e).isInstanceOf(UnauthorizedException.class);
    assertThat(errorType(e)).isEqualTo("authentication_error");
  }

  @Test
  void http_403_is_a_permission_denied_exception() {
    AnthropicServiceException e = failure(b -> b, TestStack.BETA_KEY);
    assertThat(e).isInstanceOf(PermissionDeniedException.class);
    assertThat(errorType(e)).isEqualTo("permission_error");
  }

  @Test
  void http_404_is_a_not_found_exception() {
    AnthropicServiceException e = failure(b -> b.model("no-such-model"), TestStack.ALPHA_KEY);
    assertThat(e).isInstanceOf(NotFoundException.class);
    assertThat(errorType(e)).isEqualTo("not_found_error");
  }

  @Test
  void http_413_is_a_content_too_large_exception() {
    AnthropicServiceException e = failure(b -> b.addUserMessage("x".repeat(70_000)), TestStack.ALPHA_KEY);
    assertThat(e).isInstanceOf(ContentTooLargeException.class);
    assertThat(errorType(e)).isEqualTo("request_too_large");
  }

  @Test
  void http_429_is_a_rate_limit_exception() {
    AnthropicServiceException e = failure(b -> b.putAdditionalHeader("x-mock-fault", "429"), TestStack.ALPHA_KEY);
    assertThat(e).isInstanceOf(RateLimitException.class);
    assertThat(errorType(e)).isEqualTo("rate_limit_error");
  }

  @Test
  void http_500_is_an_internal_server_exception() {
    AnthropicServiceException e = failure(b -> b.putAdditionalHeader("x-mock-fault", "500"), TestStack.ALPHA_KEY);
    assertThat(e).isInstanceOf(InternalServerException.class);
    assertThat(errorType(e)).isEqualTo("api_error");
  }

  @Test
  void http_502_for_an_unreachable_provider_is_an_internal_server_exception() {
    AnthropicServiceException e = failure(b -> b.model("down-test"), TestStack.ALPHA_KEY);
    assertThat(e).isInstanceOf(InternalServerException.class);
    assertThat(e.statusCode()).isEqualTo(502);
    assertThat(errorType(e)).isEqualTo("api_error");
  }

  @Test
  void http_504_for_a_silent_provider_is_a_gateway_timeout_exception() {
    AnthropicServiceException e = failure(b -> b.putAdditionalHeader("x-mock-fault", "hang"), TestStack.ALPHA_KEY);
    assertThat(e).isInstanceOf(GatewayTimeoutException.class);
    assertThat(errorType(e)).isEqualTo("timeout_error");
  }

  @Test
  void http_529_from_the_provider_passes_through_as_an_overloaded_exception() {
    AnthropicServiceException e = failure(b -> b.putAdditionalHeader("x-mock-fault", "529"), TestStack.ALPHA_KEY);
    assertThat(e).isInstanceOf(OverloadedException.class);
    assertThat(errorType(e)).isEqualTo("overloaded_error");
  }
}
