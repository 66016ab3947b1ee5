package dev.tollgate.wire.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.core.Usage;
import dev.tollgate.wire.Answer;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.Prompt;
import dev.tollgate.wire.StreamObserver;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** OpenAI's wire format, pure: reading requests, their prompt, observing answers and streams, error bodies. */
class OpenAiDialectTest {
  private final OpenAiDialect openai = new OpenAiDialect(new ObjectMapper());

  private ApiRequest read(OpenAiEndpoint endpoint, String body) {
    return openai.read(endpoint, body.getBytes(StandardCharsets.UTF_8), null);
  }

  @Test
  void a_chat_prompt_is_its_roles_and_texts_with_openais_framing() {
    Prompt p = read(OpenAiEndpoint.CHAT_COMPLETIONS, """
        {"model":"m","messages":[{"role":"system","content":"Be brief."},
         {"role":"user","name":"ann","content":[{"type":"text","text":"Describe"},{"type":"image_url","image_url":{"url":"x"}}]}]}""")
        .prompt();

    assertThat(p.pieces()).containsExactly("Be brief.", "Describe", "ann");
    // 3 per message and 1 for its (one-token) role, 1 for the name, 85 for the image at its low-detail floor,
    // 3 priming the reply
    assertThat(p.framingTokens()).isEqualTo((3 + 1) + (3 + 1 + 1 + 85) + 3);
  }

  @Test
  void an_unusual_role_is_counted_by_the_tokenizer() {
    Prompt p = read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[{\"role\":\"critic\",\"content\":\"x\"}]}").prompt();
    assertThat(p.pieces()).containsExactly("critic", "x");
    assertThat(p.framingTokens()).isEqualTo(3 + 3);
  }

  /** Issue 20, defect 4: an output cap beyond 2^31 - 1 is refused naming its field; the bound itself is accepted. */
  @Test
  void an_output_cap_above_the_bound_is_refused_naming_its_field() {
    String[][] cases = {
        {"CHAT_COMPLETIONS", "max_tokens", ",\"messages\":[]"}, {"CHAT_COMPLETIONS", "max_completion_tokens", ",\"messages\":[]"},
        {"COMPLETIONS", "max_tokens", ",\"prompt\":\"x\""}, {"RESPONSES", "max_output_tokens", ",\"input\":\"x\""}};
    for (String[] c : cases) {
      OpenAiEndpoint endpoint = OpenAiEndpoint.valueOf(c[0]);
      for (String value : new String[] {"2147483648", "9223372036854775807", "99999999999999999999999"}) {
        assertThatThrownBy(() -> read(endpoint, "{\"model\":\"m\",\"" + c[1] + "\":" + value + c[2] + "}"))
            .as(c[0] + " " + c[1] + " " + value)
            .isInstanceOfSatisfying(GatewayFailure.class, f -> {
              assertThat(f.status()).isEqualTo(400);
              assertThat(f.param()).isEqualTo(c[1]);
              assertThat(f.getMessage()).isEqualTo("'" + c[1] + "' must be at most 2147483647.");
            });
      }
      assertThat(read(endpoint, "{\"model\":\"m\",\"" + c[1] + "\":2147483647" + c[2] + "}").maxOutputTokens()).isEqualTo(2147483647L);
    }
    assertThatThrownBy(() -> read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"max_tokens\":-99999999999999999999,\"messages\":[]}"))
        .hasMessage("'max_tokens' must be a positive integer.");
  }

