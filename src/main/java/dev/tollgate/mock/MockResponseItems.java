package dev.tollgate.mock;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The output items of a Responses API answer: one message with its text, or one function call per call. */
final class MockResponseItems {
  private MockResponseItems() {}

  /** The finished items of the response {@code responseId}. */
  static List<JsonObject> of(String responseId, MockAnswer a) {
    MockAnswer.Choice c = a.first();
    if (c.toolCalls().isEmpty()) {
      return List.of(message(responseId, c.cut() ? "incomplete" : "completed", new JsonArray().add(outputText(c.text()))));
    }
    List<JsonObject> items = new ArrayList<>();
    for (int i = 0; i < c.toolCalls().size(); i++) items.add(functionCall(responseId, i, c.toolCalls().get(i), null));
    return items;
  }

  static JsonObject message(String responseId, String status, JsonArray content) {
    return new JsonObject().put("id", messageId(responseId)).put("type", "message").put("status", status)
        .put("role", "assistant").put("content", content);
  }

  static JsonObject outputText(String text) {
    return new JsonObject().put("type", "output_text").put("text", text).put("annotations", new JsonArray())
        .put("logprobs", new JsonArray());
  }

  /** A function call item; {@code partial} null for the finished one, else the arguments so far (in progress). */
  static JsonObject functionCall(String responseId, int i, MockAnswer.ToolCall call, String partial) {
    return new JsonObject().put("id", callId(responseId, i)).put("type", "function_call")
        .put("status", partial == null ? "completed" : "in_progress")
        .put("arguments", partial == null ? call.arguments() : partial).put("call_id", call.id()).put("name", call.name());
  }

  static String messageId(String responseId) {
    return "msg_" + responseId.substring(responseId.indexOf('_') + 1);
  }

  static String callId(String responseId, int i) {
    return "fc_" + responseId.substring(responseId.indexOf('_') + 1) + "_" + i;
  }
}
