package dev.tollgate.pipeline;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a server-sent-event byte stream into events as bytes arrive, keeping an unfinished tail
 * for the next chunk. Events end at a blank line ({@code \n\n} or {@code \r\n\r\n}).
 */
final class SseParser {
  /** One event: its raw bytes (relayed as they are) and its {@code event:} and {@code data:} fields. */
  record Event(Buffer raw, String name, String data) {}

  private Buffer tail;

  void feed(Buffer chunk, Consumer<Event> sink) {
    Buffer buf = tail == null ? chunk : tail.appendBuffer(chunk);
    int start = 0;
    int len = buf.length();
    int i = 0;
    while (i < len) {
      byte b = buf.getByte(i);
      if (b == '\n') {
        int end = -1;
        if (i + 1 < len && buf.getByte(i + 1) == '\n') end = i + 2;
        else if (i + 2 < len && buf.getByte(i + 1) == '\r' && buf.getByte(i + 2) == '\n') end = i + 3;
        if (end > 0) {
          sink.accept(parse(buf.slice(start, end)));
          start = end;
          i = end;
          continue;
        }
      }
      i++;
    }
    tail = start >= len ? null : Buffer.buffer(len - start).appendBuffer(buf, start, len - start);
  }

  /** Bytes received but not yet part of a complete event. */
  int pending() {
    return tail == null ? 0 : tail.length();
  }

  private static Event parse(Buffer raw) {
    String text = raw.toString(StandardCharsets.UTF_8);
    String name = null;
    StringBuilder data = null;
    int pos = 0;
    while (pos < text.length()) {
      int nl = text.indexOf('\n', pos);
      if (nl < 0) nl = text.length();
      int lineEnd = nl > pos && text.charAt(nl - 1) == '\r' ? nl - 1 : nl;
      if (text.startsWith("data:", pos)) {
        int v = pos + 5;
        if (v < lineEnd && text.charAt(v) == ' ') v++;
        if (data == null) data = new StringBuilder(lineEnd - v);
        else data.append('\n');
        data.append(text, v, lineEnd);
      } else if (text.startsWith("event:", pos)) {
        int v = pos + 6;
        if (v < lineEnd && text.charAt(v) == ' ') v++;
        name = text.substring(v, lineEnd);
      }
      pos = nl + 1;
    }
    return new Event(raw, name, data == null ? null : data.toString());
  }
}
