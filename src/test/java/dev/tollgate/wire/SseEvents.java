package dev.tollgate.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test helper: SSE events as a dialect writes them (each a complete event), read back into names and data. */
public final class SseEvents {
  private SseEvents() {}

  public static List<StreamEvent> parse(List<byte[]> raw) {
    List<StreamEvent> out = new ArrayList<>();
    for (byte[] r : raw) {
      String name = null;
      String data = null;
      for (String line : new String(r, StandardCharsets.UTF_8).split("\n")) {
        if (line.startsWith("event: ")) name = line.substring(7);
        if (line.startsWith("data: ")) data = line.substring(6);
      }
      out.add(new StreamEvent(name, data));
    }
    return out;
  }
}
