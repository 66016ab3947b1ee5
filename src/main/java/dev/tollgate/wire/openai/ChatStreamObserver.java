package dev.tollgate.wire.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.Usage;
import dev.tollgate.wire.StreamObserver;

/**
 * A chat completions or completions stream: text from each chunk's choices, usage from the usage
 * chunk (hidden from a client that did not ask for it: the gateway asked on its behalf), the end at
 * {@code [DONE]} or an error chunk.
 */
final class ChatStreamObserver implements StreamObserver {
  private final ObjectMapper json;
  private final boolean clientWantsUsage;
  private final StringBuilder text = new StringBuilder();
  private Usage usage;
  private boolean ended;

  ChatStreamObserver(ObjectMapper json, boolean clientWantsUsage) {
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
    if (chunk.error) ended = true;
    if (chunk.usage != null) {
      usage = chunk.usage;
      if (!clientWantsUsage && chunk.choices <= 0) return false;
    }
    return true;
  }

  @Override
  public Usage usage() {
    return usage;
  }

  @Override
  public boolean ended() {
    return ended;
  }

  @Override
  public String text() {
    return text.toString();
  }
}
