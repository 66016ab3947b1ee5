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

    assertThat(p.pieces()).containsExactlyInAnyOrder("Be brief.", "Describe", "ann");
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

  /** Issue 18: the body goes upstream as the client wrote it, only the model's value changed, without a JSON tree. */
  @Test
  void the_upstream_body_is_the_clients_bytes_with_the_model_replaced() {
    String client = "{ \"temperature\": 1.50 ,\n  \"model\" : \"al\\u0069as\", \"messages\":[{\"role\":\"user\",\"content\":\"hi\"}], \"seed\": 1e3 }";
    ApiRequest request = read(OpenAiEndpoint.CHAT_COMPLETIONS, client);
    assertThat(request.model()).isEqualTo("alias");
    assertThat(new String(openai.upstreamBody(request, "gpt-\"4o\u00e9"), StandardCharsets.UTF_8))
        .isEqualTo(client.replace("\"al\\u0069as\"", "\"gpt-\\\"4o\u00e9\""));

    byte[] same = "{\"model\":\"gpt-4o\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8);
    assertThat(openai.upstreamBody(openai.read(OpenAiEndpoint.CHAT_COMPLETIONS, same, null), "gpt-4o"))
        .as("nothing to change: the client's own bytes").isSameAs(same);
  }

  @Test
  void a_stream_asks_for_usage_after_the_clients_fields_or_through_the_tree_when_it_has_stream_options() {
    ApiRequest plain = read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"stream\":true,\"model\":\"alias\",\"messages\":[] }\n");
    assertThat(new String(openai.upstreamBody(plain, "gpt-4o"), StandardCharsets.UTF_8))
        .isEqualTo("{\"stream\":true,\"model\":\"gpt-4o\",\"messages\":[] ,\"stream_options\":{\"include_usage\":true}}\n");

    ApiRequest declined = read(OpenAiEndpoint.CHAT_COMPLETIONS,
        "{\"model\":\"alias\",\"stream\":true,\"stream_options\":{\"include_usage\":false,\"x\":1},\"messages\":[]}");
    assertThat(declined.clientWantsUsage()).isFalse();
    JsonObject up = new JsonObject(new String(openai.upstreamBody(declined, "gpt-4o"), StandardCharsets.UTF_8));
    assertThat(up.getJsonObject("stream_options").getMap()).isEqualTo(java.util.Map.of("include_usage", true, "x", 1));
    assertThat(up.getString("model")).isEqualTo("gpt-4o");

    ApiRequest asked = read(OpenAiEndpoint.CHAT_COMPLETIONS,
        "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}");
    assertThat(asked.clientWantsUsage()).isTrue();
    assertThat(new String(openai.upstreamBody(asked, "gpt-4o"), StandardCharsets.UTF_8))
        .isEqualTo("{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}");
  }

  /**
   * Bytes another JSON reader could read otherwise than Jackson go upstream as Jackson read them: an overlong UTF-8
   * "o" that Jackson reads as the letter (so {@code stream_options} is the client's, and a provider that decodes it
   * as a replacement character would miss it), and a byte order mark.
   */
  @Test
  void bytes_a_provider_could_read_otherwise_go_upstream_as_the_gateway_read_them() {
    byte[] overlong = "{\"model\":\"m\",\"stream\":true,\"stream_\u00c1\u00afptions\":{\"include_usage\":true},\"messages\":[]}"
        .getBytes(StandardCharsets.ISO_8859_1);
    ApiRequest request = openai.read(OpenAiEndpoint.CHAT_COMPLETIONS, overlong, null);
    assertThat(request.clientWantsUsage()).as("Jackson reads the key as stream_options").isTrue();
    assertThat(new String(openai.upstreamBody(request, "gpt-4o"), StandardCharsets.UTF_8))
        .isEqualTo("{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}");

    byte[] bom = "\u00ef\u00bb\u00bf{\"model\":\"m\",\"messages\":[]}".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(new String(openai.upstreamBody(openai.read(OpenAiEndpoint.CHAT_COMPLETIONS, bom, null), "gpt-4o"), StandardCharsets.UTF_8))
        .isEqualTo("{\"model\":\"gpt-4o\",\"messages\":[]}");

    String accented = "{\"messages\":[{\"role\":\"user\",\"content\":\"caf\u00e9 \ud83d\ude00\"}],\"model\":\"m\"}";
    assertThat(new String(openai.upstreamBody(read(OpenAiEndpoint.CHAT_COMPLETIONS, accented), "gpt-4o"), StandardCharsets.UTF_8))
        .as("well-formed UTF-8 keeps its bytes").isEqualTo(accented.replace("\"m\"}", "\"gpt-4o\"}"));
  }

  /**
   * A string longer than Jackson allows: the streaming pass skips it without checking, so a body that large is read as a
   * tree too and refused, as the tree refused it, whatever route it takes.
   */
  @Test
  void a_body_the_tree_cannot_hold_is_a_400() {
    assertThatThrownBy(() -> read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"x\":\"" + "x".repeat(20_000_001) + "\"}"))
        .isInstanceOfSatisfying(GatewayFailure.class, f -> assertThat(f.status()).isEqualTo(400))
        .hasMessage(dev.tollgate.wire.RequestBody.UNPARSABLE);
  }

  @Test
  void a_model_given_in_the_path_goes_upstream_in_the_body() {
    ApiRequest request = openai.read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"messages\":[]}".getBytes(StandardCharsets.UTF_8), "deployment");
    assertThat(request.model()).isEqualTo("deployment");
    assertThat(new JsonObject(new String(openai.upstreamBody(request, "gpt-4o"), StandardCharsets.UTF_8)).getString("model"))
        .isEqualTo("gpt-4o");
  }

  @Test
  void what_is_not_one_json_object_is_refused_as_before() {
    for (String body : new String[] {"", "   ", "[1]", "\"x\"", "null"}) {
      assertThatThrownBy(() -> read(OpenAiEndpoint.CHAT_COMPLETIONS, body)).as(body)
          .hasMessage("The request body must be a JSON object.");
    }
    for (String body : new String[] {"{", "{\"model\":\"m\"} x", "[1] 2", "{\"model\":\"m\",\"model\":\"n\"}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"role\":\"system\"}]}"}) {
      assertThatThrownBy(() -> read(OpenAiEndpoint.CHAT_COMPLETIONS, body)).as(body)
          .hasMessage("We could not parse the JSON body of your request. The body must be a JSON object.");
    }
    // bytes the tree would have refused are refused though the pass skips their field: broken UTF-8, a bad number
    for (byte[] bad : new byte[][] {{'{', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', 'm', '"', ',', '"', 'x', '"', ':', '"', (byte) 0xC3, 'a', '"', '}'},
        {'{', '"', 'x', '"', ':', '"', (byte) 0xFF, '"', ',', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', 'm', '"', '}'},
        "{\"model\":\"m\",\"x\":01}".getBytes(StandardCharsets.UTF_8), "{\"model\":\"m\",\"x\":\"a\u0001\"}".getBytes(StandardCharsets.UTF_8)}) {
      assertThatThrownBy(() -> openai.read(OpenAiEndpoint.CHAT_COMPLETIONS, bad, null)).as(new String(bad, StandardCharsets.ISO_8859_1))
          .hasMessage("We could not parse the JSON body of your request. The body must be a JSON object.");
    }
    assertThatThrownBy(() -> read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\" \"}")).hasMessage("You must provide a model parameter.");
    assertThatThrownBy(() -> read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":null}")).hasMessage("You must provide a model parameter.");
    assertThatThrownBy(() -> read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":[\"m\"]}")).hasMessage("'model' must be a string.");
    assertThatThrownBy(() -> read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"max_tokens\":1.5}"))
        .hasMessage("'max_tokens' must be a positive integer.");
    assertThatThrownBy(() -> read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"max_completion_tokens\":\"8\",\"max_tokens\":8}"))
        .hasMessage("'max_completion_tokens' must be a positive integer.");
    ApiRequest capped = read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"max_tokens\":9,\"model\":\"m\",\"max_completion_tokens\":null,\"user\":\"u1\"}");
    assertThat(capped.maxOutputTokens()).isEqualTo(9L);
    assertThat(capped.user()).isEqualTo("u1");
  }

  /** Tools, tool calls and Responses items, read in one pass; a translation's tree gives the same prompt as the bytes. */
  @Test
  void tools_tool_calls_and_responses_items_count_as_before_and_a_tree_counts_as_its_bytes() {
    String chat = """
        {"model":"m","tools":[{"type":"function","function":{"description":"Look up","name":"find",
          "parameters":{"type":"object","properties":{"q":{"type":"string"}}}}}, 7],
         "messages":[{"content":null,"role":"assistant","tool_calls":[{"id":"c1","function":{"arguments":"{\\"q\\":1}","name":"find"}}]},
          {"role":"tool","content":[{"text":"found","type":"text"},{"type":"input_image","text":"ignored"}]}]}""";
    Prompt p = read(OpenAiEndpoint.CHAT_COMPLETIONS, chat).prompt();
    assertThat(p.pieces()).containsExactlyInAnyOrder("find", "Look up", "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}",
        "{\"q\":1}", "find", "found");
    assertThat(p.framingTokens()).isEqualTo((3 + 1) + (3 + 1 + 85) + 3);
    assertThat(openai.prompt(new ApiRequest(openai, OpenAiEndpoint.CHAT_COMPLETIONS,
        dev.tollgate.wire.RequestBody.of((com.fasterxml.jackson.databind.node.ObjectNode) new JsonObject(chat).mapTo(
            com.fasterxml.jackson.databind.node.ObjectNode.class)), "m", false, false, null, null)))
        .isEqualTo(p);

    Prompt responses = read(OpenAiEndpoint.RESPONSES, """
        {"model":"m","instructions":"Be brief.","input":[{"role":"user","content":"hi"},
         {"type":"function_call_output","output":"42"}],"tools":[{"type":"function","name":"f","parameters":null}]}""").prompt();
    assertThat(responses.pieces()).containsExactlyInAnyOrder("Be brief.", "hi", "42", "f");
    assertThat(responses.framingTokens()).isEqualTo((3 + 1) + (3 + 1) + 3 + 3);
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

  /**
   * The relay hands a chunk's bytes: read as the text is, and bytes that are not strict UTF-8 as the text
   * (U+FFFD) rather than skipped, so their usage still counts; a chunk that cannot be read adds no text.
   */
  @Test
  void a_chat_stream_read_from_bytes_reads_as_its_text() {
    StreamObserver o = openai.observe(read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"stream\":true}"), chars());
    assertThat(o.relay(null, "{\"choices\":[{\"delta\":{\"content\":\"H\u00e9\"}},{\"delta\":{\"content\":\"y\"}}]}"
        .getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(o.relay(null, "{\"choices\":[{\"delta\":{\"content\":\"a\"}},{\"delta\":{\"content\":\"cut"
        .getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(o.produced().pending()).as("text of the two choices; none of the chunk cut short").isEqualTo("H\u00e9y");
    byte[] textThenBadUtf8 = "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"x\":\"?\"}".getBytes(StandardCharsets.UTF_8);
    textThenBadUtf8[textThenBadUtf8.length - 3] = (byte) 0xC1;
    assertThat(o.relay(null, textThenBadUtf8)).isTrue();
    assertThat(o.produced().pending()).as("a chunk read again as text counts its text once").isEqualTo("H\u00e9ya");
    byte[] badUtf8 = "{\"id\":\"x?\",\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":2}}"
        .getBytes(StandardCharsets.UTF_8);
    badUtf8[new String(badUtf8, StandardCharsets.UTF_8).indexOf('?')] = (byte) 0xC1; // an overlong lead byte: never UTF-8
    assertThat(o.relay(null, badUtf8)).as("the usage chunk the gateway asked for stays hidden").isFalse();
    assertThat(o.usage()).isEqualTo(new Usage(8, 2, 0, 0));
    assertThat(o.relay(null, "[DONE]".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(o.ended()).isTrue();
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
  void an_answers_usage_is_read_in_either_shape_with_its_details() {
    ApiRequest chat = read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"}");
    assertThat(openai.readAnswer(chat, ("{\"usage\":{\"total_tokens\":99,\"completion_tokens_details\":{\"audio_tokens\":5,\"reasoning_tokens\":4},"
        + "\"prompt_tokens\":\"30\",\"prompt_tokens_details\":{\"cached_tokens\":20},\"completion_tokens\":9.0},\"choices\":[]}").getBytes()).usage())
        .isEqualTo(new Usage(30, 9, 20, 4));
    ApiRequest responses = read(OpenAiEndpoint.RESPONSES, "{\"model\":\"m\",\"input\":\"x\"}");
    assertThat(openai.readAnswer(responses, ("{\"output\":[],\"usage\":{\"input_tokens\":7,\"output_tokens\":null,"
        + "\"input_tokens_details\":{\"cached_tokens\":3},\"output_tokens_details\":{\"reasoning_tokens\":2},\"prompt_tokens\":100}}").getBytes())
        .usage()).isEqualTo(new Usage(7, 0, 3, 2));
    assertThat(openai.readAnswer(chat, "{\"usage\":{\"total_tokens\":3},\"choices\":[{\"message\":{\"content\":\"Hi\"}}]}".getBytes()))
        .as("a usage without counts is none: the text is estimated").isEqualTo(new Answer(null, "Hi"));
  }

  /** Counts as a tree read them: a float cut as Java casts it, an integer beyond a long wrapped, true as 1; never an error. */
  @Test
  void usage_counts_out_of_the_ordinary_are_read_as_before() {
    ApiRequest chat = read(OpenAiEndpoint.CHAT_COMPLETIONS, "{\"model\":\"m\"}");
    assertThat(openai.readAnswer(chat, ("{\"usage\":{\"prompt_tokens\":1e30,\"completion_tokens\":18446744073709551617,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":true},\"completion_tokens_details\":{\"reasoning_tokens\":[1]}}}").getBytes()).usage())
        .isEqualTo(new Usage(Long.MAX_VALUE, 1, 1, 0));
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
