package dev.tollgate.mock;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The events of a streamed answer, produced one at a time so a long stream costs no memory. */
interface MockStreams {
  int size();

  Buffer event(int i);

  static MockStreams chat(String id, MockAnswer a, MockBehaviour b, boolean includeUsage, boolean legacyCompletions) {
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
        if (legacyCompletions) {
          choice.put("text", i < n ? a.tokens.get(i) : "");
        } else {
          JsonObject delta = new JsonObject();
          if (i == 0) delta.put("role", "assistant");
          if (i < n) delta.put("content", a.tokens.get(i));
          choice.put("delta", delta);
        }
        choice.put("logprobs", (Object) null).put("finish_reason", i < n ? null : "stop");
        return MockBodies.sse(chunk.put("choices", new JsonArray().add(choice)));
      }
    };
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
