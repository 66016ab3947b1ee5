package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.billing.PromptText;
import dev.tollgate.billing.TokenCounter;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic answer derived from the prompt: the same prompt always gives the same words.
 * Every word is one token in o200k_base and cl100k_base, so the completion token count is exactly
 * the number of words.
 */
final class MockAnswer {
  private static final String[] WORDS = {
      " the", " quick", " brown", " fox", " jumps", " over", " lazy", " dog", " and", " then", " runs",
      " far", " away", " from", " home", " to", " find", " new", " friends", " in", " a", " big", " city",
      " with", " many", " tall", " buildings", " where", " people", " work", " every", " day", " on",
      " great", " ideas", " that", " change", " world", " for", " good", " time", " light", " water",
      " blue", " green", " red", " small", " old", " young", " happy", " cold", " warm", " night", " sun"
  };

  final String model;
  final String prompt;
  final int promptTokens;
  final List<String> tokens;

  private MockAnswer(String model, String prompt, List<String> tokens) {
    this.model = model;
    this.prompt = prompt;
    this.promptTokens = TokenCounter.count(null, prompt);
    this.tokens = tokens;
  }

  static MockAnswer of(JsonNode body, int count, int padChars) {
    String prompt = PromptText.of(body);
    long seed = prompt.hashCode() * 0x9E3779B97F4A7C15L;
    List<String> tokens = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      seed = seed * 6364136223846793005L + 1442695040888963407L;
      String word = WORDS[(int) Math.floorMod(seed >>> 33, (long) WORDS.length)];
      tokens.add(padChars > 0 ? word + " " + "x".repeat(padChars) : word);
    }
    String model = body.path("model").asText("mock-model");
    return new MockAnswer(model, prompt, tokens);
  }

  String text() {
    return String.join("", tokens);
  }

  int completionTokens() {
    return tokens.size();
  }
}
