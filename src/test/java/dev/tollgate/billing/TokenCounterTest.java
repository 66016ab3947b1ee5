package dev.tollgate.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.tollgate.wire.Prompt;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenCounterTest {
  private static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

  /** The admission estimate: each piece's tokens plus the framing, the same however often a piece was seen. */
  @Test
  void an_estimate_is_the_tokenizers_count_of_each_piece_plus_the_framing() {
    String history = "The quick brown fox jumps over the lazy dog. ".repeat(200);
    Prompt turn1 = new Prompt(List.of("system", "You are a helpful assistant.", "user", history), 9);
    Prompt turn2 = new Prompt(List.of("system", "You are a helpful assistant.", "user", history, "user", "And then what happened?"), 12);
    long expected1 = 2 + O200K.countTokensOrdinary(turn1.pieces().get(1)) + O200K.countTokensOrdinary(history) + 9;
    long expected2 = expected1 - 9 + 1 + O200K.countTokensOrdinary("And then what happened?") + 12;

    assertThat(TokenCounter.estimate("gpt-4o", turn1)).isEqualTo(expected1);
    assertThat(TokenCounter.estimate("gpt-4o", turn2)).isEqualTo(expected2);
    assertThat(TokenCounter.estimate("gpt-4o", turn2)).isEqualTo(expected2);
    assertThat(TokenCounter.estimate("gpt-4o", new Prompt(List.of(), 0))).isZero();
  }
}
