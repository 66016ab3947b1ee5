package dev.tollgate.wire.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.wire.StreamEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Chat completions and (legacy) completions, between their two shapes: the chunks of a stream added up
 * into the answer a non-streamed request gets, and an answer cut back into chunks as a live stream
 * carries them — role, content, refusal, tool calls, logprobs, finish reason, usage, and any other field,
 * exactly. Content is cut at the logprob tokens when there are logprobs, else word by word.
 */
final class ChatStreamFormat {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** The answer's own fields; any other top-level field is repeated on every chunk, as OpenAI does. */
  private static final Set<String> ENVELOPE = Set.of("id", "object", "created", "model", "choices", "usage");
  /** Delta fields added up piece by piece; any other delta field is carried into the message as it is. */
  private static final Set<String> CUMULATIVE = Set.of("role", "content", "refusal", "tool_calls");

  private final ObjectMapper json;
  private final boolean legacy;

  /** @param legacy completions ({@code text_completion}) rather than chat */
  ChatStreamFormat(ObjectMapper json, boolean legacy) {
    this.json = json;
    this.legacy = legacy;
  }

  // ---- stream -> answer

  byte[] assemble(List<StreamEvent> events) {
    ObjectNode answer = null;
    Map<Integer, Choice> choices = new TreeMap<>();
    for (StreamEvent e : events) {
      if (e.data() == null || e.data().equals("[DONE]")) continue;
      JsonNode chunk;
      try {
        chunk = json.readTree(e.data());
      } catch (Exception notJson) {
        return null;
      }
      if (!chunk.isObject() || chunk.has("error")) return null;
      if (answer == null) {
        answer = NODES.objectNode();
        answer.set("id", chunk.get("id"));
        answer.put("object", legacy ? "text_completion" : "chat.completion");
        answer.set("created", chunk.get("created"));
        answer.set("model", chunk.get("model"));
        answer.putArray("choices");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = chunk.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (!ENVELOPE.contains(f.getKey())) answer.set(f.getKey(), f.getValue());
      }
      for (JsonNode c : chunk.path("choices")) choices.computeIfAbsent(c.path("index").asInt(), Choice::new).add(c);
      JsonNode usage = chunk.get("usage");
      if (usage != null && !usage.isNull()) answer.set("usage", usage);
    }
    if (answer == null) return null;
    ArrayNode out = (ArrayNode) answer.get("choices");
    for (Choice c : choices.values()) out.add(legacy ? c.asCompletion() : c.asChatChoice());
    return write(answer);
  }

  /** One choice's pieces, added up. */
  private final class Choice {
    final int index;
    final StringBuilder content = new StringBuilder();
    final StringBuilder refusal = new StringBuilder();
    boolean sawContent;
    boolean sawRefusal;
    String role;
    final ObjectNode other = NODES.objectNode();
    final Map<Integer, ObjectNode> toolCalls = new TreeMap<>();
    final Map<Integer, StringBuilder> arguments = new TreeMap<>();
    ObjectNode logprobs;
    JsonNode finishReason = NODES.nullNode();

    Choice(int index) {
      this.index = index;
    }

    void add(JsonNode c) {
      if (legacy) {
        JsonNode text = c.get("text");
        if (text != null && text.isTextual()) {
          content.append(text.asText());
          sawContent = true;
        }
      } else {
        JsonNode delta = c.path("delta");
        if (delta.path("role").isTextual()) role = delta.get("role").asText();
        if (delta.path("content").isTextual()) {
          content.append(delta.get("content").asText());
          sawContent = true;
        }
        if (delta.path("refusal").isTextual()) {
          refusal.append(delta.get("refusal").asText());
          sawRefusal = true;
        }
        for (JsonNode call : delta.path("tool_calls")) addToolCall(call);
        for (Iterator<Map.Entry<String, JsonNode>> it = delta.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          if (!CUMULATIVE.contains(f.getKey()) && !f.getValue().isNull()) other.set(f.getKey(), f.getValue());
        }
      }
      JsonNode lp = c.get("logprobs");
      if (lp != null && lp.isObject()) addLogprobs((ObjectNode) lp);
      JsonNode finish = c.get("finish_reason");
      if (finish != null && !finish.isNull()) finishReason = finish;
    }

    private void addToolCall(JsonNode call) {
      int i = call.path("index").asInt();
      ObjectNode tc = toolCalls.computeIfAbsent(i, k -> NODES.objectNode());
      if (call.hasNonNull("id")) tc.set("id", call.get("id"));
      if (call.hasNonNull("type")) tc.set("type", call.get("type"));
      JsonNode fn = call.path("function");
      ObjectNode function = tc.has("function") ? (ObjectNode) tc.get("function") : tc.putObject("function");
      if (fn.hasNonNull("name")) function.set("name", fn.get("name"));
      if (fn.path("arguments").isTextual()) arguments.computeIfAbsent(i, k -> new StringBuilder()).append(fn.get("arguments").asText());
    }

