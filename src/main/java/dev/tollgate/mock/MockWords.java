package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The words the fake provider answers with, drawn from a seed: the same prompt always gives the same words.
 * Every word is one token in o200k_base and cl100k_base, so a text answer's token count is its number of words.
 */
final class MockWords {
  private static final String[] WORDS = {
      " the", " quick", " brown", " fox", " jumps", " over", " lazy", " dog", " and", " then", " runs",
      " far", " away", " from", " home", " to", " find", " new", " friends", " in", " a", " big", " city",
      " with", " many", " tall", " buildings", " where", " people", " work", " every", " day", " on",
      " great", " ideas", " that", " change", " world", " for", " good", " time", " light", " water",
      " blue", " green", " red", " small", " old", " young", " happy", " cold", " warm", " night", " sun"
  };

  private long state;

  private MockWords(long seed) {
    this.state = seed;
  }

  /** The words of one choice of the answer to this prompt; choice 0 is the answer the fake provider always gave. */
  static MockWords of(String prompt, int choice) {
    return new MockWords(prompt.hashCode() * 0x9E3779B97F4A7C15L + choice * 0xD1B54A32D192ED03L);
  }

  /** Every string the prompt fields of a request hold, in order: what its answer is derived from. */
  static String prompt(JsonNode body) {
    StringBuilder sb = new StringBuilder();
    for (String field : new String[] {"system", "instructions", "messages", "prompt", "input"}) collect(body.get(field), sb);
    return sb.toString();
  }

  private static void collect(JsonNode node, StringBuilder sb) {
    if (node == null) return;
    if (node.isTextual()) {
      if (!sb.isEmpty()) sb.append('\n');
      sb.append(node.asText());
    } else if (node.isArray()) {
      node.forEach(item -> collect(item, sb));
    } else if (node.isObject()) {
      collect(node.get("content"), sb);
      collect(node.get("text"), sb);
    }
  }

  String next() {
    return WORDS[(int) Math.floorMod(advance() >>> 33, (long) WORDS.length)];
  }

  /** The next {@code count} words, each followed by {@code padChars} x's when asked (a bigger body, same tokens). */
  List<String> next(int count, int padChars) {
    List<String> words = new ArrayList<>(count);
    for (int i = 0; i < count; i++) words.add(padChars > 0 ? next() + " " + "x".repeat(padChars) : next());
    return words;
  }

  /** A number in [0, bound). */
  long below(long bound) {
    return Math.floorMod(advance() >>> 17, bound);
  }

  private long advance() {
    state = state * 6364136223846793005L + 1442695040888963407L;
    return state;
  }
}
