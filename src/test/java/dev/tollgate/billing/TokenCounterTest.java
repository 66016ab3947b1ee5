package dev.tollgate.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenCounterTest {
  private static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

  @Test
  void a_chat_prompt_is_gathered_piece_by_piece_in_order() throws Exception {
    var body = new ObjectMapper().readTree("""
        {"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},
         {"role":"user","content":[{"type":"text","text":"Describe"},{"type":"text","text":"this picture."}]}]}""");
    assertThat(PromptText.pieces(body)).containsExactly("Be brief.", "Describe", "this picture.");
    assertThat(PromptText.of(body)).isEqualTo("Be brief.\nDescribe\nthis picture.");
  }

  /** The admission estimate: each piece's tokens plus one per separator, the same however often a piece was seen. */
  @Test
  void counting_by_pieces_is_the_tokenizers_count_of_each_piece_plus_the_separators() {
    String history = "The quick brown fox jumps over the lazy dog. ".repeat(200);
    List<String> turn1 = List.of("You are a helpful assistant.", history);
    List<String> turn2 = List.of("You are a helpful assistant.", history, "And then what happened?");
    long expected1 = O200K.countTokensOrdinary(turn1.get(0)) + O200K.countTokensOrdinary(history) + 1;
    long expected2 = expected1 + O200K.countTokensOrdinary(turn2.get(2)) + 1;

    assertThat(TokenCounter.countPieces("gpt-4o", turn1)).isEqualTo(expected1);
    assertThat(TokenCounter.countPieces("gpt-4o", turn2)).isEqualTo(expected2);
    assertThat(TokenCounter.countPieces("gpt-4o", turn2)).isEqualTo(expected2);
    assertThat(TokenCounter.countPieces("gpt-4o", List.of())).isZero();
    // close to counting the joined text
    assertThat(TokenCounter.countPieces("gpt-4o", turn2))
        .isBetween((long) TokenCounter.count("gpt-4o", String.join("\n", turn2)) - 3,
            (long) TokenCounter.count("gpt-4o", String.join("\n", turn2)) + 3);
  }
}
