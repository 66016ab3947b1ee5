package dev.tollgate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Identical requests share a key however they are spelled; anything that can change the answer does not. */
class CacheKeysTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> NEUTRAL = Set.of("model", "stream", "stream_options", "user", "metadata");

  private static String key(String team, String body) throws Exception {
    return CacheKeys.of(team, "chat_completions", "openai/gpt-4o-mini", JSON.readTree(body), NEUTRAL);
  }

  @Test
  void key_order_number_spelling_and_neutral_fields_do_not_change_the_key() throws Exception {
    String base = key("a", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.5,\"max_tokens\":10}");
    assertThat(key("a", "{\"max_tokens\":10,\"temperature\":0.50,\"messages\":[{\"content\":\"hi\",\"role\":\"user\"}]}")).isEqualTo(base);
    assertThat(key("a", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":5e-1,\"max_tokens\":10.0}")).isEqualTo(base);
    assertThat(key("a", "{\"model\":\"alias\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"user\":\"u\","
        + "\"metadata\":{\"k\":\"v\"},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.5,\"max_tokens\":10}"))
        .isEqualTo(base);
  }

  @Test
  void any_other_field_the_scope_and_nested_neutral_names_do() throws Exception {
    String base = key("a", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.5}");
    assertThat(key("a", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi!\"}],\"temperature\":0.5}")).isNotEqualTo(base);
    assertThat(key("a", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.6}")).isNotEqualTo(base);
    assertThat(key("a", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.5,\"seed\":1}")).isNotEqualTo(base);
    assertThat(key("a", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.5,\"x_vendor\":true}"))
        .isNotEqualTo(base);
    assertThat(key("b", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.5}")).isNotEqualTo(base);
    assertThat(key(null, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.5}")).isNotEqualTo(base);
    // "user" inside a message is content, not the top-level end-user id
    assertThat(key("a", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"user\":\"x\"}],\"temperature\":0.5}"))
        .isNotEqualTo(base);
  }

  @Test
  void the_canonical_form_sorts_keys_and_writes_numbers_one_way() throws Exception {
    assertThat(CacheKeys.canonical(JSON.readTree("{\"b\":1.50,\"a\":[2.0,-0.0,1E+2],\"stream\":true}"), NEUTRAL))
        .isEqualTo("{\"a\":[2,0,100],\"b\":1.5}");
  }
}
