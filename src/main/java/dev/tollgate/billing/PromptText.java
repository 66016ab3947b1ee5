package dev.tollgate.billing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The text a request sends to the model, gathered from whichever field its endpoint uses:
 * chat {@code messages}, completions {@code prompt}, embeddings and responses {@code input},
 * plus responses {@code instructions}. Used to estimate input tokens.
 */
public final class PromptText {
  private PromptText() {}

  /** The text as one string, its pieces separated by newlines. */
  public static String of(JsonNode body) {
    StringBuilder sb = new StringBuilder(256);
    for (String piece : pieces(body)) {
      if (!sb.isEmpty()) sb.append('\n');
      sb.append(piece);
    }
    return sb.toString();
  }

  /** The text piece by piece: each message's content or content part, in order. */
  public static List<String> pieces(JsonNode body) {
    List<String> out = new ArrayList<>(4);
    collect(body.get("instructions"), out);
    collect(body.get("system"), out);
    collect(body.get("messages"), out);
    collect(body.get("prompt"), out);
    collect(body.get("input"), out);
    return out;
  }

  private static void collect(JsonNode node, List<String> out) {
    if (node == null || node.isNull()) return;
    if (node.isTextual()) {
      out.add(node.asText());
    } else if (node.isArray()) {
      for (JsonNode item : node) collect(item, out);
    } else if (node.isObject()) {
      // a message ({role, content}) or a content part ({type, text})
      collect(node.get("content"), out);
      collect(node.get("text"), out);
    }
  }
}
