package dev.tollgate.wire.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.SseEvents;
import dev.tollgate.wire.StreamEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An answer replayed as a stream and added up again is the same answer, for everything the wire carries. */
class StreamFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final OpenAiDialect openai = new OpenAiDialect(JSON);

  private ApiRequest request(OpenAiEndpoint endpoint) {
    return openai.read(endpoint, "{\"model\":\"m\",\"stream\":true}".getBytes(StandardCharsets.UTF_8), null);
  }

  private static List<StreamEvent> events(List<byte[]> raw) {
    return SseEvents.parse(raw);
  }

  private JsonNode roundTrip(OpenAiEndpoint endpoint, String answer) throws Exception {
    ApiRequest request = request(endpoint);
    List<byte[]> replay = openai.replay(request, answer.getBytes(StandardCharsets.UTF_8));
    assertThat(replay.size()).as("a replay comes in several events").isGreaterThan(3);
    return JSON.readTree(openai.assemble(request, events(replay)));
  }

  @Test
  void a_chat_answer_with_content_logprobs_usage_and_extra_fields_survives_the_round_trip() throws Exception {
    String answer = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o","system_fingerprint":"fp_1",
         "service_tier":"default",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, friend","refusal":null,"annotations":[]},
           "logprobs":{"content":[{"token":"Hello","logprob":-0.1,"bytes":[72],"top_logprobs":[]},
                                  {"token":" there","logprob":-0.2,"bytes":[32],"top_logprobs":[]},
                                  {"token":", friend","logprob":-0.3,"bytes":[44],"top_logprobs":[]}],"refusal":null},
           "finish_reason":"stop"}],
         "usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":0}}}""";
    assertThat(roundTrip(OpenAiEndpoint.CHAT_COMPLETIONS, answer)).isEqualTo(JSON.readTree(answer));
  }

  @Test
  void parallel_tool_calls_and_several_choices_survive_the_round_trip() throws Exception {
    String answer = """
        {"id":"c2","object":"chat.completion","created":1,"model":"m","choices":[
          {"index":0,"message":{"role":"assistant","content":null,"refusal":null,"tool_calls":[
             {"id":"call_a","type":"function","function":{"name":"lookup","arguments":"{\\"query\\":\\"the weather in Paris today\\"}"}},
             {"id":"call_b","type":"function","function":{"name":"lookup","arguments":"{\\"query\\":\\"x\\"}"}}]},
           "logprobs":null,"finish_reason":"tool_calls"},
          {"index":1,"message":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":"length"},
          {"index":2,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"logprobs":null,
           "finish_reason":"stop"}],
         "usage":{"prompt_tokens":20,"completion_tokens":30,"total_tokens":50}}""";
    assertThat(roundTrip(OpenAiEndpoint.CHAT_COMPLETIONS, answer)).isEqualTo(JSON.readTree(answer));
  }

  @Test
  void a_completion_survives_the_round_trip() throws Exception {
    String answer = """
        {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[
          {"text":" once upon a time there was","index":0,"logprobs":null,"finish_reason":"length"}],
         "usage":{"prompt_tokens":2,"completion_tokens":6,"total_tokens":8}}""";
    assertThat(roundTrip(OpenAiEndpoint.COMPLETIONS, answer)).isEqualTo(JSON.readTree(answer));
  }

  @Test
  void a_response_is_replayed_as_the_full_event_sequence_and_adds_up_to_itself() throws Exception {
    String answer = """
        {"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"m","output":[
          {"type":"message","id":"msg_1","status":"completed","role":"assistant",
           "content":[{"type":"output_text","text":"Hi there you","annotations":[]}]},
          {"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":"{\\"a\\":1}","status":"completed"}],
         "usage":{"input_tokens":5,"output_tokens":3,"total_tokens":8}}""";
    ApiRequest request = request(OpenAiEndpoint.RESPONSES);
    List<StreamEvent> replay = events(openai.replay(request, answer.getBytes(StandardCharsets.UTF_8)));

    assertThat(replay).extracting(StreamEvent::name).containsSubsequence("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done",
        "response.output_item.done", "response.completed");
    assertThat(replay.stream().filter(e -> "response.output_text.delta".equals(e.name()))).hasSize(3);
    for (int i = 0; i < replay.size(); i++) {
      assertThat(JSON.readTree(replay.get(i).data()).get("sequence_number").asInt()).isEqualTo(i);
    }
    assertThat(JSON.readTree(openai.assemble(request, replay))).isEqualTo(JSON.readTree(answer));
  }

  @Test
  void a_live_chat_stream_with_tool_call_arguments_in_pieces_adds_up_to_the_answer() throws Exception {
    List<StreamEvent> live = List.of(
        new StreamEvent(null, "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}]}"),
        new StreamEvent(null, "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\"\"}}]},\"finish_reason\":null}]}"),
        new StreamEvent(null, "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\":1}\"}}]},\"finish_reason\":null}]}"),
        new StreamEvent(null, "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"delta\":{},\"finish_reason\":\"tool_calls\"}]}"),
        new StreamEvent(null, "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}"),
        new StreamEvent(null, "[DONE]"));

    JsonNode answer = JSON.readTree(openai.assemble(request(OpenAiEndpoint.CHAT_COMPLETIONS), live));

    assertThat(answer).isEqualTo(JSON.readTree("""
        {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant",
         "content":null,"refusal":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}}]},
         "logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"""));
  }

  @Test
  void a_stream_that_carried_an_error_is_no_answer() {
    List<StreamEvent> broken = List.of(new StreamEvent(null, "{\"error\":{\"message\":\"x\"}}"));
    assertThat(openai.assemble(request(OpenAiEndpoint.CHAT_COMPLETIONS), broken)).isNull();
  }
}
