package dev.tollgate.wire.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.Usage;
import dev.tollgate.wire.ObservedStream;
import dev.tollgate.wire.ProducedText;

/**
 * A Messages stream, read by its event names: the prompt's usage from {@code message_start} (input and
 * prompt-cache counts), the final usage once {@code message_delta} brings the output count (a stream without it
 * has none and is estimated), text (and thinking) from the deltas, the end at {@code message_stop} or an {@code error} event. Every event goes to the client: Anthropic always reports
 * usage, so there is nothing the gateway asked for on the client's behalf.
 */
final class MessageStreamObserver extends ObservedStream {
  private final ObjectMapper json;
  private Usage started;

  MessageStreamObserver(ObjectMapper json, ProducedText produced) {
    super(produced);
    this.json = json;
  }

  @Override
  public boolean relay(String event, String data) {
    if (event == null || data == null) return true;
    switch (event) {
      case "content_block_delta" -> {
        JsonNode delta = read(data).path("delta");
        JsonNode piece = delta.has("text") ? delta.get("text") : delta.has("thinking") ? delta.get("thinking") : delta.get("partial_json");
        if (piece != null && piece.isTextual()) text.append(piece.asText());
      }
      case "message_start" -> started = AnthropicUsage.read(read(data).path("message").get("usage"));
      case "message_delta" -> {
        // the whole answer's usage needs the output count, and the prompt's from message_start or here
        JsonNode counts = read(data).get("usage");
        boolean complete = counts != null && counts.hasNonNull("output_tokens") && (started != null || counts.hasNonNull("input_tokens"));
        if (complete) usage = AnthropicUsage.update(usage != null ? usage : started, counts);
      }
      case "message_stop" -> ended = true;
      case "error" -> {
        ended = true;
        failed = true;
      }
      default -> { }
    }
    return true;
  }

  private JsonNode read(String data) {
    try {
      return json.readTree(data);
    } catch (Exception notJson) {
      return json.missingNode();
    }
  }

  @Override
  public Usage promptUsage() {
    return started;
  }
}
