package dev.tollgate.mock;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Iterator;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The events of a streamed OpenAI chat or completions answer, in OpenAI's order: each choice's role with its
 * first piece, one piece per chunk (the choices taking turns), each choice's finish, the usage when asked for,
 * {@code [DONE]}. Function calls come as each call's head (id, name), then its arguments in pieces. Events are
 * made one at a time as they are sent, so a long answer costs no memory.
 */
final class MockStreams {
  private static final int ARGUMENT_PIECE = 5;

  private MockStreams() {}

  static Iterator<Buffer> chat(String id, MockAnswer a, MockBehaviour b, boolean includeUsage, boolean legacyCompletions) {
    Chunks chunks = new Chunks(id, a, legacyCompletions);
    Stream<Buffer> body = a.first().toolCalls().isEmpty() ? text(chunks, a) : toolCalls(chunks, a);
    Stream<Buffer> usage = later(() -> MockBodies.sse(chunks.head().put("choices", new JsonArray())
        .put("usage", MockBodies.chatUsage(a, b))));
    return concat(
        body,
        a.choices.stream().map(c -> chunks.choice(c, finish(c, legacyCompletions), null, c.finishReason())),
        includeUsage ? usage : Stream.empty(),
        Stream.of(Buffer.buffer("data: [DONE]\n\n"))).iterator();
  }

  /** The pieces of every choice, the choices taking turns; a choice's first chunk carries its role. */
  private static Stream<Buffer> text(Chunks chunks, MockAnswer a) {
    int longest = a.choices.stream().mapToInt(c -> c.pieces().size()).max().orElse(0);
    return IntStream.range(0, longest).boxed().flatMap(p -> a.choices.stream().filter(c -> p < c.pieces().size()).map(c -> {
      String piece = c.pieces().get(p);
      JsonObject delta = new JsonObject();
      if (p == 0) delta.put("role", "assistant");
      delta.put("content", piece);
      Object logprobs = a.topLogprobs < 0 ? null : new JsonObject()
          .put("content", new JsonArray().add(MockBodies.logprob(piece, p, a.topLogprobs))).put("refusal", (Object) null);
      return chunks.choice(c, delta, logprobs, null);
    }));
  }

  /** The finish of a choice; one that said nothing yet says its role here. */
  private static JsonObject finish(MockAnswer.Choice c, boolean legacyCompletions) {
    if (legacyCompletions) return new JsonObject();
    boolean silent = c.pieces().isEmpty() && c.toolCalls().isEmpty();
    return silent ? new JsonObject().put("role", "assistant") : new JsonObject();
  }

  /** Each choice's calls: a call's head with empty arguments, then its arguments a few characters at a time. */
  private static Stream<Buffer> toolCalls(Chunks chunks, MockAnswer a) {
    return a.choices.stream().flatMap(choice -> IntStream.range(0, choice.toolCalls().size()).boxed().flatMap(k -> {
      MockAnswer.ToolCall call = choice.toolCalls().get(k);
      JsonObject head = new JsonObject();
      if (k == 0) head.put("role", "assistant").put("content", (Object) null);
      head.put("tool_calls", new JsonArray().add(MockBodies.toolCall(call, "").put("index", k)));
      String args = call.arguments();
      Stream<JsonObject> pieces = IntStream.iterate(0, at -> at < args.length(), at -> at + ARGUMENT_PIECE).mapToObj(at ->
          new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", k).put("function",
              new JsonObject().put("arguments", args.substring(at, Math.min(args.length(), at + ARGUMENT_PIECE)))))));
      return Stream.concat(Stream.of(head), pieces).map(delta -> chunks.choice(choice, delta, null, null));
    }));
  }

  /** The chunks of one answer: the same id, created time and model on each. */
  private record Chunks(String id, long created, MockAnswer a, boolean legacy) {
    Chunks(String id, MockAnswer a, boolean legacy) {
      this(id, MockBodies.now(), a, legacy);
    }

    JsonObject head() {
      return new JsonObject().put("id", id).put("object", legacy ? "text_completion" : "chat.completion.chunk")
          .put("created", created).put("model", a.model);
    }

    Buffer choice(MockAnswer.Choice c, JsonObject delta, Object logprobs, String finishReason) {
      JsonObject choice = new JsonObject().put("index", c.index());
      if (legacy) choice.put("text", delta.getString("content", ""));
      else choice.put("delta", delta);
      choice.put("logprobs", logprobs).put("finish_reason", finishReason);
      return MockBodies.sse(head().put("choices", new JsonArray().add(choice)));
    }
  }

  /** One event, made only when the stream reaches it. */
  static <T> Stream<T> later(Supplier<T> event) {
    return Stream.of(event).map(Supplier::get);
  }

  /** Streams one after the other, each read only when the one before has ended. */
  @SafeVarargs
  static <T> Stream<T> concat(Stream<T>... parts) {
    return Arrays.stream(parts).reduce(Stream.empty(), Stream::concat);
  }
}