    /** Arrays (chat: {@code content}, {@code refusal}; completions: tokens, token_logprobs, top_logprobs, text_offset) concatenated. */
    private void addLogprobs(ObjectNode lp) {
      if (logprobs == null) logprobs = NODES.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = lp.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (f.getValue().isArray()) {
          JsonNode have = logprobs.get(f.getKey());
          ArrayNode into = have instanceof ArrayNode a ? a : logprobs.putArray(f.getKey());
          into.addAll((ArrayNode) f.getValue());
        } else if (!logprobs.has(f.getKey())) {
          logprobs.set(f.getKey(), f.getValue());
        }
      }
    }

    ObjectNode asChatChoice() {
      ObjectNode choice = NODES.objectNode().put("index", index);
      ObjectNode message = choice.putObject("message");
      message.put("role", role == null ? "assistant" : role);
      if (sawContent) message.put("content", content.toString());
      else message.putNull("content");
      if (sawRefusal) message.put("refusal", refusal.toString());
      else message.putNull("refusal");
      message.setAll(other);
      if (!toolCalls.isEmpty()) {
        ArrayNode calls = message.putArray("tool_calls");
        toolCalls.forEach((i, tc) -> {
          StringBuilder args = arguments.get(i);
          ((ObjectNode) tc.get("function")).put("arguments", args == null ? "" : args.toString());
          calls.add(tc);
        });
      }
      choice.set("logprobs", logprobs == null ? NODES.nullNode() : logprobs);
      choice.set("finish_reason", finishReason);
      return choice;
    }

