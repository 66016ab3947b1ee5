package dev.tollgate.billing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The text a request sends to the model, gathered from whichever field its endpoint uses:
 * chat {@code messages}, completions {@code prompt}, embeddings and responses {@code input},
 * plus responses {@code instructions}. Used to estimate input tokens.
 */
public final class PromptText {
  private PromptText() {}

  public static String of(JsonNode body) {
    StringBuilder sb = new StringBuilder(256);
    collect(body.get("instructions"), sb);
    collect(body.get("system"), sb);
    collect(body.get("messages"), sb);
    collect(body.get("prompt"), sb);
    collect(body.get("input"), sb);
    return sb.toString();
  }

  private static void collect(JsonNode node, StringBuilder sb) {
    if (node == null || node.isNull()) return;
    if (node.isTextual()) {
      if (!sb.isEmpty()) sb.append('\n');
      sb.append(node.asText());
    } else if (node.isArray()) {
      for (JsonNode item : node) collect(item, sb);
    } else if (node.isObject()) {
      // a message ({role, content}) or a content part ({type, text})
      collect(node.get("content"), sb);
      collect(node.get("text"), sb);
    }
  }
}
