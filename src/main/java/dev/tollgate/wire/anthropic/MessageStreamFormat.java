package dev.tollgate.wire.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.wire.StreamEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Message between its two shapes. A stream adds up to the message that {@code message_start} began: each
 * content block from its {@code content_block_start} and deltas (text, a tool call's input JSON in pieces,
 * thinking and its signature), then {@code message_delta}'s stop reason and usage. A message is replayed as the
 * events a live stream has, a block's text or input JSON in several deltas.
 */
final class MessageStreamFormat {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int PIECES = 4;

  private final ObjectMapper json;

  MessageStreamFormat(ObjectMapper json) {
    this.json = json;
  }

  byte[] assemble(List<StreamEvent> events) {
    try {
      ObjectNode message = null;
      List<ObjectNode> blocks = new ArrayList<>();
      List<StringBuilder> inputs = new ArrayList<>();
      boolean stopped = false;
      for (StreamEvent e : events) {
        if (e.name() == null || e.data() == null) continue;
        JsonNode data = json.readTree(e.data());
        switch (e.name()) {
          case "message_start" -> message = (ObjectNode) data.get("message").deepCopy();
          case "content_block_start" -> {
            int index = data.path("index").asInt();
            while (blocks.size() <= index) {
              blocks.add(null);
              inputs.add(null);
            }
            blocks.set(index, (ObjectNode) data.get("content_block").deepCopy());
            inputs.set(index, new StringBuilder());
          }
          case "content_block_delta" -> {
            int index = data.path("index").asInt();
            if (index >= blocks.size() || blocks.get(index) == null) return null;
            ObjectNode block = blocks.get(index);
            JsonNode delta = data.path("delta");
            switch (delta.path("type").asText()) {
              case "text_delta" -> block.put("text", block.path("text").asText("") + delta.path("text").asText());
              case "input_json_delta" -> inputs.get(index).append(delta.path("partial_json").asText());
              case "thinking_delta" -> block.put("thinking", block.path("thinking").asText("") + delta.path("thinking").asText());
              case "signature_delta" -> block.put("signature", block.path("signature").asText("") + delta.path("signature").asText());
              case "citations_delta" -> ((ArrayNode) (block.get("citations") instanceof ArrayNode a ? a : block.putArray("citations")))
                  .add(delta.path("citation"));
              default -> { }
            }
          }
          case "message_delta" -> {
            if (message == null) return null;
            ObjectNode m = message;
            data.path("delta").fields().forEachRemaining(f -> m.set(f.getKey(), f.getValue()));
            JsonNode usage = data.get("usage");
            if (usage != null && usage.isObject()) {
              ObjectNode merged = m.get("usage") instanceof ObjectNode u ? u : m.putObject("usage");
              usage.fields().forEachRemaining(f -> {
                if (!f.getValue().isNull()) merged.set(f.getKey(), f.getValue());
              });
            }
          }
          case "message_stop" -> stopped = true;
          case "error" -> {
            return null;
          }
          default -> { }
        }
      }
      if (message == null || !stopped) return null;
      ArrayNode content = message.putArray("content");
      for (int i = 0; i < blocks.size(); i++) {
        ObjectNode block = blocks.get(i);
        if (block == null) return null;
        String input = inputs.get(i).toString();
        if (block.has("input") && !input.isEmpty()) block.set("input", json.readTree(input));
        content.add(block);
      }
      return json.writeValueAsBytes(message);
    } catch (Exception malformed) {
      return null;
    }
  }

  List<byte[]> replay(byte[] body) {
    ObjectNode message;
    try {
      message = (ObjectNode) json.readTree(body);
    } catch (Exception e) {
      throw new IllegalArgumentException("a stored answer is not a JSON message", e);
    }
    List<byte[]> out = new ArrayList<>();
    ObjectNode started = message.deepCopy();
    started.putArray("content");
    started.putNull("stop_reason");
    started.putNull("stop_sequence");
    ObjectNode usage = started.get("usage") instanceof ObjectNode u ? u : started.putObject("usage");
    long output = message.path("usage").path("output_tokens").asLong(0);
    usage.put("output_tokens", Math.min(1, output));
    out.add(event("message_start", NODES.objectNode().put("type", "message_start").set("message", started)));
    int index = 0;
    for (JsonNode block : message.path("content")) {
      ObjectNode start = block.deepCopy();
      String type = block.path("type").asText();
      List<ObjectNode> deltas = new ArrayList<>();
      switch (type) {
        case "text" -> {
          start.put("text", "");
          start.remove("citations");
          for (String piece : pieces(block.path("text").asText())) deltas.add(NODES.objectNode().put("type", "text_delta").put("text", piece));
          for (JsonNode citation : block.path("citations")) {
            deltas.add(NODES.objectNode().put("type", "citations_delta").set("citation", citation));
          }
        }
        case "tool_use", "server_tool_use" -> {
          start.putObject("input");
          for (String piece : pieces(block.path("input").toString())) {
            deltas.add(NODES.objectNode().put("type", "input_json_delta").put("partial_json", piece));
          }
        }
        case "thinking" -> {
          start.put("thinking", "");
          start.put("signature", "");
          for (String piece : pieces(block.path("thinking").asText())) {
            deltas.add(NODES.objectNode().put("type", "thinking_delta").put("thinking", piece));
          }
          if (block.hasNonNull("signature")) deltas.add(NODES.objectNode().put("type", "signature_delta").put("signature", block.get("signature").asText()));
        }
        default -> { }
      }
      out.add(event("content_block_start", NODES.objectNode().put("type", "content_block_start").put("index", index).set("content_block", start)));
      for (ObjectNode d : deltas) {
        out.add(event("content_block_delta", NODES.objectNode().put("type", "content_block_delta").put("index", index).set("delta", d)));
      }
      out.add(event("content_block_stop", NODES.objectNode().put("type", "content_block_stop").put("index", index)));
      index++;
    }
    ObjectNode delta = NODES.objectNode();
    delta.set("stop_reason", message.path("stop_reason").isMissingNode() ? NODES.nullNode() : message.get("stop_reason"));
    delta.set("stop_sequence", message.path("stop_sequence").isMissingNode() ? NODES.nullNode() : message.get("stop_sequence"));
    ObjectNode messageDelta = NODES.objectNode().put("type", "message_delta");
    messageDelta.set("delta", delta);
    messageDelta.set("usage", message.path("usage").isObject() ? message.get("usage").deepCopy() : NODES.objectNode().put("output_tokens", 0));
    out.add(event("message_delta", messageDelta));
    out.add(event("message_stop", NODES.objectNode().put("type", "message_stop")));
    return out;
  }

  /** A text in a few pieces of about equal length (whole code points), or none for an empty text. */
  private static List<String> pieces(String text) {
    List<String> out = new ArrayList<>(PIECES);
    if (text.isEmpty()) return out;
    int step = Math.max(1, (text.length() + PIECES - 1) / PIECES);
    int start = 0;
    while (start < text.length()) {
      int end = Math.min(text.length(), start + step);
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) end++;
      out.add(text.substring(start, end));
      start = end;
    }
    return out;
  }

  private byte[] event(String name, ObjectNode data) {
    try {
      return ("event: " + name + "\ndata: " + json.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }
}
