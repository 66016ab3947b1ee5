package dev.tollgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position in a parsed YAML document that knows its key path, so every validation message can say
 * exactly where the mistake is ({@code conf/gateway.yaml: providers.openai.base-url: ...}).
 */
public final class ConfigNode {
  private static final Pattern REFERENCE = Pattern.compile("^\\$\\{(env|file):([^}:]+)(?::-([^}]*))?}$");
  private static final Pattern DURATION = Pattern.compile("^(\\d+)\\s*(ms|s|m|h|d)$");
  private static final Pattern BYTES = Pattern.compile("^(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?$");

  private final String file;
  private final String path;
  private final JsonNode node;
  private final Map<String, String> env;

  ConfigNode(String file, String path, JsonNode node, Map<String, String> env) {
    this.file = file;
    this.path = path;
    this.node = node == null ? MissingNode.getInstance() : node;
    this.env = env;
  }

  public String path() {
    return path;
  }

  public boolean isMissing() {
    return node.isMissingNode() || node.isNull();
  }

  public ConfigException error(String problem) {
    return ConfigException.at(file, path, problem);
  }

  public ConfigNode get(String key) {
    if (!isMissing() && !node.isObject()) {
      throw error("must be a mapping of keys to values");
    }
    return new ConfigNode(file, path.isEmpty() ? key : path + "." + key, node.get(key), env);
  }

