package dev.tollgate.wire.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.Translation;
import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.anthropic.AnthropicOperation;
import dev.tollgate.wire.openai.OpenAiDialect;
import dev.tollgate.wire.openai.OpenAiEndpoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each client API carried by a provider speaking the other: the request, the answer, the stream and errors. */
class BridgesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final OpenAiDialect openai = new OpenAiDialect(JSON);
  private final AnthropicDialect anthropic = new AnthropicDialect(JSON);
  private final Bridges bridges = new Bridges(JSON, openai, anthropic);

  private Translation translate(String chat) {
    ApiRequest request = openai.read(OpenAiEndpoint.CHAT_COMPLETIONS, chat.getBytes(StandardCharsets.UTF_8), null);
    return bridges.translate(request, "anthropic");
  }

  private JsonNode upstreamBody(Translation t) throws Exception {
    return JSON.readTree(t.upstream().dialect().upstreamBody(t.upstream(), "claude-upstream"));
  }

  @Test
  void a_conversation_with_system_images_tools_and_tool_results_becomes_a_messages_request() throws Exception {
    Translation t = translate("""
        {"model":"claude","stream":true,"max_completion_tokens":200,"temperature":1.5,"stop":"END","user":"u-7",
         "parallel_tool_calls":false,
         "tools":[{"type":"function","function":{"name":"weather","description":"Weather by city",
                   "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
         "tool_choice":"required",
         "messages":[
           {"role":"system","content":"Be brief."},
           {"role":"developer","content":[{"type":"text","text":"Use tools."}]},
           {"role":"user","content":[{"type":"text","text":"What is this and the weather?"},
                                     {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0"}},
                                     {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]},
           {"role":"assistant","content":null,"tool_calls":[
              {"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
              {"id":"call_2","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Lyon\\"}"}}]},
           {"role":"tool","tool_call_id":"call_1","content":"Sunny"},
           {"role":"tool","tool_call_id":"call_2","content":"Rain"},
           {"role":"user","content":"Thanks"}]}""");
    assertThat(t.upstream().dialect().name()).isEqualTo("anthropic");
    assertThat(t.upstream().maxOutputTokens()).isEqualTo(200);
    JsonNode body = upstreamBody(t);
    assertThat(body).isEqualTo(JSON.readTree("""
        {"model":"claude-upstream",
         "messages":[
           {"role":"user","content":[{"type":"text","text":"What is this and the weather?"},
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0"}},
              {"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}}]},
           {"role":"assistant","content":[
              {"type":"tool_use","id":"call_1","name":"weather","input":{"city":"Paris"}},
              {"type":"tool_use","id":"call_2","name":"weather","input":{"city":"Lyon"}}]},
           {"role":"user","content":[
              {"type":"tool_result","tool_use_id":"call_1","content":"Sunny"},
              {"type":"tool_result","tool_use_id":"call_2","content":"Rain"},
              {"type":"text","text":"Thanks"}]}],
         "system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Use tools."}],
         "max_tokens":200,"stream":true,"temperature":1.0,"stop_sequences":["END"],"metadata":{"user_id":"u-7"},
         "tools":[{"name":"weather","description":"Weather by city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
         "tool_choice":{"type":"any","disable_parallel_tool_use":true}}"""));
  }

  @Test
  void max_tokens_defaults_since_anthropic_requires_it() throws Exception {
    JsonNode body = upstreamBody(translate("{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    assertThat(body.path("max_tokens").asLong()).isEqualTo(ChatToMessages.DEFAULT_MAX_TOKENS);
    assertThat(body.path("messages").get(0)).isEqualTo(JSON.readTree("{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}"));
  }

  @Test
  void what_anthropic_cannot_do_is_a_400_naming_the_field() {
    assertThatThrownBy(() -> translate("{\"model\":\"c\",\"n\":2,\"messages\":[]}")).isInstanceOf(GatewayFailure.class)
        .satisfies(e -> assertThat(((GatewayFailure) e).param()).isEqualTo("n"));
    assertThatThrownBy(() -> translate("{\"model\":\"c\",\"logprobs\":true,\"messages\":[]}"))
        .satisfies(e -> assertThat(((GatewayFailure) e).param()).isEqualTo("logprobs"));
    assertThatThrownBy(() -> translate("{\"model\":\"c\",\"response_format\":{\"type\":\"json_object\"},\"messages\":[]}"))
        .satisfies(e -> assertThat(((GatewayFailure) e).status()).isEqualTo(400));
  }

  @Test
  void an_answer_with_text_and_tool_calls_becomes_a_chat_completion() throws Exception {
    Translation t = translate("{\"model\":\"claude\",\"messages\":[]}");
    JsonNode chat = JSON.readTree(t.answer("""
        {"id":"msg_abc","type":"message","role":"assistant","model":"claude-upstream",
         "content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}}],
         "stop_reason":"tool_use","stop_sequence":null,
         "usage":{"input_tokens":10,"output_tokens":20,"cache_read_input_tokens":30,"cache_creation_input_tokens":40}}"""
        .getBytes(StandardCharsets.UTF_8)));
    assertThat(chat.path("id").asText()).isEqualTo("chatcmpl-abc");
    assertThat(chat.path("object").asText()).isEqualTo("chat.completion");
    JsonNode choice = chat.path("choices").get(0);
    assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(choice.path("message").path("content").asText()).isEqualTo("Checking.");
    JsonNode call = choice.path("message").path("tool_calls").get(0);
    assertThat(call.path("id").asText()).isEqualTo("toolu_1");
    assertThat(call.path("function").path("name").asText()).isEqualTo("weather");
    assertThat(JSON.readTree(call.path("function").path("arguments").asText())).isEqualTo(JSON.readTree("{\"city\":\"Paris\"}"));
    assertThat(chat.path("usage")).isEqualTo(JSON.readTree(
        "{\"prompt_tokens\":80,\"completion_tokens\":20,\"total_tokens\":100,\"prompt_tokens_details\":{\"cached_tokens\":30}}"));
  }

  @Test
  void stop_reasons_map_to_finish_reasons() {
    assertThat(MessageToChat.finishReason("end_turn")).isEqualTo("stop");
    assertThat(MessageToChat.finishReason("stop_sequence")).isEqualTo("stop");
    assertThat(MessageToChat.finishReason("max_tokens")).isEqualTo("length");
    assertThat(MessageToChat.finishReason("tool_use")).isEqualTo("tool_calls");
    assertThat(MessageToChat.finishReason("refusal")).isEqualTo("content_filter");
  }

  @Test
  void an_anthropic_error_keeps_its_message_in_openais_shape() throws Exception {
    Translation t = translate("{\"model\":\"claude\",\"messages\":[]}");
    JsonNode error = JSON.readTree(t.error(529,
        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}".getBytes(StandardCharsets.UTF_8)));
    assertThat(error.path("error").path("message").asText()).isEqualTo("Overloaded");
    assertThat(error.path("error").path("type").asText()).isEqualTo("server_error");
    assertThat(error.path("error").path("code").asText()).isEqualTo("overloaded_error");
  }

  @Test
  void a_stream_becomes_chunks_with_text_tool_call_deltas_finish_reason_and_usage() throws Exception {
    Translation t = translate("{\"model\":\"claude\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}");
    Translation.Events events = t.events();
    List<String> visible = new ArrayList<>();
    List<String> all = new ArrayList<>();
    Translation.Sink sink = (raw, show) -> {
      String s = new String(raw, StandardCharsets.UTF_8);
      all.add(s);
      if (show) visible.add(s);
    };
    events.translate("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"cu\",\"content\":[],"
        + "\"usage\":{\"input_tokens\":5,\"cache_read_input_tokens\":2,\"output_tokens\":1}}}", sink);
    events.translate("content_block_start", "{\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}", sink);
    events.translate("ping", "{\"type\":\"ping\"}", sink);
    events.translate("content_block_delta", "{\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}", sink);
    events.translate("content_block_stop", "{\"index\":0}", sink);
    events.translate("content_block_start", "{\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"f\",\"input\":{}}}", sink);
    events.translate("content_block_delta", "{\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\":\"}}", sink);
    events.translate("content_block_delta", "{\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"1}\"}}", sink);
    events.translate("content_block_stop", "{\"index\":1}", sink);
    events.translate("message_delta", "{\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":9}}", sink);
    events.translate("message_stop", "{\"type\":\"message_stop\"}", sink);

    assertThat(visible).isEqualTo(all);
    assertThat(visible.get(visible.size() - 1)).isEqualTo("data: [DONE]\n\n");
    List<JsonNode> chunks = new ArrayList<>();
    for (String s : visible.subList(0, visible.size() - 1)) chunks.add(JSON.readTree(s.substring(6)));
    assertThat(chunks).allSatisfy(c -> assertThat(c.path("id").asText()).isEqualTo("chatcmpl-1"));
    assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(chunks.get(1).at("/choices/0/delta/content").asText()).isEqualTo("Hi");
    assertThat(chunks.get(2).at("/choices/0/delta/tool_calls/0/id").asText()).isEqualTo("toolu_9");
    assertThat(chunks.get(2).at("/choices/0/delta/tool_calls/0/index").asInt()).isZero();
    assertThat(chunks.get(3).at("/choices/0/delta/tool_calls/0/function/arguments").asText()
        + chunks.get(4).at("/choices/0/delta/tool_calls/0/function/arguments").asText()).isEqualTo("{\"a\":1}");
    assertThat(chunks.get(5).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(chunks.get(6).path("usage")).isEqualTo(JSON.readTree(
        "{\"prompt_tokens\":7,\"completion_tokens\":9,\"total_tokens\":16,\"prompt_tokens_details\":{\"cached_tokens\":2}}"));
  }

  @Test
  void the_usage_chunk_is_kept_from_a_client_that_did_not_ask_for_it() {
    Translation.Events events = translate("{\"model\":\"claude\",\"stream\":true,\"messages\":[]}").events();
    List<Boolean> shown = new ArrayList<>();
    List<String> raw = new ArrayList<>();
    events.translate("message_stop", "{\"type\":\"message_stop\"}", (r, show) -> {
      raw.add(new String(r, StandardCharsets.UTF_8));
      shown.add(show);
    });
    assertThat(raw.get(0)).contains("\"usage\"");
    assertThat(shown).containsExactly(false, true);
  }

  @Test
  void only_chat_completions_cross_to_anthropic() {
    ApiRequest embeddings = openai.read(OpenAiEndpoint.EMBEDDINGS, "{\"model\":\"e\",\"input\":\"x\"}".getBytes(StandardCharsets.UTF_8), null);
    assertThat(bridges.translate(embeddings, "anthropic")).isNull();
  }

  // Anthropic Messages carried by an OpenAI-compatible provider

  private Translation reverse(String messages) {
    ApiRequest request = anthropic.read(AnthropicOperation.MESSAGES, messages.getBytes(StandardCharsets.UTF_8), null);
    return bridges.translate(request, "openai");
  }

  @Test
  void a_messages_request_with_system_images_tools_and_results_becomes_a_chat_request() throws Exception {
    Translation t = reverse("""
        {"model":"gpt","max_tokens":100,"stream":true,"system":"Be brief.","stop_sequences":["END"],"temperature":0.5,
         "metadata":{"user_id":"u-1"},
         "tools":[{"name":"weather","description":"Weather","input_schema":{"type":"object"}}],
         "tool_choice":{"type":"tool","name":"weather","disable_parallel_tool_use":true},
         "messages":[
           {"role":"user","content":[{"type":"text","text":"Look"},
                                     {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAA"}}]},
           {"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s"},{"type":"text","text":"Checking."},
                                          {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"Sunny"}]},
                                     {"type":"text","text":"And now?"}]}]}""");
    assertThat(t.upstream().dialect().name()).isEqualTo("openai");
    JsonNode body = JSON.readTree(t.upstream().dialect().upstreamBody(t.upstream(), "gpt-upstream"));
    assertThat(body).isEqualTo(JSON.readTree("""
        {"model":"gpt-upstream",
         "messages":[
           {"role":"system","content":"Be brief."},
           {"role":"user","content":[{"type":"text","text":"Look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAA"}}]},
           {"role":"assistant","content":"Checking.","tool_calls":[
              {"id":"toolu_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
           {"role":"tool","tool_call_id":"toolu_1","content":"Sunny"},
           {"role":"user","content":[{"type":"text","text":"And now?"}]}],
         "max_completion_tokens":100,"stream":true,"temperature":0.5,"stop":["END"],"user":"u-1",
         "tools":[{"type":"function","function":{"name":"weather","description":"Weather","parameters":{"type":"object"}}}],
         "tool_choice":{"type":"function","function":{"name":"weather"}},"parallel_tool_calls":false,
         "stream_options":{"include_usage":true}}"""));
  }

  @Test
  void a_chat_completion_becomes_a_message_with_cached_tokens_as_cache_reads() throws Exception {
    Translation t = reverse("{\"model\":\"gpt\",\"max_tokens\":10,\"messages\":[]}");
    JsonNode message = JSON.readTree(t.answer("""
        {"id":"chatcmpl-xyz","object":"chat.completion","model":"gpt-upstream",
         "choices":[{"index":0,"message":{"role":"assistant","content":"On it.","tool_calls":[
            {"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
           "finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":100,"completion_tokens":7,"total_tokens":107,"prompt_tokens_details":{"cached_tokens":60}}}"""
        .getBytes(StandardCharsets.UTF_8)));
    assertThat(message).isEqualTo(JSON.readTree("""
        {"id":"msg_xyz","type":"message","role":"assistant","model":"gpt-upstream",
         "content":[{"type":"text","text":"On it."},{"type":"tool_use","id":"call_1","name":"weather","input":{"city":"Rome"}}],
         "stop_reason":"tool_use","stop_sequence":null,
         "usage":{"input_tokens":40,"cache_creation_input_tokens":0,"cache_read_input_tokens":60,"output_tokens":7}}"""));
    JsonNode error = JSON.readTree(t.error(429, "{\"error\":{\"message\":\"Slow down\",\"type\":\"requests\"}}".getBytes(StandardCharsets.UTF_8)));
    assertThat(error).isEqualTo(JSON.readTree("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Slow down\"}}"));
  }

  @Test
  void chat_chunks_become_a_messages_stream_that_assembles_to_the_answer() throws Exception {
    Translation t = reverse("{\"model\":\"gpt\",\"max_tokens\":10,\"stream\":true,\"messages\":[]}");
    Translation.Events events = t.events();
    List<byte[]> out = new ArrayList<>();
    Translation.Sink sink = (raw, show) -> out.add(raw);
    String head = "{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"model\":\"g\",\"choices\":[{\"index\":0,\"delta\":";
    events.translate(null, head + "{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}", sink);
    events.translate(null, head + "{\"content\":\"Hel\"},\"finish_reason\":null}]}", sink);
    events.translate(null, head + "{\"content\":\"lo\"},\"finish_reason\":null}]}", sink);
    events.translate(null, head + "{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}", sink);
    events.translate(null, head + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\":\"}}]},\"finish_reason\":null}]}", sink);
    events.translate(null, head + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"2}\"}}]},\"finish_reason\":null}]}", sink);
    events.translate(null, head + "{},\"finish_reason\":\"tool_calls\"}]}", sink);
    events.translate(null, "{\"id\":\"chatcmpl-7\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5}}", sink);
    events.translate(null, "[DONE]", sink);

    List<dev.tollgate.wire.StreamEvent> parsed = new ArrayList<>();
    for (byte[] raw : out) {
      String[] lines = new String(raw, StandardCharsets.UTF_8).split("\n");
      parsed.add(new dev.tollgate.wire.StreamEvent(lines[0].substring(7), lines[1].substring(6)));
    }
    assertThat(parsed).extracting(dev.tollgate.wire.StreamEvent::name).containsExactly("message_start", "content_block_start",
        "content_block_delta", "content_block_delta", "content_block_stop", "content_block_start", "content_block_delta",
        "content_block_delta", "content_block_stop", "message_delta", "message_stop");
    JsonNode message = JSON.readTree(anthropic.assemble(t.upstream(), parsed));
    assertThat(message.path("content")).isEqualTo(JSON.readTree(
        "[{\"type\":\"text\",\"text\":\"Hello\"},{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"f\",\"input\":{\"a\":2}}]"));
    assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
    assertThat(message.path("usage").path("input_tokens").asLong()).isEqualTo(12);
    assertThat(message.path("usage").path("output_tokens").asLong()).isEqualTo(5);
  }

  @Test
  void tool_calls_finished_with_stop_are_still_tool_use_for_anthropic_clients() throws Exception {
    Translation t = reverse("{\"model\":\"gpt\",\"max_tokens\":10,\"messages\":[]}");
    JsonNode message = JSON.readTree(t.answer(("{\"id\":\"c\",\"choices\":[{\"message\":{\"content\":null,\"tool_calls\":["
        + "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}").getBytes(StandardCharsets.UTF_8)));
    assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
  }

  @Test
  void parallel_tool_calls_from_a_server_that_sends_no_index_become_separate_blocks() throws Exception {
    Translation t = reverse("{\"model\":\"gpt\",\"max_tokens\":10,\"stream\":true,\"messages\":[]}");
    Translation.Events events = t.events();
    List<byte[]> out = new ArrayList<>();
    String head = "{\"id\":\"chatcmpl-8\",\"model\":\"g\",\"choices\":[{\"index\":0,\"delta\":";
    events.translate(null, head + "{\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":\"}}]}}]}", (r, v) -> out.add(r));
    events.translate(null, head + "{\"tool_calls\":[{\"function\":{\"arguments\":\"1}\"}}]}}]}", (r, v) -> out.add(r));
    events.translate(null, head + "{\"tool_calls\":[{\"id\":\"b\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"stop\"}]}", (r, v) -> out.add(r));
    events.translate(null, "[DONE]", (r, v) -> out.add(r));
    JsonNode message = JSON.readTree(anthropic.assemble(t.upstream(), dev.tollgate.wire.SseEvents.parse(out)));
    assertThat(message.path("content")).isEqualTo(JSON.readTree(
        "[{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"f\",\"input\":{\"x\":1}},{\"type\":\"tool_use\",\"id\":\"b\",\"name\":\"g\",\"input\":{}}]"));
    assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
  }

  @Test
  void a_streamed_call_without_parameters_gets_empty_object_arguments() throws Exception {
    Translation.Events events = translate("{\"model\":\"claude\",\"stream\":true,\"messages\":[]}").events();
    List<String> chunks = new ArrayList<>();
    events.translate("content_block_start", "{\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"now\",\"input\":{}}}",
        (r, v) -> chunks.add(new String(r, StandardCharsets.UTF_8)));
    events.translate("content_block_delta", "{\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}",
        (r, v) -> chunks.add(new String(r, StandardCharsets.UTF_8)));
    events.translate("content_block_stop", "{\"index\":0}", (r, v) -> chunks.add(new String(r, StandardCharsets.UTF_8)));
    String arguments = "";
    for (String c : chunks) arguments += JSON.readTree(c.substring(6)).at("/choices/0/delta/tool_calls/0/function/arguments").asText("");
    assertThat(arguments).isEqualTo("{}");
  }

  @Test
  void empty_user_turns_are_left_out_and_tool_results_keep_errors_and_images() throws Exception {
    JsonNode messages = upstreamBody(translate("{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"\"},"
        + "{\"role\":\"user\",\"content\":\"hi\"}]}")).path("messages");
    assertThat(messages).hasSize(1);
    Translation t = reverse("""
        {"model":"gpt","max_tokens":10,"messages":[{"role":"user","content":[
          {"type":"tool_result","tool_use_id":"t1","is_error":true,"content":"no such city"},
          {"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"shot"},
             {"type":"image","source":{"type":"url","url":"https://x/s.png"}}]}]}]}""");
    JsonNode chat = JSON.readTree(t.upstream().dialect().upstreamBody(t.upstream(), "g")).path("messages");
    assertThat(chat.get(0).path("content").asText()).isEqualTo("Error: no such city");
    assertThat(chat.get(1).path("content").asText()).isEqualTo("shot");
    assertThat(chat.get(2).path("role").asText()).isEqualTo("user");
    assertThat(chat.get(2).at("/content/0/image_url/url").asText()).isEqualTo("https://x/s.png");
  }
}
