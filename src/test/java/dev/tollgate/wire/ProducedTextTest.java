package dev.tollgate.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.billing.TokenCounter;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The produced text is kept as a running count: its chunks' counts add up to the whole text's; it holds about a chunk. */
class ProducedTextTest {
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {7, 8, 9, 10})
  void counting_chunk_by_chunk_gives_the_whole_texts_count(int seed) {
    StringBuilder whole = new StringBuilder();
    ProducedText produced = new ProducedText();
    int largestHeld = 0;
    Random random = new Random(seed);
    // newlines and punctuation runs too: BPE encodings keep "\n\n" or ".\n\n" whole, so a cut inside one would miscount
    String[] words = {" the", " quick", " brown", " fox,", " jumps\n", " 12345", " naïve", " 東京", "\tindent", " x".repeat(40),
        "\n\n", "\r\n", " end.\n\n", "}\n\n}", "  two", " ;", "\n"};
    while (whole.length() < 400_000) {
      String piece = words[random.nextInt(words.length)] + (random.nextInt(10) == 0 ? " " + "y".repeat(random.nextInt(3000)) : "");
      whole.append(piece);
      produced.append(piece);
      largestHeld = Math.max(largestHeld, produced.pending().length());
      if (produced.full()) produced.counted(TokenCounter.count(null, produced.takeWords()));
    }

    assertThat(produced.countedTokens() + TokenCounter.count(null, produced.pending())).isEqualTo(TokenCounter.count(null, whole.toString()));
    assertThat(largestHeld).as("what is held at once is about a chunk").isLessThan(ProducedText.CHUNK + 3100);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"end.\n\nNext", "line\r\nnext", "}\n\n}", "a  b", "x\n\n\n"})
  void a_chunk_is_never_cut_inside_a_run_the_tokenizer_keeps_whole(String tail) {
    String whole = "word ".repeat(ProducedText.CHUNK / 5) + tail;
    ProducedText produced = new ProducedText();
    produced.append(whole);
    assertThat(produced.full()).isTrue();
    String taken = produced.takeWords();

    assertThat(taken + produced.pending()).isEqualTo(whole);
    assertThat(TokenCounter.count(null, taken) + TokenCounter.count(null, produced.pending()))
        .isEqualTo(TokenCounter.count(null, whole));
  }

  @Test
  void an_empty_text_has_nothing_to_count() {
    ProducedText produced = new ProducedText();
    assertThat(produced.isEmpty()).isTrue();
    assertThat(produced.full()).isFalse();
    assertThat(produced.pending()).isEmpty();
  }
}
