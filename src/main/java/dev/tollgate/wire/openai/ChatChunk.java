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
 * without building a tree: the text it carries (appended to the relayed text), its usage if any, how
 * many choices it has, and whether it is an error.
 */
final class ChatChunk {
  Usage usage;
  int choices = -1;
  boolean error;

  static ChatChunk read(ObjectMapper json, String data, ProducedText text) throws IOException {
    ChatChunk chunk = new ChatChunk();
    try (JsonParser p = json.createParser(data)) {
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
                readChoice(p, text);
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
    }
    return chunk;
  }

  /** One choice: {@code text} (completions) or {@code delta.content} and tool-call arguments (chat). */
  private static void readChoice(JsonParser p, ProducedText text) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("text") && value == JsonToken.VALUE_STRING) {
        text.append(p.getText());
      } else if (field.equals("delta") && value == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String d = p.currentName();
          JsonToken v = p.nextToken();
          if (d.equals("content") && v == JsonToken.VALUE_STRING) {
            text.append(p.getText());
          } else if (d.equals("tool_calls") && v == JsonToken.START_ARRAY) {
            JsonNode calls = p.readValueAsTree();
            calls.forEach(c -> text.append(c.path("function").path("arguments").asText("")));
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
