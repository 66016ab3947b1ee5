package dev.tollgate.wire.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.Usage;
import dev.tollgate.wire.ProducedText;
import java.io.IOException;

/**
 * What the relay needs from one chat/completions stream chunk, read in a single streaming pass
 * without building a tree: the text it carries (appended to the relayed text once the whole chunk has been read,
 * so a chunk that cannot be read adds none), its usage if any, how many choices it has, and whether it is an error.
 */
final class ChatChunk {
  Usage usage;
  int choices = -1;
  boolean error;
  /** The chunk's text: most chunks carry one piece, kept as it is; several are joined. */
  private String piece;
  private StringBuilder pieces;

  /** The chunk in {@code data}, UTF-8 bytes (the relay's case: only the chunk's text pieces become strings). */
  static ChatChunk read(ObjectMapper json, byte[] data, ProducedText text) throws IOException {
    try (JsonParser p = json.createParser(data)) {
      return read(p, text);
    }
  }

  static ChatChunk read(ObjectMapper json, String data, ProducedText text) throws IOException {
    try (JsonParser p = json.createParser(data)) {
      return read(p, text);
    }
  }

  private static ChatChunk read(JsonParser p, ProducedText text) throws IOException {
    ChatChunk chunk = new ChatChunk();
    if (p.nextToken() != JsonToken.START_OBJECT) return chunk;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "choices" -> {
          chunk.choices = 0;
          if (value == JsonToken.START_ARRAY) {
            while (p.nextToken() == JsonToken.START_OBJECT) {
              chunk.choices++;
              chunk.readChoice(p);
            }
          } else {
            p.skipChildren();
          }
        }
        case "usage" -> {
          if (value == JsonToken.START_OBJECT) chunk.usage = OpenAiUsage.read(p);
        }
        case "error" -> {
          chunk.error = true;
          p.skipChildren();
        }
        default -> p.skipChildren();
      }
    }
    if (chunk.pieces != null) text.append(chunk.pieces);
    else if (chunk.piece != null) text.append(chunk.piece);
    return chunk;
  }

  private void add(String text) {
    if (piece == null && pieces == null) {
      piece = text;
      return;
    }
    if (pieces == null) {
      pieces = new StringBuilder(piece);
      piece = null;
    }
    pieces.append(text);
  }

  /** One choice: {@code text} (completions) or {@code delta.content} and tool-call arguments (chat). */
  private void readChoice(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("text") && value == JsonToken.VALUE_STRING) {
        add(p.getText());
      } else if (field.equals("delta") && value == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String d = p.currentName();
          JsonToken v = p.nextToken();
          if (d.equals("content") && v == JsonToken.VALUE_STRING) {
            add(p.getText());
          } else if (d.equals("tool_calls") && v == JsonToken.START_ARRAY) {
            JsonNode calls = p.readValueAsTree();
            calls.forEach(c -> add(c.path("function").path("arguments").asText("")));
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
  }
}
