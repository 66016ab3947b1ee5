package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The fake provider's response bodies in OpenAI's wire format, and the pieces its streams reuse. */
final class MockBodies {
  private MockBodies() {}

  static JsonObject chatUsage(MockAnswer a, MockBehaviour b) {
    return new JsonObject()
        .put("prompt_tokens", a.promptTokens)
        .put("completion_tokens", a.completionTokens())
        .put("total_tokens", a.promptTokens + a.completionTokens())
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", b.cachedTokens()))
        .put("completion_tokens_details", new JsonObject().put("reasoning_tokens", a.reasoningTokens));
  }

  static JsonObject responsesUsage(MockAnswer a, MockBehaviour b) {
    return new JsonObject()
        .put("input_tokens", a.promptTokens)
        .put("input_tokens_details", new JsonObject().put("cached_tokens", b.cachedTokens()))
        .put("output_tokens", a.completionTokens())
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", a.reasoningTokens))
        .put("total_tokens", a.promptTokens + a.completionTokens());
  }

  static JsonObject chat(String id, MockAnswer a, MockBehaviour b) {
    JsonArray choices = new JsonArray();
    for (MockAnswer.Choice c : a.choices) {
      JsonObject message = new JsonObject().put("role", "assistant")
          .put("content", c.toolCalls().isEmpty() ? c.text() : null).put("refusal", (Object) null);
      if (!c.toolCalls().isEmpty()) {
        JsonArray calls = new JsonArray();
        for (MockAnswer.ToolCall call : c.toolCalls()) calls.add(toolCall(call, call.arguments()));
        message.put("tool_calls", calls);
      }
      Object logprobs = null;
      if (a.topLogprobs >= 0) {
        JsonArray content = new JsonArray();
        for (int i = 0; i < c.pieces().size(); i++) content.add(logprob(c.pieces().get(i), i, a.topLogprobs));
        logprobs = new JsonObject().put("content", content).put("refusal", (Object) null);
      }
      choices.add(new JsonObject().put("index", c.index()).put("message", message).put("logprobs", logprobs)
          .put("finish_reason", c.finishReason()));
    }
    return new JsonObject().put("id", id).put("object", "chat.completion").put("created", now()).put("model", a.model)
        .put("choices", choices).put("usage", chatUsage(a, b));
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
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) out.add(x & 0xff);
    return out;
  }

  static JsonObject completion(String id, MockAnswer a, MockBehaviour b) {
    JsonArray choices = new JsonArray();
    for (MockAnswer.Choice c : a.choices) {
      choices.add(new JsonObject().put("index", c.index()).put("text", c.text()).put("logprobs", (Object) null)
          .put("finish_reason", c.finishReason()));
    }
    return new JsonObject().put("id", id).put("object", "text_completion").put("created", now()).put("model", a.model)
        .put("choices", choices).put("usage", chatUsage(a, b));
  }

  /**
   * A Responses API response object; {@code done} false gives the one that opens a stream (in progress, no
   * output, no usage), true the finished one: completed, or incomplete when max_output_tokens cut it.
   */
  static JsonObject response(String id, MockAnswer a, JsonNode request, MockBehaviour b, boolean done) {
    boolean incomplete = done && a.cut();
    JsonArray output = new JsonArray();
    if (done) for (JsonObject item : MockResponseItems.of(id, a)) output.add(item);
    return new JsonObject()
        .put("id", id).put("object", "response").put("created_at", now())
        .put("status", !done ? "in_progress" : incomplete ? "incomplete" : "completed")
        .put("background", false).put("error", (Object) null)
        .put("incomplete_details", incomplete ? new JsonObject().put("reason", "max_output_tokens") : null)
        .put("instructions", echo(request.get("instructions"), null))
        .put("max_output_tokens", echo(request.get("max_output_tokens"), null))
        .put("metadata", echo(request.get("metadata"), new JsonObject()))
        .put("model", a.model).put("output", output)
        .put("parallel_tool_calls", echo(request.get("parallel_tool_calls"), true))
        .put("previous_response_id", echo(request.get("previous_response_id"), null))
        .put("reasoning", new JsonObject().put("effort", (Object) null).put("summary", (Object) null))
        .put("store", echo(request.get("store"), true))
        .put("temperature", echo(request.get("temperature"), 1.0))
        .put("text", new JsonObject().put("format", echo(request.path("text").get("format"), new JsonObject().put("type", "text"))))
        .put("tool_choice", echo(request.get("tool_choice"), "auto"))
        .put("tools", echo(request.get("tools"), new JsonArray()))
        .put("top_p", echo(request.get("top_p"), 1.0))
        .put("truncation", "disabled")
        .put("usage", done ? responsesUsage(a, b) : null)
        .put("user", echo(request.get("user"), null));
  }

  /** A request field as the response repeats it, or the default the API reports when the request left it out. */
  private static Object echo(JsonNode field, Object fallback) {
    return field == null || field.isNull() ? fallback : Json.decodeValue(field.toString());
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

  static JsonObject error(String message, String type, String param, String code) {
    return new JsonObject().put("error", new JsonObject()
        .put("message", message).put("type", type).put("param", param).put("code", code));
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
