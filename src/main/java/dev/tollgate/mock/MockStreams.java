package dev.tollgate.mock;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The events of a streamed answer, produced one at a time so a long stream costs no memory. */
interface MockStreams {
  int size();

  Buffer event(int i);

  static MockStreams chat(String id, MockAnswer a, MockBehaviour b, boolean includeUsage, boolean legacyCompletions) {
    if (!a.toolCalls.isEmpty()) return toolCalls(id, a, b, includeUsage);
    int n = a.completionTokens();
    long created = MockBodies.now();
    return new MockStreams() {
      public int size() {
        return n + 2 + (includeUsage ? 1 : 0);
      }

      public Buffer event(int i) {
        if (i == size() - 1) return Buffer.buffer("data: [DONE]\n\n");
        JsonObject chunk = new JsonObject().put("id", id)
            .put("object", legacyCompletions ? "text_completion" : "chat.completion.chunk")
            .put("created", created).put("model", a.model);
        if (i == n + 1) {
          return MockBodies.sse(chunk.put("choices", new JsonArray()).put("usage", MockBodies.chatUsage(a, b)));
        }
        JsonObject choice = new JsonObject().put("index", 0);
        Object logprobs = null;
        if (legacyCompletions) {
          choice.put("text", i < n ? a.tokens.get(i) : "");
        } else {
          JsonObject delta = new JsonObject();
          if (i == 0) delta.put("role", "assistant");
          if (i < n) delta.put("content", a.tokens.get(i));
          choice.put("delta", delta);
          if (i < n && a.topLogprobs >= 0) {
            logprobs = new JsonObject().put("content", new JsonArray().add(MockBodies.logprob(a.tokens.get(i), i, a.topLogprobs)))
                .put("refusal", (Object) null);
          }
        }
        choice.put("logprobs", logprobs).put("finish_reason", i < n ? null : "stop");
        return MockBodies.sse(chunk.put("choices", new JsonArray().add(choice)));
      }
    };
  }

  /** Parallel function calls: each call's head (id, name), then its arguments in pieces, then the finish. */
  private static MockStreams toolCalls(String id, MockAnswer a, MockBehaviour b, boolean includeUsage) {
    long created = MockBodies.now();
    List<JsonObject> deltas = new ArrayList<>();
    for (int c = 0; c < a.toolCalls.size(); c++) {
      MockAnswer.ToolCall call = a.toolCalls.get(c);
      JsonObject head = MockBodies.toolCall(call, "").put("index", c);
      JsonObject first = new JsonObject().put("tool_calls", new JsonArray().add(head));
      if (c == 0) first = new JsonObject().put("role", "assistant").put("content", (Object) null).mergeIn(first);
      deltas.add(first);
      String args = call.arguments();
      for (int at = 0; at < args.length(); at += 5) {
        deltas.add(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", c)
            .put("function", new JsonObject().put("arguments", args.substring(at, Math.min(args.length(), at + 5)))))));
      }
    }
    List<Buffer> events = new ArrayList<>();
    for (JsonObject delta : deltas) events.add(MockBodies.sse(chunk(id, created, a).put("choices", new JsonArray().add(
        new JsonObject().put("index", 0).put("delta", delta).put("logprobs", (Object) null).put("finish_reason", (Object) null)))));
    events.add(MockBodies.sse(chunk(id, created, a).put("choices", new JsonArray().add(new JsonObject().put("index", 0)
        .put("delta", new JsonObject()).put("logprobs", (Object) null).put("finish_reason", "tool_calls")))));
    if (includeUsage) events.add(MockBodies.sse(chunk(id, created, a).put("choices", new JsonArray()).put("usage", MockBodies.chatUsage(a, b))));
    events.add(Buffer.buffer("data: [DONE]\n\n"));
    return new MockStreams() {
      public int size() {
        return events.size();
      }

      public Buffer event(int i) {
        return events.get(i);
      }
    };
  }

  private static JsonObject chunk(String id, long created, MockAnswer a) {
    return new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", a.model);
  }

  static MockStreams responses(String id, MockAnswer a, MockBehaviour b) {
    int n = a.completionTokens();
    return new MockStreams() {
      public int size() {
        return n + 2;
      }

      public Buffer event(int i) {
        if (i == 0) {
          return MockBodies.sse("response.created", new JsonObject().put("type", "response.created")
              .put("sequence_number", 0).put("response", MockBodies.response(id, a, b, "in_progress", false)));
        }
        if (i <= n) {
          return MockBodies.sse("response.output_text.delta", new JsonObject()
              .put("type", "response.output_text.delta").put("sequence_number", i).put("item_id", "msg_" + id)
              .put("output_index", 0).put("content_index", 0).put("delta", a.tokens.get(i - 1)));
        }
        return MockBodies.sse("response.completed", new JsonObject().put("type", "response.completed")
            .put("sequence_number", i).put("response", MockBodies.response(id, a, b, "completed", true)));
      }
    };
  }
}
