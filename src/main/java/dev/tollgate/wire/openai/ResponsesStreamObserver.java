package dev.tollgate.wire.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.Usage;
import dev.tollgate.wire.ObservedStream;
import dev.tollgate.wire.ProducedText;

/** A Responses API stream: text from the delta events, usage and the end from {@code response.completed} (or its failures). */
final class ResponsesStreamObserver extends ObservedStream {
  private final ObjectMapper json;

  ResponsesStreamObserver(ObjectMapper json, ProducedText produced) {
    super(produced);
    this.json = json;
  }

  @Override
  public boolean relay(String event, String data) {
    if (data == null) return true;
    if (data.equals("[DONE]")) {
      ended = true;
      return true;
    }
    JsonNode node;
    try {
      node = json.readTree(data);
    } catch (Exception notJson) {
      return true;
    }
    if (node == null) return true;
    switch (node.path("type").asText()) {
      case "response.output_text.delta", "response.refusal.delta", "response.function_call_arguments.delta" ->
          text.append(node.path("delta").asText());
      case "response.completed", "response.incomplete", "response.failed" -> {
        ended = true;
        failed = node.path("type").asText().equals("response.failed");
        Usage u = OpenAiUsage.read(node.path("response").get("usage"));
        if (u != null) usage = u;
      }
      case "error" -> {
        ended = true;
        failed = true;
      }
      default -> { }
    }
    return true;
  }
}
