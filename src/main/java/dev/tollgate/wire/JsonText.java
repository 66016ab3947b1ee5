package dev.tollgate.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.StringWriter;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** Writing small JSON texts by hand (error bodies on the hot path), without a tree. */
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

  /** The value under the parser, written out as compact JSON text (a tool's definition, a tool call's input). */
  public static String compact(JsonFactory factory, JsonParser p) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = factory.createGenerator(out)) {
      g.copyCurrentStructure(p);
    }
    return out.toString();
  }
}
