package dev.tollgate.pipeline;

import dev.tollgate.wire.StreamObserver;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a server-sent-event byte stream into events as bytes arrive, keeping an unfinished tail
 * for the next chunk. Events end at a blank line ({@code \n\n} or {@code \r\n\r\n}). An event's fields are read
 * from its bytes: the {@code data:} of an event with one such line (every provider's) stays bytes, handed to an
 * observer that reads them as they are, and becomes text only when asked for.
 */
final class SseParser {
  /** One event: its raw bytes (relayed as they are) and its {@code event:} and {@code data:} fields. */
  static final class Event {
    private final Buffer raw;
    private final String name;
    /** The one {@code data:} line's bytes, or null (none, or several: then {@link #data} holds them joined). */
    private final byte[] line;
    private String data;

    Event(Buffer raw, String name, byte[] line, String data) {
      this.raw = raw;
      this.name = name;
      this.line = line;
      this.data = data;
    }

    Buffer raw() {
      return raw;
    }

    String name() {
      return name;
    }

    /** The {@code data:} field (its lines joined by {@code \n}), or null for an event without one. */
    String data() {
      if (data == null && line != null) data = new String(line, StandardCharsets.UTF_8);
      return data;
    }

    /** Hands the event to an observer: a one-line {@code data:} as its bytes. */
    boolean relayTo(StreamObserver observer) {
      return line != null ? observer.relay(name, line) : observer.relay(name, data);
    }
  }

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
          sink.accept(parse(buf, start, end));
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

  /** The event in {@code buf[start, end)}, its lines read as bytes (a line break is never inside a UTF-8 character). */
  private static Event parse(Buffer buf, int start, int end) {
    String name = null;
    byte[] line = null;
    StringBuilder lines = null;
    int pos = start;
    while (pos < end) {
      int nl = pos;
      while (nl < end && buf.getByte(nl) != '\n') nl++;
      int lineEnd = nl > pos && buf.getByte(nl - 1) == '\r' ? nl - 1 : nl;
      if (startsWith(buf, pos, lineEnd, "data:")) {
        int v = value(buf, pos + 5, lineEnd);
        if (line == null && lines == null) {
          line = buf.getBytes(v, lineEnd);
        } else {
          if (lines == null) {
            lines = new StringBuilder(new String(line, StandardCharsets.UTF_8));
            line = null;
          }
          lines.append('\n').append(buf.getString(v, lineEnd, "UTF-8"));
        }
      } else if (startsWith(buf, pos, lineEnd, "event:")) {
        name = buf.getString(value(buf, pos + 6, lineEnd), lineEnd, "UTF-8");
      }
      pos = nl + 1;
    }
    return new Event(buf.slice(start, end), name, line, lines == null ? null : lines.toString());
  }

  /** Where a field's value starts: after the colon and one space, if there is one. */
  private static int value(Buffer buf, int afterColon, int lineEnd) {
    return afterColon < lineEnd && buf.getByte(afterColon) == ' ' ? afterColon + 1 : afterColon;
  }

  private static boolean startsWith(Buffer buf, int pos, int lineEnd, String field) {
    if (lineEnd - pos < field.length()) return false;
    for (int k = 0; k < field.length(); k++) {
      if (buf.getByte(pos + k) != field.charAt(k)) return false;
    }
    return true;
  }
}
