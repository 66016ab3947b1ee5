package dev.tollgate.wire.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.wire.Translation;
import dev.tollgate.wire.anthropic.AnthropicErrors;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Chat completion chunks as a Messages stream, event by event: the first chunk opens the message
 * ({@code message_start}); content deltas go into a text block and each tool call into a {@code tool_use} block
 * (its arguments' pieces as {@code input_json_delta}), a block stopping when the next begins; at {@code [DONE]}
 * the last block stops and {@code message_delta} carries the stop reason and the usage (from the usage chunk the
 * gateway asked for), then {@code message_stop}. An error chunk becomes Anthropic's {@code error} event. Only the
 * first choice is followed.
 */
final class ChunksToMessageEvents implements Translation.Events {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectMapper json;
  /** Tool call index → content block index. */
  private final Map<Integer, Integer> toolBlocks = new HashMap<>();
  /** Tool call index → its id. */
  private final Map<Integer, String> toolIds = new HashMap<>();
  /** The call the last tool-call delta belonged to, or -1. */
  private int lastTool = -1;
  private boolean started;
  private int blocks;
  /** The open block's index, or -1. */
  private int open = -1;
  private boolean openIsText;
  private String finishReason;
  private JsonNode usage = NODES.objectNode();

  ChunksToMessageEvents(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public void translate(String event, String data, Translation.Sink sink) {
    if (data == null) return;
    if (data.equals("[DONE]")) {
      finish(sink);
      return;
    }
    JsonNode chunk;
    try {
      chunk = json.readTree(data);
    } catch (Exception notJson) {
      return;
    }
    if (chunk.has("error")) {
      JsonNode error = chunk.get("error");
      sink.event(AnthropicErrors.event(AnthropicErrors.body("api_error", error.path("message").asText("The upstream stream failed."))), true);
      return;
    }
    if (!started) start(chunk, sink);
    if (chunk.path("usage").isObject()) usage = chunk.get("usage");
    JsonNode choice = chunk.path("choices").path(0);
    if (choice.isMissingNode() || choice.path("index").asInt(0) != 0) return;
    JsonNode delta = choice.path("delta");
    String text = delta.path("content").asText("");
    if (!text.isEmpty()) {
      if (open < 0 || !openIsText) openBlock(NODES.objectNode().put("type", "text").put("text", ""), true, sink);
      ObjectNode d = NODES.objectNode().put("type", "text_delta").put("text", text);
      sink.event(event("content_block_delta", NODES.objectNode().put("type", "content_block_delta").put("index", open).set("delta", d)), true);
    }
    for (JsonNode call : delta.path("tool_calls")) {
      String id = call.path("id").asText("");
      int index = toolIndex(call, id);
      if (!toolBlocks.containsKey(index)) {
        toolIds.put(index, id);
        ObjectNode use = NODES.objectNode().put("type", "tool_use").put("id", call.path("id").asText())
            .put("name", call.path("function").path("name").asText());
        use.putObject("input");
        openBlock(use, false, sink);
        toolBlocks.put(index, open);
      }
      lastTool = index;
      String piece = call.path("function").path("arguments").asText("");
      if (!piece.isEmpty()) {
        ObjectNode d = NODES.objectNode().put("type", "input_json_delta").put("partial_json", piece);
        sink.event(event("content_block_delta", NODES.objectNode().put("type", "content_block_delta").put("index", toolBlocks.get(index))
            .set("delta", d)), true);
      }
    }
    if (choice.hasNonNull("finish_reason")) finishReason = choice.get("finish_reason").asText();
  }

  /**
   * The call a tool-call delta belongs to: its index; but a new id under an index already used, or a delta without
   * an index (some OpenAI-compatible servers leave it out) with an id not seen yet, is a new call; a delta with
   * neither index nor id continues the last call.
   */
  private int toolIndex(JsonNode call, String id) {
    if (call.hasNonNull("index")) {
      int index = call.get("index").asInt();
      boolean reused = toolBlocks.containsKey(index) && !id.isEmpty() && !id.equals(toolIds.get(index));
      return reused ? nextToolIndex() : index;
    }
    if (!id.isEmpty()) {
      for (Map.Entry<Integer, String> known : toolIds.entrySet()) if (known.getValue().equals(id)) return known.getKey();
      return nextToolIndex();
    }
    return lastTool < 0 ? nextToolIndex() : lastTool;
  }

  /** An index no call has. */
  private int nextToolIndex() {
    int i = 0;
    while (toolBlocks.containsKey(i)) i++;
    return i;
  }

  private void start(JsonNode chunk, Translation.Sink sink) {
    started = true;
    ObjectNode message = NODES.objectNode().put("id", ChatToMessage.messageId(chunk.path("id").asText())).put("type", "message")
        .put("role", "assistant").put("model", chunk.path("model").asText());
    message.putArray("content");
    message.putNull("stop_reason");
    message.putNull("stop_sequence");
    message.putObject("usage").put("input_tokens", 0).put("output_tokens", 0);
    sink.event(event("message_start", NODES.objectNode().put("type", "message_start").set("message", message)), true);
  }

  private void openBlock(ObjectNode block, boolean text, Translation.Sink sink) {
    closeBlock(sink);
    open = blocks++;
    openIsText = text;
    sink.event(event("content_block_start", NODES.objectNode().put("type", "content_block_start").put("index", open)
        .set("content_block", block)), true);
  }

  private void closeBlock(Translation.Sink sink) {
    if (open < 0) return;
    sink.event(event("content_block_stop", NODES.objectNode().put("type", "content_block_stop").put("index", open)), true);
    open = -1;
  }

  private void finish(Translation.Sink sink) {
    closeBlock(sink);
    ObjectNode messageDelta = NODES.objectNode().put("type", "message_delta");
    messageDelta.putObject("delta").put("stop_reason", ChatToMessage.stopReason(finishReason, !toolBlocks.isEmpty()))
        .putNull("stop_sequence");
    messageDelta.set("usage", ChatToMessage.usage(usage));
    sink.event(event("message_delta", messageDelta), true);
    sink.event(event("message_stop", NODES.objectNode().put("type", "message_stop")), true);
  }

  private byte[] event(String name, ObjectNode data) {
    try {
      return ("event: " + name + "\ndata: " + json.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }
}
