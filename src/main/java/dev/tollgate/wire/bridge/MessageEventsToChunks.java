package dev.tollgate.wire.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.wire.Translation;
import dev.tollgate.wire.openai.OpenAiErrors;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A Messages stream as chat completion chunks, event by event: {@code message_start} opens with the
 * assistant role; text deltas become content deltas; a {@code tool_use} block becomes a tool call (its id and
 * name first, then its input JSON's pieces as argument deltas, indexed in order of the calls);
 * {@code message_delta} gives the finish reason; {@code message_stop} the usage chunk (shown when the client
 * asked for it) and {@code [DONE]}; an {@code error} event becomes OpenAI's error chunk. Pings and thinking are
 * left out.
 */
final class MessageEventsToChunks implements Translation.Events {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

  private final ObjectMapper json;
  private final boolean clientWantsUsage;
  private final long created = System.currentTimeMillis() / 1000;
  /** Content block index → tool call index. */
  private final Map<Integer, Integer> toolCalls = new HashMap<>();
  /** The content blocks of tool calls that streamed some input. */
  private final java.util.Set<Integer> withArguments = new java.util.HashSet<>();
  private String id = "chatcmpl-0";
  private String model = "";
  private ObjectNode usage = NODES.objectNode();

  MessageEventsToChunks(ObjectMapper json, boolean clientWantsUsage) {
    this.json = json;
    this.clientWantsUsage = clientWantsUsage;
  }

  @Override
  public void translate(String event, String data, Translation.Sink sink) {
    if (event == null || data == null) return;
    JsonNode e;
    try {
      e = json.readTree(data);
    } catch (Exception notJson) {
      return;
    }
    switch (event) {
      case "message_start" -> {
        JsonNode message = e.path("message");
        id = MessageToChat.chatId(message.path("id").asText());
        model = message.path("model").asText();
        merge(message.path("usage"));
        ObjectNode chunk = chunk();
        delta(chunk).put("role", "assistant").put("content", "");
        sink.event(data(chunk), true);
      }
      case "content_block_start" -> {
        JsonNode block = e.path("content_block");
        if (!block.path("type").asText().equals("tool_use")) return;
        int call = toolCalls.size();
        toolCalls.put(e.path("index").asInt(), call);
        ObjectNode chunk = chunk();
        ObjectNode tc = delta(chunk).putArray("tool_calls").addObject().put("index", call).put("id", block.path("id").asText())
            .put("type", "function");
        tc.putObject("function").put("name", block.path("name").asText()).put("arguments", "");
        sink.event(data(chunk), true);
      }
      case "content_block_delta" -> {
        JsonNode delta = e.path("delta");
        String type = delta.path("type").asText();
        ObjectNode chunk = chunk();
        if (type.equals("text_delta")) {
          delta(chunk).put("content", delta.path("text").asText());
        } else if (type.equals("input_json_delta") && toolCalls.containsKey(e.path("index").asInt())) {
          String piece = delta.path("partial_json").asText();
          if (piece.isEmpty()) return;
          withArguments.add(e.path("index").asInt());
          delta(chunk).putArray("tool_calls").addObject().put("index", toolCalls.get(e.path("index").asInt()))
              .putObject("function").put("arguments", piece);
        } else {
          return;
        }
        sink.event(data(chunk), true);
      }
      case "content_block_stop" -> {
        // a call without parameters streams no input: its arguments are still a JSON object, as when not streamed
        int block = e.path("index").asInt();
        if (!toolCalls.containsKey(block) || withArguments.contains(block)) return;
        ObjectNode chunk = chunk();
        delta(chunk).putArray("tool_calls").addObject().put("index", toolCalls.get(block)).putObject("function").put("arguments", "{}");
        sink.event(data(chunk), true);
      }
      case "message_delta" -> {
        merge(e.path("usage"));
        ObjectNode chunk = chunk();
        delta(chunk);
        ((ObjectNode) chunk.get("choices").get(0)).put("finish_reason",
            MessageToChat.finishReason(e.path("delta").path("stop_reason").asText("end_turn")));
        sink.event(data(chunk), true);
      }
      case "message_stop" -> {
        ObjectNode chunk = NODES.objectNode().put("id", id).put("object", "chat.completion.chunk").put("created", created)
            .put("model", model);
        chunk.putArray("choices");
        chunk.set("usage", MessageToChat.usage(usage));
        sink.event(data(chunk), clientWantsUsage);
        sink.event(DONE, true);
      }
      case "error" -> {
        JsonNode error = e.path("error");
        String type = error.path("type").asText("api_error");
        byte[] body = OpenAiErrors.body(new GatewayFailure(500, type.equals("rate_limit_error") ? "rate_limit_exceeded" : "server_error",
            type, null, error.path("message").asText("The upstream stream failed.")));
        sink.event(("data: " + new String(body, StandardCharsets.UTF_8) + "\n\n").getBytes(StandardCharsets.UTF_8), true);
      }
      default -> { }
    }
  }

  /** Counts reported later replace those reported before. */
  private void merge(JsonNode counts) {
    counts.fields().forEachRemaining(f -> {
      if (!f.getValue().isNull()) usage.set(f.getKey(), f.getValue());
    });
  }

  private ObjectNode chunk() {
    ObjectNode chunk = NODES.objectNode().put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
    chunk.putArray("choices").addObject().put("index", 0).putNull("finish_reason");
    return chunk;
  }

  private static ObjectNode delta(ObjectNode chunk) {
    ObjectNode choice = (ObjectNode) chunk.get("choices").get(0);
    return choice.putObject("delta");
  }

  private byte[] data(ObjectNode chunk) {
    try {
      return ("data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }
}