  /** Rejects keys this level does not know: a typo must not be silently ignored. */
  public ConfigNode allowOnly(Set<String> known) {
    if (isMissing()) return this;
    if (!node.isObject()) throw error("must be a mapping of keys to values");
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key)) {
        throw get(key).error("unknown key (known keys here: " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
    return this;
  }

  /** The entries of a mapping, in document order. */
  public Map<String, ConfigNode> entries() {
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    if (isMissing()) return out;
    if (!node.isObject()) throw error("must be a mapping");
    node.fieldNames().forEachRemaining(k -> out.put(k, get(k)));
    return out;
  }

  public List<ConfigNode> items() {
    List<ConfigNode> out = new ArrayList<>();
    if (isMissing()) return out;
    if (!node.isArray()) throw error("must be a list");
    for (int i = 0; i < node.size(); i++) {
      out.add(new ConfigNode(file, path + "[" + i + "]", node.get(i), env));
    }
    return out;
  }

  public <T> List<T> list(Function<ConfigNode, T> each) {
    return items().stream().map(each).toList();
  }

  public List<String> stringList() {
    if (!isMissing() && node.isTextual()) return List.of(text());
    return list(ConfigNode::text);
  }

  public String text() {
    if (isMissing()) throw error("is required");
    if (!node.isValueNode() || node.isBoolean()) throw error("must be a string");
    String value = node.asText();
    if (value.isBlank()) throw error("must not be empty");
    return value;
  }

  public String text(String fallback) {
    return isMissing() ? fallback : text();
  }

  public long longValue(long fallback, long min, long max) {
    if (isMissing()) return fallback;
    if (!node.isIntegralNumber()) throw error("must be a whole number, got '" + node.asText() + "'");
    long value = node.asLong();
    if (value < min || value > max) throw error("must be between " + min + " and " + max + ", got " + value);
    return value;
  }

  public int intValue(int fallback, int min, int max) {
    return (int) longValue(fallback, min, max);
  }

  /** A non-negative amount of money; read from the YAML text so no binary rounding creeps in. */
  public BigDecimal decimal(BigDecimal fallback) {
    if (isMissing()) return fallback;
    BigDecimal value;
    try {
      value = node.isNumber() ? new BigDecimal(node.asText()) : new BigDecimal(text());
    } catch (NumberFormatException e) {
      throw error("must be a number, got '" + node.asText() + "'");
    }
    if (value.signum() < 0) throw error("must not be negative, got " + value.toPlainString());
    return value;
  }

  /** Whether the value is false: YAML reads {@code off}, {@code no} and {@code false} so. */
  public boolean isFalse() {
    return !isMissing() && node.isBoolean() && !node.asBoolean();
  }

  public boolean bool(boolean fallback) {
    if (isMissing()) return fallback;
    if (!node.isBoolean()) throw error("must be true or false, got '" + node.asText() + "'");
    return node.asBoolean();
  }

  /** A duration written with its unit: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d}. */
  public Duration duration(Duration fallback) {
    if (isMissing()) return fallback;
    Matcher m = DURATION.matcher(node.asText().trim());
    if (!m.matches()) throw error("must be a duration such as 250ms, 30s, 5m, 24h or 7d, got '" + node.asText() + "'");
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** A size in bytes: a whole number, or one with a unit ({@code 512KiB}, {@code 256MiB}, {@code 1GB}). */
  public long bytes(long fallback, long min, long max) {
    if (isMissing()) return fallback;
    Matcher m = BYTES.matcher(node.asText().trim());
    if (!m.matches()) throw error("must be a size such as 1048576, 512KiB, 256MiB or 1GB, got '" + node.asText() + "'");
    long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
      case "KB" -> 1_000L;
      case "KiB" -> 1L << 10;
      case "MB" -> 1_000_000L;
      case "MiB" -> 1L << 20;
      case "GB" -> 1_000_000_000L;
      case "GiB" -> 1L << 30;
      default -> 1L;
    };
    long value;
    try {
      value = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    } catch (ArithmeticException | NumberFormatException e) {
      throw error("is too large, got '" + node.asText() + "'");
    }
    if (value < min || value > max) throw error("must be between " + min + " and " + max + " bytes, got " + value);
    return value;
  }

  public <E extends Enum<E>> E oneOf(Class<E> type, E fallback) {
    if (isMissing()) return fallback;
    String raw = text();
    for (E e : type.getEnumConstants()) {
      if (e.name().replace('_', '-').equalsIgnoreCase(raw)) return e;
    }
    List<String> names = java.util.Arrays.stream(type.getEnumConstants())
        .map(e -> e.name().replace('_', '-').toLowerCase()).toList();
    throw error("must be one of " + String.join(", ", names) + ", got '" + raw + "'");
  }

  /**
   * A secret, which must be an {@code ${env:NAME}} or {@code ${file:PATH}} reference (optionally
   * with a default, {@code ${env:NAME:-fallback}}): secrets are never written into config files.
   */
  public Secret secret() {
    String raw = text();
    Matcher m = REFERENCE.matcher(raw.trim());
    if (!m.matches()) {
      throw error("must be a reference such as ${env:NAME} or ${file:/path/to/secret}; secrets are not written into the config");
    }
    String kind = m.group(1);
    String name = m.group(2).trim();
    String fallback = m.group(3);
    String value;
    if (kind.equals("env")) {
      value = env.get(name);
      if (value == null || value.isEmpty()) value = fallback;
      if (value == null || value.isEmpty()) throw error("environment variable " + name + " is not set");
    } else {
      Path p = Path.of(name);
      try {
        value = Files.readString(p).strip();
      } catch (Exception e) {
        if (fallback == null) throw error("cannot read secret file " + name + " (" + e.getClass().getSimpleName() + ")");
        value = fallback;
      }
      if (value.isEmpty()) throw error("secret file " + name + " is empty");
    }
    return new Secret(value, kind + ":" + name);
  }

  /**
   * Whether the value is an {@code ${env:}} / {@code ${file:}} reference: then it is a secret (a URL carrying a
   * password, say), to be read with {@link #secret()} and never repeated in an error message.
   */
  public boolean isReference() {
    return !isMissing() && node.isTextual() && REFERENCE.matcher(node.asText().trim()).matches();
  }

  /** A secret that may be left out, or whose reference may resolve to nothing. */
  public Secret optionalSecret() {
    if (isMissing()) return null;
    Matcher m = REFERENCE.matcher(text().trim());
    if (m.matches() && m.group(1).equals("env") && m.group(3) == null) {
      String value = env.get(m.group(2).trim());
      if (value == null || value.isEmpty()) return null;
    }
    return secret();
  }
}
