package dev.tollgate.mock;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/** The fake provider's response bodies and stream events, in OpenAI's wire format. */
final class MockBodies {
  private MockBodies() {}

  static JsonObject chatUsage(MockAnswer a, MockBehaviour b) {
    return new JsonObject()
        .put("prompt_tokens", a.promptTokens)
        .put("completion_tokens", a.completionTokens() + b.reasoningTokens())
        .put("total_tokens", a.promptTokens + a.completionTokens() + b.reasoningTokens())
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", b.cachedTokens()))
        .put("completion_tokens_details", new JsonObject().put("reasoning_tokens", b.reasoningTokens()));
  }

  static JsonObject responsesUsage(MockAnswer a, MockBehaviour b) {
    return new JsonObject()
        .put("input_tokens", a.promptTokens)
        .put("input_tokens_details", new JsonObject().put("cached_tokens", b.cachedTokens()))
        .put("output_tokens", a.completionTokens() + b.reasoningTokens())
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", b.reasoningTokens()))
        .put("total_tokens", a.promptTokens + a.completionTokens() + b.reasoningTokens());
  }

  static JsonObject chat(String id, MockAnswer a, MockBehaviour b) {
    JsonObject message = new JsonObject().put("role", "assistant")
        .put("content", a.toolCalls.isEmpty() ? a.text() : null).put("refusal", (Object) null);
    if (!a.toolCalls.isEmpty()) {
      JsonArray calls = new JsonArray();
      for (MockAnswer.ToolCall c : a.toolCalls) calls.add(toolCall(c, c.arguments()));
      message.put("tool_calls", calls);
    }
    Object logprobs = null;
    if (a.topLogprobs >= 0) {
      JsonArray content = new JsonArray();
      for (int i = 0; i < a.tokens.size(); i++) content.add(logprob(a.tokens.get(i), i, a.topLogprobs));
      logprobs = new JsonObject().put("content", content).put("refusal", (Object) null);
    }
    return new JsonObject()
        .put("id", id).put("object", "chat.completion").put("created", now()).put("model", a.model)
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0)
            .put("message", message)
            .put("logprobs", logprobs)
            .put("finish_reason", a.toolCalls.isEmpty() ? "stop" : "tool_calls")))
        .put("usage", chatUsage(a, b));
  }

  static JsonObject toolCall(MockAnswer.ToolCall c, String arguments) {
    return new JsonObject().put("id", c.id()).put("type", "function")
        .put("function", new JsonObject().put("name", c.name()).put("arguments", arguments));
  }

  /** A token's logprob entry, with {@code top} alternatives (the token itself first). */
  static JsonObject logprob(String token, int i, int top) {
    double lp = -0.05 * ((i % 7) + 1);
    JsonArray alternatives = new JsonArray();
    for (int k = 0; k < top; k++) {
      String alt = k == 0 ? token : token + k;
      alternatives.add(new JsonObject().put("token", alt).put("logprob", lp - k).put("bytes", bytes(alt)));
    }
    return new JsonObject().put("token", token).put("logprob", lp).put("bytes", bytes(token)).put("top_logprobs", alternatives);
  }

  private static JsonArray bytes(String s) {
    JsonArray out = new JsonArray();
    for (byte x : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) out.add(x & 0xff);
    return out;
  }

  static JsonObject completion(String id, MockAnswer a, MockBehaviour b) {
    return new JsonObject()
        .put("id", id).put("object", "text_completion").put("created", now()).put("model", a.model)
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0).put("text", a.text()).put("logprobs", (Object) null).put("finish_reason", "stop")))
        .put("usage", chatUsage(a, b));
  }

  static JsonObject response(String id, MockAnswer a, MockBehaviour b, String status, boolean withOutput) {
    JsonArray output = new JsonArray();
    if (withOutput) {
      output.add(new JsonObject()
          .put("type", "message").put("id", "msg_" + id).put("status", "completed").put("role", "assistant")
          .put("content", new JsonArray().add(new JsonObject()
              .put("type", "output_text").put("text", a.text()).put("annotations", new JsonArray()))));
    }
    return new JsonObject()
        .put("id", id).put("object", "response").put("created_at", now()).put("status", status)
        .put("model", a.model).put("output", output)
        .put("parallel_tool_calls", true).put("tool_choice", "auto").put("tools", new JsonArray())
        .put("usage", withOutput ? responsesUsage(a, b) : null);
  }

  static JsonObject embeddings(JsonArray inputs, String model, boolean base64, int dims, int promptTokens) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < inputs.size(); i++) {
      float[] vector = vector(String.valueOf(inputs.getValue(i)), dims);
      Object embedding;
      if (base64) {
        ByteBuffer bytes = ByteBuffer.allocate(dims * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : vector) bytes.putFloat(f);
        embedding = Base64.getEncoder().encodeToString(bytes.array());
      } else {
        JsonArray values = new JsonArray();
        for (float f : vector) values.add(f);
        embedding = values;
      }
      data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", embedding));
    }
    return new JsonObject().put("object", "list").put("data", data).put("model", model)
        .put("usage", new JsonObject().put("prompt_tokens", promptTokens).put("total_tokens", promptTokens));
  }

  private static float[] vector(String text, int dims) {
    float[] v = new float[dims];
    long seed = text.hashCode();
    for (int i = 0; i < dims; i++) {
      seed = seed * 6364136223846793005L + 1442695040888963407L;
      v[i] = ((seed >>> 40) % 2000) / 1000f - 1f;
    }
    return v;
  }

  static JsonObject error(String message, String type, String code) {
    return new JsonObject().put("error", new JsonObject()
        .put("message", message).put("type", type).put("param", (Object) null).put("code", code));
  }

  static Buffer sse(JsonObject data) {
    return Buffer.buffer("data: " + data.encode() + "\n\n");
  }

  static Buffer sse(String event, JsonObject data) {
    return Buffer.buffer("event: " + event + "\ndata: " + data.encode() + "\n\n");
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }
}
