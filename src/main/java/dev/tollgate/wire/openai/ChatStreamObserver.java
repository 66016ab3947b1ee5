package dev.tollgate.wire.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.wire.ObservedStream;
import dev.tollgate.wire.ProducedText;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A chat completions or completions stream: text from each chunk's choices, usage from the usage
 * chunk (hidden from a client that did not ask for it: the gateway asked on its behalf), the end at
 * {@code [DONE]} or an error chunk.
 */
final class ChatStreamObserver extends ObservedStream {
  private final ObjectMapper json;
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
  private final boolean clientWantsUsage;

  ChatStreamObserver(ObjectMapper json, boolean clientWantsUsage, ProducedText produced) {
    super(produced);
    this.json = json;
    this.clientWantsUsage = clientWantsUsage;
  }

  @Override
  public boolean relay(String event, String data) {
    if (data == null) return true;
    if (data.equals("[DONE]")) return done();
    ChatChunk chunk;
    try {
      chunk = ChatChunk.read(json, data, text);
    } catch (Exception notJson) {
      return true;
    }
    return observe(chunk);
  }

  /**
   * A chunk read from its bytes when they start as a JSON object does (never a byte order mark or a zero byte, which
   * would make Jackson read them in another encoding than the text's). Bytes Jackson cannot read (not JSON, or not
   * UTF-8 as it reads it) are read as their text, with U+FFFD, as they always were: a chunk is never lost to the bytes.
   */
  @Override
  public boolean relay(String event, byte[] data) {
    if (Arrays.equals(data, DONE)) return done();
    if (data.length < 2 || data[0] != '{' || data[1] == 0) return relay(event, new String(data, StandardCharsets.UTF_8));
    ChatChunk chunk;
    try {
      chunk = ChatChunk.read(json, data, text);
    } catch (Exception unreadable) {
      return relay(event, new String(data, StandardCharsets.UTF_8));
    }
    return observe(chunk);
  }

  private boolean done() {
    ended = true;
    return true;
  }

  private boolean observe(ChatChunk chunk) {
    if (chunk.error) {
      ended = true;
      failed = true;
    }
    if (chunk.usage != null) {
      usage = chunk.usage;
      if (!clientWantsUsage && chunk.choices <= 0) return false;
    }
    return true;
  }
}
