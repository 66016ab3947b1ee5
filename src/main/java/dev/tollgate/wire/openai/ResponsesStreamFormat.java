package dev.tollgate.wire.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.wire.StreamEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Responses API between its two shapes. A stream's last event ({@code response.completed}, or
 * {@code response.incomplete}) carries the whole response, which is the answer; an answer is replayed as
 * the full event sequence a live stream has (created, in progress, each output item added with its content
 * parts and text or argument deltas, done, completed), numbered, so SDK stream helpers work on it.
 */
final class ResponsesStreamFormat {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectMapper json;

  ResponsesStreamFormat(ObjectMapper json) {
    this.json = json;
  }

  byte[] assemble(List<StreamEvent> events) {
    for (int i = events.size() - 1; i >= 0; i--) {
      String data = events.get(i).data();
      if (data == null || data.equals("[DONE]")) continue;
      try {
        JsonNode node = json.readTree(data);
        String type = node.path("type").asText();
        if (type.equals("response.completed") || type.equals("response.incomplete")) return json.writeValueAsBytes(node.get("response"));
        return null;
      } catch (Exception notJson) {
        return null;
      }
    }
    return null;
  }

  List<byte[]> replay(byte[] body) {
    ObjectNode response;
    try {
      response = (ObjectNode) json.readTree(body);
    } catch (Exception e) {
      throw new IllegalArgumentException("a stored answer is not a JSON response", e);
    }
    Sequence s = new Sequence();
    ObjectNode started = response.deepCopy();
    started.put("status", "in_progress");
    started.putArray("output");
    started.putNull("usage");
    s.add("response.created", NODES.objectNode().set("response", started));
    s.add("response.in_progress", NODES.objectNode().set("response", started.deepCopy()));
    int outputIndex = 0;
    for (JsonNode item : response.path("output")) {
      String itemId = item.path("id").asText(null);
      ObjectNode added = item.deepCopy();
      added.put("status", "in_progress");
      if (item.path("type").asText().equals("message")) added.putArray("content");
      if (item.path("type").asText().equals("function_call")) added.put("arguments", "");
      s.add("response.output_item.added", NODES.objectNode().put("output_index", outputIndex).set("item", added));
      if (item.path("type").asText().equals("message")) {
        int contentIndex = 0;
        for (JsonNode part : item.path("content")) {
          ObjectNode emptyPart = part.deepCopy();
          String textField = part.has("refusal") ? "refusal" : "text";
          String text = part.path(textField).asText("");
          emptyPart.put(textField, "");
          if (emptyPart.has("annotations")) emptyPart.putArray("annotations");
          s.add("response.content_part.added", located(itemId, outputIndex, contentIndex).set("part", emptyPart));
          String kind = textField.equals("refusal") ? "response.refusal" : "response.output_text";
          for (String piece : ChatStreamFormat.words(text)) {
            s.add(kind + ".delta", located(itemId, outputIndex, contentIndex).put("delta", piece));
          }
          s.add(kind + ".done", located(itemId, outputIndex, contentIndex).put(textField, text));
          s.add("response.content_part.done", located(itemId, outputIndex, contentIndex).set("part", part));
          contentIndex++;
        }
      } else if (item.path("type").asText().equals("function_call")) {
        String args = item.path("arguments").asText("");
        for (String piece : ChatStreamFormat.pieces(args, 16)) {
          s.add("response.function_call_arguments.delta", NODES.objectNode().put("item_id", itemId)
              .put("output_index", outputIndex).put("delta", piece));
        }
        s.add("response.function_call_arguments.done", NODES.objectNode().put("item_id", itemId)
            .put("output_index", outputIndex).put("arguments", args));
      }
      s.add("response.output_item.done", NODES.objectNode().put("output_index", outputIndex).set("item", item));
      outputIndex++;
    }
    String end = "incomplete".equals(response.path("status").asText()) ? "response.incomplete" : "response.completed";
    s.add(end, NODES.objectNode().set("response", response));
    return s.events;
  }

  private static ObjectNode located(String itemId, int outputIndex, int contentIndex) {
    return NODES.objectNode().put("item_id", itemId).put("output_index", outputIndex).put("content_index", contentIndex);
  }

  /** Events numbered as a live stream numbers them. */
  private static final class Sequence {
    final List<byte[]> events = new ArrayList<>();

    void add(String type, ObjectNode body) {
      ObjectNode e = NODES.objectNode().put("type", type).put("sequence_number", events.size());
      e.setAll(body);
      events.add(("event: " + type + "\ndata: " + e + "\n\n").getBytes(StandardCharsets.UTF_8));
    }
  }
}
