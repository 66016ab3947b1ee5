package dev.tollgate.wire.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.core.Usage;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.SseEvents;
import dev.tollgate.wire.StreamEvent;
import dev.tollgate.wire.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Anthropic's Messages format: what the gateway reads of a request, a stream and an answer, and how it errs. */
class AnthropicDialectTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final AnthropicDialect anthropic = new AnthropicDialect(JSON);

  private ApiRequest read(String body) {
    return anthropic.read(AnthropicOperation.MESSAGES, body.getBytes(StandardCharsets.UTF_8), null);
  }

  private static List<StreamEvent> events(List<byte[]> raw) {
    return SseEvents.parse(raw);
  }

  @Test
  void reads_model_stream_max_tokens_and_the_end_user() {
    ApiRequest r = read("""
        {"model":"claude-x","max_tokens":300,"stream":true,"metadata":{"user_id":"u-1"},
         "messages":[{"role":"user","content":"hi"}]}""");
    assertThat(r.model()).isEqualTo("claude-x");
    assertThat(r.stream()).isTrue();
    assertThat(r.maxOutputTokens()).isEqualTo(300);
    assertThat(r.user()).isEqualTo("u-1");
  }

  @Test
  void rejects_what_anthropic_rejects_with_its_messages() {
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"messages\":[]}")).isInstanceOf(GatewayFailure.class)
        .hasMessage("max_tokens: Field required");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"max_tokens\":0,\"messages\":[]}")).hasMessageContaining("max_tokens");
    assertThatThrownBy(() -> read("{\"max_tokens\":5,\"messages\":[]}")).hasMessage("model: Field required");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"max_tokens\":5,\"messages\":\"hi\"}")).hasMessage("messages: Input should be a valid list");
    assertThatThrownBy(() -> read("[1]")).hasMessage("The request body must be a JSON object.");
    // issue 20, defect 4: a cap near 2^63 would overflow the reservation
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"max_tokens\":9223372036854775807,\"messages\":[]}"))
        .hasMessage("max_tokens: Input should be less than or equal to 2147483647");
    assertThat(read("{\"model\":\"m\",\"max_tokens\":2147483647,\"messages\":[]}").maxOutputTokens()).isEqualTo(2147483647L);
    // count_tokens needs no max_tokens
    assertThat(anthropic.read(AnthropicOperation.COUNT_TOKENS, "{\"model\":\"m\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8), null)
        .maxOutputTokens()).isZero();
  }

  @Test
  void errors_take_anthropics_shape_and_type_by_status() throws Exception {
    JsonNode body = JSON.readTree(anthropic.errorBody(new GatewayFailure(429, "requests", "rate_limit_exceeded", null, "slow down")));
    assertThat(body.path("type").asText()).isEqualTo("error");
    assertThat(body.path("error").path("type").asText()).isEqualTo("rate_limit_error");
    assertThat(body.path("error").path("message").asText()).isEqualTo("slow down");
    assertThat(AnthropicErrors.type(401)).isEqualTo("authentication_error");
    assertThat(AnthropicErrors.type(403)).isEqualTo("permission_error");
    assertThat(AnthropicErrors.type(404)).isEqualTo("not_found_error");
    assertThat(AnthropicErrors.type(413)).isEqualTo("request_too_large");
    assertThat(AnthropicErrors.type(529)).isEqualTo("overloaded_error");
    assertThat(AnthropicErrors.type(502)).isEqualTo("api_error");
    String event = new String(anthropic.errorEvent(null, GatewayFailure.streamBroken()), StandardCharsets.UTF_8);
    assertThat(event).startsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"").endsWith("\n\n");
  }

  @Test
  void a_stream_reports_its_prompt_at_the_start_and_its_whole_usage_at_the_end() {
    StreamObserver o = anthropic.observe(null, chars());
    o.relay("message_start", """
        {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"c",
         "usage":{"input_tokens":25,"cache_creation_input_tokens":100,"cache_read_input_tokens":400,"output_tokens":1}}}""");
    assertThat(o.usage()).as("no usage of the whole answer before message_delta").isNull();
    assertThat(o.promptUsage()).isEqualTo(new Usage(525, 1, 400, 0, 100));
    o.relay("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    assertThat(o.relay("ping", "{\"type\": \"ping\"}")).isTrue();
    o.relay("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}");
    o.relay("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":7}}");
    assertThat(o.ended()).isFalse();
    o.relay("message_stop", "{\"type\":\"message_stop\"}");
    assertThat(o.ended()).isTrue();
    assertThat(o.failed()).isFalse();
    assertThat(o.usage()).isEqualTo(new Usage(525, 7, 400, 0, 100));
    assertThat(o.produced().pending().length()).as("characters produced: %s", "Hello").isEqualTo(5);
  }

  @Test
  void an_error_event_ends_a_stream_as_failed() {
    StreamObserver o = anthropic.observe(null, chars());
    o.relay("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
    assertThat(o.ended()).isTrue();
    assertThat(o.failed()).isTrue();
  }

  @Test
  void a_non_streamed_answers_usage_counts_cache_reads_and_writes_in_the_prompt() {
    byte[] body = """
        {"id":"msg_1","type":"message","content":[{"type":"text","text":"x"}],
         "usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":20,"cache_creation_input_tokens":30}}"""
        .getBytes(StandardCharsets.UTF_8);
    assertThat(anthropic.readAnswer(null, body).usage()).isEqualTo(new Usage(60, 5, 20, 0, 30));
  }

  @Test
  void a_message_with_text_tool_use_and_thinking_survives_replay_and_assembly() throws Exception {
    String message = """
        {"id":"msg_9","type":"message","role":"assistant","model":"claude-x",
         "content":[{"type":"thinking","thinking":"Let me see.","signature":"sig=="},
                    {"type":"text","text":"I will look up the weather in Paris and in Lyon for you."},
                    {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris","days":[1,2]}},
                    {"type":"tool_use","id":"toolu_2","name":"weather","input":{"city":"Lyon","days":[]}}],
         "stop_reason":"tool_use","stop_sequence":null,
         "usage":{"input_tokens":50,"output_tokens":40,"cache_creation_input_tokens":0,"cache_read_input_tokens":10}}""";
    ApiRequest request = read("{\"model\":\"claude-x\",\"max_tokens\":10,\"stream\":true,\"messages\":[]}");
    List<byte[]> replay = anthropic.replay(request, message.getBytes(StandardCharsets.UTF_8));
    List<StreamEvent> events = events(replay);
    assertThat(events.get(0).name()).isEqualTo("message_start");
    assertThat(events.get(events.size() - 1).name()).isEqualTo("message_stop");
    assertThat(events).filteredOn(e -> "content_block_delta".equals(e.name())).hasSizeGreaterThan(6);
    assertThat(JSON.readTree(anthropic.assemble(request, events))).isEqualTo(JSON.readTree(message));

    StreamObserver o = anthropic.observe(request, chars());
    for (StreamEvent e : events) o.relay(e.name(), e.data());
    assertThat(o.usage()).isEqualTo(new Usage(60, 40, 10, 0, 0));
  }

  @Test
  void an_incomplete_stream_assembles_to_no_answer() {
    ApiRequest request = read("{\"model\":\"claude-x\",\"max_tokens\":10,\"stream\":true,\"messages\":[]}");
    List<StreamEvent> events = events(anthropic.replay(request,
        "{\"id\":\"m\",\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"abc\"}],\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}"
            .getBytes(StandardCharsets.UTF_8)));
    assertThat(anthropic.assemble(request, events.subList(0, events.size() - 1))).isNull();
  }

  @Test
  void the_prompt_counts_system_messages_tool_calls_results_and_tool_definitions() {
    ApiRequest r = read("""
        {"model":"m","max_tokens":5,"system":[{"type":"text","text":"Be brief."}],
         "tools":[{"name":"weather","input_schema":{"type":"object"}}],
         "messages":[{"role":"user","content":"Weather?"},
                     {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"weather","input":{"city":"Paris"}}]},
                     {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"Sunny"},
                                               {"type":"image","source":{"type":"url","url":"http://x"}}]}]}""");
    var prompt = r.prompt();
    assertThat(prompt.pieces()).contains("Be brief.", "Weather?", "weather", "{\"city\":\"Paris\"}", "Sunny",
        "{\"name\":\"weather\",\"input_schema\":{\"type\":\"object\"}}");
    assertThat(prompt.framingTokens()).isEqualTo(3 * AnthropicPrompt.PER_MESSAGE + AnthropicPrompt.REPLY_PRIMING + AnthropicPrompt.IMAGE_FLOOR);
  }

  /** Issue 18: a Messages body goes upstream as the client wrote it, only the model's value changed, without a JSON tree. */
  @Test
  void the_upstream_body_is_the_clients_bytes_with_the_model_replaced() {
    String client = "{ \"max_tokens\": 64 ,\n  \"model\" : \"cl\\u0061ude\", \"temperature\": 0.50,"
        + " \"messages\":[{\"role\":\"user\",\"content\":\"caf\u00e9 \ud83d\ude00\"}] }\n";
    ApiRequest request = read(client);
    assertThat(request.model()).isEqualTo("claude");
    assertThat(new String(anthropic.upstreamBody(request, "claude-\"up\u00e9"), StandardCharsets.UTF_8))
        .isEqualTo(client.replace("\"cl\\u0061ude\"", "\"claude-\\\"up\u00e9\""));

    byte[] same = "{\"model\":\"claude-x\",\"max_tokens\":5,\"messages\":[]}".getBytes(StandardCharsets.UTF_8);
    assertThat(anthropic.upstreamBody(anthropic.read(AnthropicOperation.MESSAGES, same, null), "claude-x"))
        .as("nothing to change: the client's own bytes").isSameAs(same);

    byte[] bom = "\u00ef\u00bb\u00bf{\"model\":\"m\",\"max_tokens\":5,\"messages\":[]}".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(new String(anthropic.upstreamBody(anthropic.read(AnthropicOperation.MESSAGES, bom, null), "claude-x"), StandardCharsets.UTF_8))
        .as("a byte order mark: written from the tree").isEqualTo("{\"model\":\"claude-x\",\"max_tokens\":5,\"messages\":[]}");
  }

  /** The streaming read refuses what the tree refused, with the same message, in the same order. */
  @Test
  void what_is_not_valid_json_is_refused_before_any_field_and_fields_in_anthropics_order() {
    String notJson = "The request body is not valid JSON.";
    assertThatThrownBy(() -> read("{\"model\":5,\"messages\":\"x\",\"max_tokens\":}")).hasMessage(notJson);
    assertThatThrownBy(() -> read("{\"model\":\"a\",\"max_tokens\":5,\"messages\":[],\"model\":\"b\"}")).hasMessage(notJson);
    assertThatThrownBy(() -> read("{\"model\":\"a\",\"max_tokens\":5,\"messages\":[{\"content\":\"x\",\"content\":\"y\"}]}"))
        .as("a key twice at any depth").hasMessage(notJson);
    assertThatThrownBy(() -> read("{\"model\":\"a\",\"max_tokens\":5,\"messages\":[]} {}")).hasMessage(notJson);
    assertThatThrownBy(() -> read("[1] x")).hasMessage(notJson);
    assertThatThrownBy(() -> read("\"text\"")).hasMessage("The request body must be a JSON object.");
    assertThatThrownBy(() -> read("")).hasMessage("The request body must be a JSON object.");
    assertThatThrownBy(() -> read("{\"model\":null,\"messages\":5}")).hasMessage("model: Field required");
    assertThatThrownBy(() -> read("{\"model\":[\"m\"],\"messages\":5}")).hasMessage("model: Input should be a valid string");
    assertThatThrownBy(() -> read("{\"model\":\" \",\"messages\":[]}")).hasMessage("model: Input should be a valid string");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"max_tokens\":\"x\"}")).hasMessage("messages: Field required");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"messages\":{},\"max_tokens\":\"x\"}"))
        .hasMessage("messages: Input should be a valid list");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"messages\":[],\"max_tokens\":5.0}"))
        .hasMessage("max_tokens: Input should be a positive integer");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"messages\":[],\"max_tokens\":\"5\"}"))
        .hasMessage("max_tokens: Input should be a positive integer");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"messages\":[],\"max_tokens\":-1}"))
        .hasMessage("max_tokens: Input should be a positive integer");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"messages\":[],\"max_tokens\":1180591620717411303424}"))
        .hasMessage("max_tokens: Input should be less than or equal to 2147483647");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"messages\":[],\"max_tokens\":5,\"stream\":\"yes\"}"))
        .hasMessage("stream: Input should be a valid boolean");
    ApiRequest counted = anthropic.read(AnthropicOperation.COUNT_TOKENS,
        "{\"model\":\"m\",\"messages\":[],\"stream\":\"yes\",\"max_tokens\":-1}".getBytes(StandardCharsets.UTF_8), null);
    assertThat(counted.stream()).as("count_tokens reads neither stream nor max_tokens").isFalse();
    assertThat(read("{\"model\":\"m\",\"messages\":[],\"max_tokens\":5,\"stream\":null,\"metadata\":{\"user_id\":7}}").user())
        .as("a user id that is not a string is none").isNull();
  }

  /** A string longer than Jackson allows is refused as the tree refused it, in Anthropic's words, though the pass skips it. */
  @Test
  void a_body_the_tree_cannot_hold_is_refused_as_not_json() {
    String huge = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\","
        + "\"source\":{\"data\":\"" + "x".repeat(20_000_001) + "\"}}]}]}";
    assertThatThrownBy(() -> read(huge)).hasMessage("The request body is not valid JSON.");
  }

  /**
   * The prompt read as the parser meets the fields counts what the tree counted, whatever order a block has its fields
   * in (its type last here), and a translation's tree counts the same.
   */
  @Test
  void the_prompt_is_counted_from_the_bytes_as_from_the_tree_whatever_order_a_block_has_its_fields_in() throws Exception {
    String body = """
        {"tools":[{"name":"calc","input_schema":{"type":"object","properties":{"x":{"type":"number","default":1.50}}}},null],
         "messages":[{"content":[{"text":"What is 2+2?","type":"text"},{"source":{"data":"..."},"type":"document"}],"role":"user"},
                     {"role":"assistant","content":[{"thinking":"Add them.","type":"thinking"},
                                                    {"input":{"a":2,"b":2.0,"s":"caf\u00e9"},"name":"calc","id":"t1","type":"tool_use"},
                                                    {"type":"server_tool_use","name":"web","input":null},
                                                    {"type":"text","text":""}]},
                     {"role":"user","content":[{"content":[{"type":"text","text":"4"},{"type":"image","source":{}}],"type":"tool_result"},
                                               {"type":"redacted_thinking","data":"zz","text":"not counted"},
                                               {"content":"also not counted","type":"text"}]},
                     "not an object"],
         "model":"m","max_tokens":5,"system":"Be exact."}""";
    ApiRequest request = read(body);
    var prompt = request.prompt();
    assertThat(prompt.pieces()).containsExactlyInAnyOrder(
        "{\"name\":\"calc\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\",\"default\":1.5}}}}",
        "What is 2+2?", "Add them.", "calc", "{\"a\":2,\"b\":2.0,\"s\":\"caf\u00e9\"}", "web", "4", "Be exact.");
    assertThat(prompt.framingTokens()).isEqualTo(4 * AnthropicPrompt.PER_MESSAGE + AnthropicPrompt.REPLY_PRIMING
        + AnthropicPrompt.DOCUMENT_FLOOR + AnthropicPrompt.IMAGE_FLOOR);

    var tree = AnthropicPrompt.of(JSON.getFactory(), JSON.readTree(body));
    assertThat(tree.pieces()).containsExactlyElementsOf(prompt.pieces());
    assertThat(tree.framingTokens()).isEqualTo(prompt.framingTokens());
  }

  @Test
  void a_stream_whose_message_delta_reports_no_usage_has_none_and_is_estimated() {
    StreamObserver o = anthropic.observe(null, chars());
    o.relay("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}");
    o.relay("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Hmm\"}}");
    o.relay("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}");
    o.relay("message_stop", "{\"type\":\"message_stop\"}");
    assertThat(o.usage()).isNull();
    assertThat(o.promptUsage()).isEqualTo(new Usage(25, 1, 0, 0, 0));
    assertThat(o.produced().pending().length()).as("thinking counts toward the estimate of the output").as("characters produced: %s", "Hmm").isEqualTo(3);
  }

  @Test
  void an_upstream_error_body_on_several_lines_stays_one_event() {
    String event = new String(anthropic.errorEvent("{\n  \"type\": \"error\",\r\n  \"error\": {}\n}".getBytes(StandardCharsets.UTF_8)),
        StandardCharsets.UTF_8);
    assertThat(event).startsWith("event: error\ndata: {").endsWith("}\n\n");
    assertThat(event.substring(0, event.length() - 2)).doesNotContain("\n\n");
    assertThat(event.lines().filter(l -> !l.isEmpty())).hasSize(2);
  }

  /** Counts a text's characters, so a test sees how much text the observer passed on. */
  private static dev.tollgate.wire.ProducedText chars() {
    return new dev.tollgate.wire.ProducedText();
  }
}
