package dev.tollgate.wire.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.wire.ObservedStream;
import dev.tollgate.wire.ProducedText;

/**
 * A chat completions or completions stream: text from each chunk's choices, usage from the usage
 * chunk (hidden from a client that did not ask for it: the gateway asked on its behalf), the end at
 * {@code [DONE]} or an error chunk.
 */
final class ChatStreamObserver extends ObservedStream {
  private final ObjectMapper json;
  private final boolean clientWantsUsage;

  ChatStreamObserver(ObjectMapper json, boolean clientWantsUsage, ProducedText produced) {
    super(produced);
    this.json = json;
    this.clientWantsUsage = clientWantsUsage;
  }

  @Override
  public boolean relay(String event, String data) {
    if (data == null) return true;
    if (data.equals("[DONE]")) {
      ended = true;
      return true;
    }
    ChatChunk chunk;
    try {
      chunk = ChatChunk.read(json, data, text);
    } catch (Exception notJson) {
      return true;
    }
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