  @Test
  void completions_and_embeddings_count_their_text_alone() {
    assertThat(read(OpenAiEndpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}").prompt())
        .isEqualTo(new Prompt(java.util.List.of("a", "b"), 0));
    assertThat(read(OpenAiEndpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":[1,2,3]}").prompt().framingTokens()).isEqualTo(3);
    assertThat(read(OpenAiEndpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":\"x\"}").maxOutputTokens()).isZero();
  }

  @Test
  void the_upstream_body_names_the_upstream_model_and_asks_for_stream_usage_only_when_the_client_did_not() {
    ApiRequest plain = read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"alias\",\"stream\":true,\"messages\":[]}");
    JsonObject up = new JsonObject(new String(openai.upstreamBody(plain, "gpt-4o"), StandardCharsets.UTF_8));
    assertThat(up.getString("model")).isEqualTo("gpt-4o");
    assertThat(up.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
    assertThat(plain.clientWantsUsage()).isFalse();

    ApiRequest responses = read(OpenAiEndpoint.RESPONSES, "{\"model\":\"m\",\"stream\":true,\"input\":\"x\"}");
    assertThat(new JsonObject(new String(openai.upstreamBody(responses, "m"), StandardCharsets.UTF_8)).containsKey("stream_options")).isFalse();
  }

  @Test
  void a_chat_stream_hides_the_usage_chunk_the_gateway_asked_for_and_reads_usage_text_and_end() {
    StreamObserver o = openai.observe(read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"stream\":true}"), chars());
    assertThat(o.relay(null, "{\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}")).isTrue();
    assertThat(o.relay(null, "{\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}")).isTrue();
    assertThat(o.relay(null, "{\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":2}}")).isFalse();
    assertThat(o.ended()).isFalse();
    assertThat(o.relay(null, "[DONE]")).isTrue();

    assertThat(o.produced().pending().length()).as("characters produced: %s", "Hello").isEqualTo(5);
    assertThat(o.usage()).isEqualTo(new Usage(8, 2, 0, 0));
    assertThat(o.ended()).isTrue();

    StreamObserver asked = openai.observe(read(OpenAiEndpoint.CHAT_COMPLETIONS,
        "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"), chars());
    assertThat(asked.relay(null, "{\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":2}}")).isTrue();
  }

  @Test
  void a_responses_stream_ends_at_response_completed_with_its_usage() {
    StreamObserver o = openai.observe(read(OpenAiEndpoint.RESPONSES, "{\"model\":\"m\",\"stream\":true,\"input\":\"x\"}"), chars());
    o.relay("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}");
    o.relay("response.completed", "{\"type\":\"response.completed\",\"response\":{\"usage\":{\"input_tokens\":5,"
        + "\"output_tokens\":1,\"input_tokens_details\":{\"cached_tokens\":2}}}}");
    assertThat(o.produced().pending().length()).as("characters produced: %s", "Hi").isEqualTo(2);
    assertThat(o.usage()).isEqualTo(new Usage(5, 1, 2, 0));
    assertThat(o.ended()).isTrue();
  }

  @Test
  void an_answer_without_usage_gives_its_text_for_an_estimate() {
    ApiRequest chat = read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"}");
    assertThat(openai.readAnswer(chat, "{\"choices\":[{\"message\":{\"content\":\"Hi there\"}}]}".getBytes()))
        .isEqualTo(new Answer(null, "Hi there"));
    assertThat(openai.readAnswer(chat, "{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1},\"choices\":[]}".getBytes()).usage())
        .isEqualTo(new Usage(3, 1, 0, 0));
  }

  @Test
  void bad_fields_are_400s_naming_the_param_and_errors_have_openais_shape() {
    assertThatThrownBy(() -> read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"stream\":\"yes\"}"))
        .isInstanceOfSatisfying(GatewayFailure.class, f -> assertThat(f.param()).isEqualTo("stream"));
    JsonObject body = new JsonObject(new String(openai.errorBody(GatewayFailure.modelNotFound("x\"y")), StandardCharsets.UTF_8));
    assertThat(body.getJsonObject("error").fieldNames()).containsExactlyInAnyOrder("message", "type", "param", "code");
    assertThat(body.getJsonObject("error").getString("message")).contains("x\"y");
  }

  /** Counts a text's characters, so a test sees how much text the observer passed on. */
  private static dev.tollgate.wire.ProducedText chars() {
    return new dev.tollgate.wire.ProducedText();
  }
}
