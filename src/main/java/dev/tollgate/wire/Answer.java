package dev.tollgate.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.Usage;
import java.io.IOException;
import java.util.function.Function;

/** What a non-streamed answer reports: its usage, or when it has none (null), its text for an estimate. */
public record Answer(Usage usage, String text) {
  /**
   * Reads a JSON answer: its top-level {@code usage} field, streaming past every other field (no tree of the whole
   * answer); only when it has no usage, the text of the whole tree. An answer that is not JSON has neither.
   *
   * @param usage reads the {@code usage} field's value, the parser on its first token (left on its last); null when
   *     it carries none
   * @param text the text the model produced in an answer
   */
  public static Answer read(ObjectMapper json, byte[] body, UsageReader usage, Function<JsonNode, String> text) {
    Usage found = null;
    try (JsonParser p = json.createParser(body)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          p.nextToken();
          if (field.equals("usage")) found = usage.read(p);
          else p.skipChildren();
        }
      }
      return found != null ? new Answer(found, null) : new Answer(null, text.apply(json.readTree(body)));
    } catch (Exception notJson) {
      return new Answer(null, null);
    }
  }

  /** Reads a {@code usage} value as its parser meets it. */
  @FunctionalInterface
  public interface UsageReader {
    Usage read(JsonParser p) throws IOException;
  }
}