    ObjectNode asCompletion() {
      ObjectNode choice = NODES.objectNode();
      choice.put("text", content.toString());
      choice.put("index", index);
      choice.set("logprobs", logprobs == null ? NODES.nullNode() : logprobs);
      choice.set("finish_reason", finishReason);
      return choice;
    }
  }

  // ---- answer -> stream

  List<byte[]> replay(byte[] body) {
    JsonNode answer;
    try {
      answer = json.readTree(body);
    } catch (Exception e) {
      throw new IllegalArgumentException("a stored answer is not JSON", e);
    }
    ObjectNode envelope = NODES.objectNode();
    envelope.set("id", answer.get("id"));
    envelope.put("object", legacy ? "text_completion" : "chat.completion.chunk");
    envelope.set("created", answer.get("created"));
    envelope.set("model", answer.get("model"));
    for (Iterator<Map.Entry<String, JsonNode>> it = answer.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!ENVELOPE.contains(f.getKey())) envelope.set(f.getKey(), f.getValue());
    }
    List<byte[]> events = new ArrayList<>();
    for (JsonNode choice : answer.path("choices")) {
      List<ObjectNode> pieces = legacy ? completionPieces(choice) : chatPieces(choice);
      for (ObjectNode piece : pieces) {
        ObjectNode chunk = envelope.deepCopy();
        chunk.putArray("choices").add(piece);
        events.add(event(chunk));
      }
    }
    JsonNode usage = answer.get("usage");
    if (usage != null && !usage.isNull()) {
      ObjectNode chunk = envelope.deepCopy();
      chunk.putArray("choices");
      chunk.set("usage", usage);
      events.add(event(chunk));
    }
    events.add("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    return events;
  }

  /** A chat choice as deltas: role (with any other message field), content or refusal in pieces, tool calls, the finish. */
  private List<ObjectNode> chatPieces(JsonNode choice) {
    int index = choice.path("index").asInt();
    JsonNode message = choice.path("message");
    List<ObjectNode> out = new ArrayList<>();
    ObjectNode first = delta(index);
    ObjectNode firstDelta = (ObjectNode) first.get("delta");
    firstDelta.set("role", message.path("role").isTextual() ? message.get("role") : NODES.textNode("assistant"));
    for (Iterator<Map.Entry<String, JsonNode>> it = message.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!CUMULATIVE.contains(f.getKey()) && !f.getValue().isNull()) firstDelta.set(f.getKey(), f.getValue());
    }
    out.add(first);
    JsonNode logprobs = choice.get("logprobs");
    textPieces(out, index, "content", message.get("content"), logprobs == null ? null : logprobs.get("content"), "content");
    textPieces(out, index, "refusal", message.get("refusal"), logprobs == null ? null : logprobs.get("refusal"), "refusal");
    int call = 0;
    for (JsonNode tc : message.path("tool_calls")) {
      ObjectNode head = delta(index);
      ObjectNode c = ((ObjectNode) head.get("delta")).putArray("tool_calls").addObject().put("index", call);
      c.set("id", tc.get("id"));
      c.set("type", tc.get("type"));
      c.putObject("function").set("name", tc.path("function").get("name"));
      ((ObjectNode) c.get("function")).put("arguments", "");
      out.add(head);
      for (String piece : pieces(tc.path("function").path("arguments").asText(""), 16)) {
        ObjectNode p = delta(index);
        ((ObjectNode) p.get("delta")).putArray("tool_calls").addObject().put("index", call)
            .putObject("function").put("arguments", piece);
        out.add(p);
      }
      call++;
    }
    ObjectNode last = delta(index);
    last.set("finish_reason", choice.get("finish_reason"));
    out.add(last);
    return out;
  }

  /**
   * A text field in pieces: one per logprob token when the tokens add up to the text (each piece with its
   * own logprobs), else word by word with all logprobs on the first piece.
   */
  private void textPieces(List<ObjectNode> out, int index, String field, JsonNode text, JsonNode tokens, String logprobsField) {
    if (text == null || !text.isTextual()) return;
    List<String> pieces = new ArrayList<>();
    List<JsonNode> pieceLogprobs = new ArrayList<>();
    if (tokens != null && tokens.isArray() && !tokens.isEmpty() && joined(tokens).equals(text.asText())) {
      for (JsonNode t : tokens) {
        pieces.add(t.path("token").asText());
        pieceLogprobs.add(NODES.arrayNode().add(t));
      }
    } else if (text.asText().isEmpty()) {
      pieces.add("");
      pieceLogprobs.add(null);
    } else {
      pieces.addAll(words(text.asText()));
      for (int i = 0; i < pieces.size(); i++) pieceLogprobs.add(i == 0 && tokens != null && tokens.isArray() ? tokens : null);
    }
    if (pieceLogprobs.size() < pieces.size()) pieceLogprobs.add(null);
    for (int i = 0; i < pieces.size(); i++) {
      ObjectNode p = delta(index);
      ((ObjectNode) p.get("delta")).put(field, pieces.get(i));
      if (pieceLogprobs.get(i) != null) {
        ObjectNode lp = p.putObject("logprobs");
        lp.set(logprobsField, pieceLogprobs.get(i));
        lp.putNull(logprobsField.equals("content") ? "refusal" : "content");
      }
      out.add(p);
    }
  }

  /** A completions choice in pieces: per logprob token when there are logprobs, else word by word; then the finish. */
  private List<ObjectNode> completionPieces(JsonNode choice) {
    int index = choice.path("index").asInt();
    String text = choice.path("text").asText("");
    JsonNode logprobs = choice.get("logprobs");
    JsonNode tokens = logprobs == null ? null : logprobs.get("tokens");
    List<ObjectNode> out = new ArrayList<>();
    boolean perToken = tokens != null && tokens.isArray() && !tokens.isEmpty() && joinedText(tokens).equals(text);
    List<String> pieces = perToken ? new ArrayList<>() : words(text);
    if (perToken) tokens.forEach(t -> pieces.add(t.asText()));
    for (int i = 0; i < pieces.size(); i++) {
      ObjectNode p = NODES.objectNode().put("text", pieces.get(i)).put("index", index);
      if (perToken) {
        ObjectNode lp = p.putObject("logprobs");
        int at = i;
        logprobs.fields().forEachRemaining(f -> {
          if (f.getValue().isArray()) lp.putArray(f.getKey()).add(f.getValue().get(at));
          else lp.set(f.getKey(), f.getValue());
        });
      } else {
        p.set("logprobs", i == 0 && logprobs != null ? logprobs : NODES.nullNode());
      }
      p.putNull("finish_reason");
      out.add(p);
    }
    ObjectNode last = NODES.objectNode().put("text", "").put("index", index);
    last.putNull("logprobs");
    last.set("finish_reason", choice.get("finish_reason"));
    out.add(last);
    return out;
  }

  private static ObjectNode delta(int index) {
    ObjectNode p = NODES.objectNode().put("index", index);
    p.putObject("delta");
    p.putNull("logprobs");
    p.putNull("finish_reason");
    return p;
  }

  private static String joined(JsonNode tokens) {
    StringBuilder sb = new StringBuilder();
    tokens.forEach(t -> sb.append(t.path("token").asText()));
    return sb.toString();
  }

  private static String joinedText(JsonNode tokens) {
    StringBuilder sb = new StringBuilder();
    tokens.forEach(t -> sb.append(t.asText()));
    return sb.toString();
  }

  /** Word by word, each word with the spaces before it, as tokens usually come. */
  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 1; i < text.length(); i++) {
      if (Character.isWhitespace(text.charAt(i)) && !Character.isWhitespace(text.charAt(i - 1))) {
        out.add(text.substring(start, i));
        start = i;
      }
    }
    if (start < text.length()) out.add(text.substring(start));
    return out;
  }

  /** Fixed-size pieces (for tool-call arguments, which have no words to cut at). */
  static List<String> pieces(String text, int size) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < text.length(); i += size) out.add(text.substring(i, Math.min(text.length(), i + size)));
    return out;
  }

  private byte[] event(ObjectNode chunk) {
    return ("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  private byte[] write(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
