package dev.tollgate.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** One server-sent event as the wire carries it: its {@code event:} name (or null) and its {@code data:}. */
public record StreamEvent(String name, String data) {
  /**
   * One SSE event carrying {@code data} (JSON, e.g. an upstream's error body) on one {@code data:} line: its line
   * breaks, which JSON allows only between tokens, become spaces, so a pretty-printed body cannot end the event early.
   *
   * @param name the {@code event:} name, or null for none
   */
  public static byte[] frame(String name, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 32);
    if (name != null) out.writeBytes(("event: " + name + "\n").getBytes(StandardCharsets.UTF_8));
    out.writeBytes("data: ".getBytes(StandardCharsets.UTF_8));
    for (byte b : data) out.write(b == '\n' || b == '\r' ? ' ' : b);
    out.write('\n');
    out.write('\n');
    return out.toByteArray();
  }
}
