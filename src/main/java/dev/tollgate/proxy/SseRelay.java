package dev.tollgate.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.billing.Usage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/**
 * Relays an upstream event stream to the client event by event, as each arrives: no buffering or
 * coalescing, the upstream paused while the client's write queue is full. It reads usage from the
 * stream as it passes (hiding the usage chunk the gateway asked for on the client's behalf), and
 * ends a stream that breaks before its last event with an error event, never a clean-looking end.
 */
final class SseRelay {
  private static final Buffer BROKEN_CHAT = Buffer.buffer(
      "data: {\"error\":{\"message\":\"The upstream stream ended before it was complete.\",\"type\":\"server_error\","
          + "\"param\":null,\"code\":\"upstream_stream_broken\"}}\n\n");
  private static final Buffer BROKEN_RESPONSES = Buffer.buffer(
      "event: error\ndata: {\"type\":\"error\",\"code\":\"upstream_stream_broken\","
          + "\"message\":\"The upstream stream ended before it was complete.\",\"param\":null}\n\n");

  private final Exchange ex;
  private final HttpClientResponse upstream;
  private final HttpServerResponse client;
  private final ObjectMapper json;
  private final Runnable onFirstEvent;
  private final SseParser parser = new SseParser();
  private final Promise<Void> done = Promise.promise();
  private boolean sawEnd;
  private boolean firstEvent = true;

  SseRelay(Exchange ex, HttpClientResponse upstream, ObjectMapper json, Runnable onFirstEvent) {
    this.ex = ex;
    this.upstream = upstream;
    this.client = ex.response;
    this.json = json;
    this.onFirstEvent = onFirstEvent;
  }

  /** Completes when the client's response has ended or the client has gone. */
  Future<Void> run() {
    client.drainHandler(v -> upstream.resume());
    upstream.handler(this::onChunk);
    upstream.exceptionHandler(this::onBroken);
    upstream.endHandler(v -> {
      if (sawEnd) finish();
      else onBroken(null);
    });
    return done.future();
  }

  /** Called when the client goes away: the upstream request is reset by the pipeline. */
  void clientGone() {
    done.tryComplete();
  }

  private void onChunk(Buffer chunk) {
    if (ex.clientGone) return;
    parser.feed(chunk, this::onEvent);
    if (client.writeQueueFull()) upstream.pause();
  }

  private void onEvent(SseParser.Event e) {
    if (ex.clientGone) return;
    boolean relay = inspect(e);
    if (!relay) return;
    if (firstEvent) {
      firstEvent = false;
      ex.firstEventNanos = System.nanoTime();
      onFirstEvent.run();
    }
    client.write(e.raw());
  }

  /** Reads usage, relayed text and the end marker from one event; false when the client must not see it. */
  private boolean inspect(SseParser.Event e) {
    String data = e.data();
    if (data == null) return true;
    if (data.equals("[DONE]")) {
      sawEnd = true;
      return true;
    }
    if (ex.api.endpoint() != Endpoint.RESPONSES) {
      ChatChunk chunk;
      try {
        chunk = ChatChunk.read(json, data, ex.relayedText);
      } catch (Exception notJson) {
        return true;
      }
      if (chunk.error) sawEnd = true;
      if (chunk.usage != null) {
        ex.reportedUsage = chunk.usage;
        // the usage-only chunk the gateway asked for: hidden from a client that did not ask
        if (!ex.api.clientWantsUsage() && chunk.choices <= 0) return false;
      }
      return true;
    }
    JsonNode node;
    try {
      node = json.readTree(data);
    } catch (Exception notJson) {
      return true;
    }
    if (node == null) return true;
    switch (node.path("type").asText()) {
      case "response.output_text.delta", "response.refusal.delta", "response.function_call_arguments.delta" ->
          ex.relayedText.append(node.path("delta").asText());
      case "response.completed", "response.incomplete", "response.failed" -> {
        sawEnd = true;
        Usage u = Usage.from(node.path("response").get("usage"));
        if (u != null) ex.reportedUsage = u;
      }
      case "error" -> sawEnd = true;
      default -> { }
    }
    return true;
  }

  private void onBroken(Throwable cause) {
    if (ex.clientGone) {
      done.tryComplete();
      return;
    }
    if (done.future().isComplete()) return;
    ex.streamBroken = true;
    if (cause != null && UpstreamCall.isTimeout(cause)) ex.timedOut = true;
    client.write(ex.api.endpoint() == Endpoint.RESPONSES ? BROKEN_RESPONSES : BROKEN_CHAT);
    finish();
  }

  private void finish() {
    if (!client.ended() && !client.closed()) client.end();
    done.tryComplete();
  }
}
