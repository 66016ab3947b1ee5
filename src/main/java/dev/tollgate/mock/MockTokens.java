package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fake provider's own token counting, as OpenAI's usage reports it: o200k_base for text, and for
 * chat the framing OpenAI adds (3 tokens per message, 1 per name, 3 priming the reply). An image
 * costs 85 tokens at {@code detail: low} and 765 otherwise (a 1024x1024 image at high detail: 85 +
 * 170 per 512-pixel tile); tool definitions cost the tokens of their JSON. It shares no code with the
 * gateway's estimates, so a test can see the two disagree as they do in production.
 */
final class MockTokens {
  private static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
  private static final int PER_MESSAGE = 3;
  private static final int PER_NAME = 1;
  private static final int REPLY = 3;
  private static final int IMAGE_LOW = 85;
  private static final int IMAGE_HIGH = 765;

  private MockTokens() {}

  static int count(String text) {
    return text == null || text.isEmpty() ? 0 : O200K.countTokensOrdinary(text);
  }

  /**
   * The text cut where o200k_base cuts it into tokens: how a model streams it. A token that ends inside a
   * character is joined to the next, so each piece is whole text (and counts as one token).
   */
  static List<String> pieces(String text) {
    IntArrayList tokens = O200K.encodeOrdinary(text);
    List<String> pieces = new ArrayList<>(tokens.size());
    IntArrayList pending = new IntArrayList();
    for (int i = 0; i < tokens.size(); i++) {
      pending.add(tokens.get(i));
      try {
        pieces.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(O200K.decodeBytes(pending))).toString());
        pending.clear();
      } catch (CharacterCodingException partOfACharacter) {
        // wait for the token that completes it
      }
    }
    if (!pending.isEmpty()) pieces.add(O200K.decode(pending));
    return pieces;
  }

  /** The prompt tokens OpenAI would report for this request body at this path. */
  static int prompt(String path, JsonNode body) {
    if (path.endsWith("/chat/completions")) {
      return messages(body.path("messages")) + REPLY + tools(body.get("tools"));
    }
    if (path.endsWith("/responses")) {
      int n = 0;
      if (body.path("instructions").isTextual()) n += PER_MESSAGE + count("system") + count(body.get("instructions").asText());
      JsonNode input = body.path("input");
      if (input.isTextual()) n += PER_MESSAGE + count("user") + count(input.asText());
      else n += messages(input);
      return n + REPLY + tools(body.get("tools"));
    }
    return plain(path.endsWith("/embeddings") ? body.get("input") : body.get("prompt"));
  }

  private static int messages(JsonNode messages) {
    int n = 0;
    for (JsonNode m : messages) {
      n += PER_MESSAGE + count(m.path("role").asText(null));
      JsonNode content = m.get("content");
      if (content != null && content.isTextual()) {
        n += count(content.asText());
      } else if (content != null && content.isArray()) {
        for (JsonNode part : content) {
          String type = part.path("type").asText();
          if (type.equals("image_url") || type.equals("input_image")) {
            String detail = part.path("image_url").path("detail").asText(part.path("detail").asText("auto"));
            n += detail.equals("low") ? IMAGE_LOW : IMAGE_HIGH;
          } else {
            n += count(part.path("text").asText(null));
          }
        }
      }
      if (m.path("name").isTextual()) n += count(m.get("name").asText()) + PER_NAME;
      for (JsonNode call : m.path("tool_calls")) {
        n += count(call.path("function").path("name").asText(null)) + count(call.path("function").path("arguments").asText(null));
      }
      n += count(m.path("arguments").asText(null)) + count(m.path("output").asText(null));
    }
    return n;
  }

  private static int tools(JsonNode tools) {
    return tools == null || !tools.isArray() || tools.isEmpty() ? 0 : count(tools.toString());
  }

  /** Completions' prompt or embeddings' input: a string, strings, or token ids. */
  private static int plain(JsonNode node) {
    if (node == null || node.isNull()) return 0;
    if (node.isTextual()) return count(node.asText());
    int n = 0;
    for (JsonNode item : node) n += item.isNumber() ? 1 : plain(item);
    return n;
  }
}
