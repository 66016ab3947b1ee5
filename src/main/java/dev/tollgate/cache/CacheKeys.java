package dev.tollgate.cache;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The key of a request's answer: SHA-256 over who may share it (a team, or everyone), the endpoint, the
 * upstream target it resolves to, and the request body in canonical form — object keys sorted at every
 * level, numbers written one way ({@code 1}, {@code 1.0} and {@code 1e0} alike), and the fields that
 * cannot change the answer left out. Every other field counts, provider-specific ones included.
 */
public final class CacheKeys {
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private CacheKeys() {}

  /**
   * @param scope a team's id, or null for an answer every team may share
   * @param neutral top-level fields left out (the dialect's list)
   */
  public static String of(String scope, String endpoint, String target, JsonNode body, Set<String> neutral) {
    StringBuilder sb = new StringBuilder(256);
    sb.append(scope == null ? "*" : "team:" + scope).append('\n').append(endpoint).append('\n').append(target).append('\n');
    canonical(body, neutral, sb);
    MessageDigest md = SHA256.get();
    md.reset();
    return HexFormat.of().formatHex(md.digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** The body in canonical form (for tests and for reading a key's input); the neutral fields left out at the top. */
  static String canonical(JsonNode body, Set<String> neutral) {
    StringBuilder sb = new StringBuilder();
    canonical(body, neutral, sb);
    return sb.toString();
  }

  private static void canonical(JsonNode node, Set<String> leaveOut, StringBuilder sb) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      sb.append("null");
    } else if (node.isObject()) {
      List<String> names = new ArrayList<>(node.size());
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!leaveOut.contains(name)) names.add(name);
      }
      names.sort(null);
      sb.append('{');
      for (int i = 0; i < names.size(); i++) {
        if (i > 0) sb.append(',');
        string(names.get(i), sb);
        sb.append(':');
        canonical(node.get(names.get(i)), Set.of(), sb);
      }
      sb.append('}');
    } else if (node.isArray()) {
      sb.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) sb.append(',');
        canonical(node.get(i), Set.of(), sb);
      }
      sb.append(']');
    } else if (node.isNumber()) {
      sb.append(number(node));
    } else if (node.isTextual()) {
      string(node.asText(), sb);
    } else {
      sb.append(node.asText());
    }
  }

  /** One spelling per value: no exponent, no trailing zeros, no negative zero. */
  private static String number(JsonNode n) {
    BigDecimal v = n.isIntegralNumber() ? new BigDecimal(n.bigIntegerValue())
        : n.isBigDecimal() ? n.decimalValue() : BigDecimal.valueOf(n.doubleValue());
    if (v.signum() == 0) return "0";
    return v.stripTrailingZeros().toPlainString();
  }

  private static void string(String s, StringBuilder sb) {
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    sb.append('"');
  }
}
