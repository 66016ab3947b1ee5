package dev.tollgate.core;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A URL's query string, decoded one parameter at a time. A malformed parameter (bad percent-encoding) is a
 * 400 that names it and never quotes it, so a secret in the query string (a team key in {@code ?api-key=})
 * cannot reach an error body, an exception message or a log.
 */
public final class QueryString {
  public static final QueryString EMPTY = new QueryString(Map.of());

  private final Map<String, List<String>> params;

  private QueryString(Map<String, List<String>> params) {
    this.params = params;
  }

  /**
   * Decodes {@code raw} (the part after {@code ?}, or null) as a form would: {@code +} is a space.
   *
   * @throws GatewayFailure 400 naming the first parameter that is not validly percent-encoded
   */
  public static QueryString parse(String raw) {
    if (raw == null || raw.isEmpty()) return EMPTY;
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq), null);
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
      params.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
    }
    return new QueryString(params);
  }

  /** The first value of {@code name}, or null when it is absent. */
  public String get(String name) {
    List<String> values = params.get(name);
    return values == null ? null : values.get(0);
  }

  /** Every value of {@code name}, in order; empty when it is absent. */
  public List<String> getAll(String name) {
    return params.getOrDefault(name, List.of());
  }

  /** A copy with {@code name}'s values replaced by {@code value}. */
  public QueryString with(String name, String value) {
    Map<String, List<String>> copy = new LinkedHashMap<>(params);
    copy.put(name, List.of(value));
    return new QueryString(copy);
  }

  /** @param name the parameter whose value this is; null while decoding a name itself */
  private static String decode(String part, String name) {
    try {
      return URLDecoder.decode(part, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw GatewayFailure.badRequest(name == null
          ? "The query string is not validly percent-encoded (a parameter's name)."
          : "The query string is not validly percent-encoded (the value of '" + name + "').", name);
    }
  }
}
