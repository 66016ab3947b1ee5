package dev.tollgate.mock;

import static dev.tollgate.mock.MockStreams.concat;
import static dev.tollgate.mock.MockStreams.later;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The events of a streamed Anthropic message, as the API sends them, each as {@code event: <type>} and
 * {@code data: <json>}: {@code message_start} (the message without content, its usage with the input and cache
 * tokens and 1 output token); per block {@code content_block_start}, a {@code ping} after the first,
 * {@code content_block_delta}s ({@code text_delta} one word each; {@code input_json_delta}: an empty one, then
 * the input's compact JSON {@value #JSON_PIECE} characters at a time), {@code content_block_stop}; then
 * {@code message_delta} (the stop reason and the final output tokens) and {@code message_stop}.
 */
final class MockAnthropicStream {
  private static final int JSON_PIECE = 8;

  private MockAnthropicStream() {}

  static Iterator<Buffer> of(String id, MockAnthropicAnswer a) {
    // concatenated, not flat-mapped: a flat map would make a whole block's events at once
    @SuppressWarnings("unchecked")
    Stream<Buffer>[] blocks = IntStream.range(0, a.blocks.size()).mapToObj(i -> block(i, a.blocks.get(i))).toArray(Stream[]::new);
    return concat(
        later(() -> event("message_start", new JsonObject().put("message", MockAnthropic.message(id, a, false)))),
        a.blocks.isEmpty() ? later(MockAnthropicStream::ping) : Stream.empty(),
        concat(blocks),
        later(() -> event("message_delta", new JsonObject()
            .put("delta", new JsonObject().put("stop_reason", a.stopReason).put("stop_sequence", (Object) null))
            .put("usage", new JsonObject().put("output_tokens", a.outputTokens())))),
        later(() -> event("message_stop", new JsonObject()))).iterator();
  }

  private static Stream<Buffer> block(int index, MockAnthropicAnswer.Block block) {
    JsonObject start = block.isText() ? new JsonObject().put("type", "text").put("text", "")
        : new JsonObject().put("type", "tool_use").put("id", block.id()).put("name", block.name()).put("input", new JsonObject());
    Stream<JsonObject> deltas;
    if (block.isText()) {
      deltas = block.words().stream().map(w -> new JsonObject().put("type", "text_delta").put("text", w));
    } else {
      String json = block.input().toString();
      deltas = Stream.concat(Stream.of(""), IntStream.iterate(0, at -> at < json.length(), at -> at + JSON_PIECE)
              .mapToObj(at -> json.substring(at, Math.min(json.length(), at + JSON_PIECE))))
          .map(piece -> new JsonObject().put("type", "input_json_delta").put("partial_json", piece));
    }
    return concat(
        later(() -> event("content_block_start", new JsonObject().put("index", index).put("content_block", start))),
        index == 0 ? later(MockAnthropicStream::ping) : Stream.empty(),
        deltas.map(d -> event("content_block_delta", new JsonObject().put("index", index).put("delta", d))),
        later(() -> event("content_block_stop", new JsonObject().put("index", index))));
  }

  private static Buffer ping() {
    return event("ping", new JsonObject());
  }

  private static Buffer event(String type, JsonObject fields) {
    return MockBodies.sse(type, new JsonObject().put("type", type).mergeIn(fields));
  }
}
