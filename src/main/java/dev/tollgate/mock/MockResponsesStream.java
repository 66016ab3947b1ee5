package dev.tollgate.mock;

import static dev.tollgate.mock.MockStreams.concat;
import static dev.tollgate.mock.MockStreams.later;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The events of a streamed Responses API answer, as the API sends them: {@code response.created},
 * {@code response.in_progress}; for a message {@code response.output_item.added},
 * {@code response.content_part.added}, one {@code response.output_text.delta} per piece,
 * {@code response.output_text.done}, {@code response.content_part.done}, {@code response.output_item.done};
 * for each function call {@code response.output_item.added}, {@code response.function_call_arguments.delta}s,
 * {@code response.function_call_arguments.done}, {@code response.output_item.done}; then
 * {@code response.completed}, or {@code response.incomplete} when max_output_tokens cut the answer. Each event
 * names its type on its {@code event:} line and carries the next {@code sequence_number}; usage comes only at the end.
 */
final class MockResponsesStream {
  private static final int ARGUMENT_PIECE = 5;

  private final String id;
  private final MockAnswer a;
  private int sequence;

  private MockResponsesStream(String id, MockAnswer a) {
    this.id = id;
    this.a = a;
  }

  static Iterator<Buffer> of(String id, MockAnswer a, JsonNode request, MockBehaviour b) {
    MockResponsesStream s = new MockResponsesStream(id, a);
    MockAnswer.Choice c = a.first();
    String end = a.cut() ? "response.incomplete" : "response.completed";
    return concat(
        later(() -> s.event("response.created", new JsonObject().put("response", MockBodies.response(id, a, request, b, false)))),
        later(() -> s.event("response.in_progress", new JsonObject().put("response", MockBodies.response(id, a, request, b, false)))),
        c.toolCalls().isEmpty() ? s.message(c) : s.functionCalls(c.toolCalls()),
        later(() -> s.event(end, new JsonObject().put("response", MockBodies.response(id, a, request, b, true)))))
        .iterator();
  }

  private Stream<Buffer> message(MockAnswer.Choice c) {
    String item = MockResponseItems.messageId(id);
    return concat(
        later(() -> event("response.output_item.added", new JsonObject().put("output_index", 0)
            .put("item", MockResponseItems.message(id, "in_progress", new JsonArray())))),
        later(() -> event("response.content_part.added", part(item).put("part", MockResponseItems.outputText("")))),
        c.pieces().stream().map(piece -> event("response.output_text.delta", part(item).put("delta", piece)
            .put("logprobs", new JsonArray()))),
        later(() -> event("response.output_text.done", part(item).put("text", c.text()).put("logprobs", new JsonArray()))),
        later(() -> event("response.content_part.done", part(item).put("part", MockResponseItems.outputText(c.text())))),
        later(() -> event("response.output_item.done", new JsonObject().put("output_index", 0)
            .put("item", MockResponseItems.of(id, a).get(0)))));
  }

  private JsonObject part(String item) {
    return new JsonObject().put("item_id", item).put("output_index", 0).put("content_index", 0);
  }

  private Stream<Buffer> functionCalls(List<MockAnswer.ToolCall> calls) {
    return IntStream.range(0, calls.size()).boxed().flatMap(i -> {
      MockAnswer.ToolCall call = calls.get(i);
      String item = MockResponseItems.callId(id, i);
      String args = call.arguments();
      return concat(
          later(() -> event("response.output_item.added", new JsonObject().put("output_index", i)
              .put("item", MockResponseItems.functionCall(id, i, call, "")))),
          IntStream.iterate(0, at -> at < args.length(), at -> at + ARGUMENT_PIECE).mapToObj(at ->
              event("response.function_call_arguments.delta", new JsonObject().put("item_id", item).put("output_index", i)
                  .put("delta", args.substring(at, Math.min(args.length(), at + ARGUMENT_PIECE))))),
          later(() -> event("response.function_call_arguments.done", new JsonObject().put("item_id", item)
              .put("output_index", i).put("name", call.name()).put("arguments", args))),
          later(() -> event("response.output_item.done", new JsonObject().put("output_index", i)
              .put("item", MockResponseItems.functionCall(id, i, call, null)))));
    });
  }

  /** Events are made in the order they are sent, so each takes the next sequence number. */
  private Buffer event(String type, JsonObject fields) {
    JsonObject event = new JsonObject().put("type", type).put("sequence_number", sequence++);
    return MockBodies.sse(type, event.mergeIn(fields));
  }
}
