package dev.tollgate.wire;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** Writing small JSON bodies by hand (error bodies on the hot path), without a tree. */
public final class JsonText {
  private JsonText() {}

  /** Appends {@code s} as a JSON string, or {@code null}. */
  public static void quote(StringBuilder sb, String s) {
    if (s == null) {
      sb.append("null");
      return;
    }
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    sb.append('"');
  }
}
