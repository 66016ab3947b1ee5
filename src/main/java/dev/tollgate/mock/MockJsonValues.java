package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * A JSON value that conforms to a JSON schema, as a model writes one in structured-output mode: every listed
 * property of an object (required or not), strings of the answer's words, numbers within their bounds, one of an
 * enum, {@code $ref}s into {@code $defs} or {@code definitions}, the first non-null branch of an
 * {@code anyOf}/{@code oneOf}. Deep recursive schemas end in empty arrays and nulls where the schema allows them.
 */
final class MockJsonValues {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int DEEP = 4;

  private final JsonNode root;
  private final MockWords words;

  private MockJsonValues(JsonNode root, MockWords words) {
    this.root = root;
    this.words = words;
  }

  static JsonNode of(JsonNode schema, MockWords words) {
    return new MockJsonValues(schema, words).value(schema, 0);
  }

  /** Whether a schema names properties to fill (a tool without them gets the fake provider's default arguments). */
  static boolean hasProperties(JsonNode schema) {
    return schema != null && schema.path("properties").isObject() && !schema.path("properties").isEmpty();
  }

  private JsonNode value(JsonNode schema, int depth) {
    if (schema == null || !schema.isObject()) return NODES.textNode(words.next().trim());
    if (depth > 8 * DEEP) return NODES.nullNode(); // a schema with no finite instance
    if (schema.has("$ref")) return value(resolve(schema.get("$ref").asText()), depth + 1);
    if (schema.has("const")) return schema.get("const");
    JsonNode options = schema.path("enum");
    if (options.isArray() && !options.isEmpty()) return options.get((int) words.below(options.size()));
    for (String union : new String[] {"anyOf", "oneOf"}) {
      if (schema.path(union).isArray() && !schema.path(union).isEmpty()) return value(branch(schema.get(union), depth), depth);
    }
    if (schema.path("allOf").isArray() && !schema.path("allOf").isEmpty()) return value(merged(schema.get("allOf")), depth);
    return switch (type(schema, depth)) {
      case "object" -> object(schema, depth);
      case "array" -> array(schema, depth);
      case "integer" -> NODES.numberNode(number(schema, true).longValue());
      case "number" -> NODES.numberNode(number(schema, false).doubleValue());
      case "boolean" -> NODES.booleanNode(words.below(2) == 0);
      case "null" -> NODES.nullNode();
      default -> string(schema);
    };
  }

  /** The schema's type; of a union of types, the first that is not null (null itself when deep and allowed). */
  private static String type(JsonNode schema, int depth) {
    JsonNode type = schema.get("type");
    if (type != null && type.isTextual()) return type.asText();
    if (type != null && type.isArray()) {
      for (JsonNode t : type) if (t.asText().equals("null") && depth >= DEEP) return "null";
      for (JsonNode t : type) if (!t.asText().equals("null")) return t.asText();
      return "null";
    }
    if (schema.has("properties")) return "object";
    if (schema.has("items")) return "array";
    return "string";
  }

  private JsonNode branch(JsonNode alternatives, int depth) {
    for (JsonNode alt : alternatives) if ("null".equals(alt.path("type").asText()) && depth >= DEEP) return alt;
    for (JsonNode alt : alternatives) if (!"null".equals(alt.path("type").asText())) return alt;
    return alternatives.get(0);
  }

  private static JsonNode merged(JsonNode parts) {
    ObjectNode all = NODES.objectNode().put("type", "object");
    ObjectNode properties = all.putObject("properties");
    for (JsonNode part : parts) {
      if (part.path("properties").isObject()) properties.setAll((ObjectNode) part.get("properties"));
    }
    return properties.isEmpty() ? parts.get(0) : all;
  }

  private JsonNode resolve(String ref) {
    if (ref.equals("#")) return root;
    JsonNode at = root;
    if (!ref.startsWith("#/")) return NODES.objectNode();
    for (String part : ref.substring(2).split("/")) at = at.path(part.replace("~1", "/").replace("~0", "~"));
    return at.isMissingNode() ? NODES.objectNode() : at;
  }

  private JsonNode object(JsonNode schema, int depth) {
    ObjectNode object = NODES.objectNode();
    Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
    while (properties.hasNext()) {
      Map.Entry<String, JsonNode> p = properties.next();
      object.set(p.getKey(), value(p.getValue(), depth + 1));
    }
    return object;
  }

  private JsonNode array(JsonNode schema, int depth) {
    int min = schema.path("minItems").asInt(0);
    int max = schema.path("maxItems").asInt(Integer.MAX_VALUE);
    int size = Math.max(min, Math.min(depth >= DEEP ? 0 : 2, max));
    ArrayNode array = NODES.arrayNode();
    JsonNode prefix = schema.path("prefixItems");
    for (int i = 0; i < size; i++) {
      array.add(value(prefix.has(i) ? prefix.get(i) : schema.get("items"), depth + 1));
    }
    return array;
  }

  /** A number within the schema's bounds (inclusive or exclusive); from 1 to 100 when it sets none. */
  private Number number(JsonNode schema, boolean integer) {
    Double min = bound(schema, "minimum");
    Double max = bound(schema, "maximum");
    Double above = bound(schema, "exclusiveMinimum");
    Double below = bound(schema, "exclusiveMaximum");
    if (integer) {
      long from = min != null ? (long) Math.ceil(min) : above != null ? (long) Math.floor(above) + 1 : Long.MIN_VALUE;
      long to = max != null ? (long) Math.floor(max) : below != null ? (long) Math.ceil(below) - 1 : Long.MAX_VALUE;
      if (from == Long.MIN_VALUE) from = to == Long.MAX_VALUE ? 1 : to - 99;
      if (to == Long.MAX_VALUE) to = from + 99;
      return from + words.below(Math.max(1, to - from + 1));
    }
    double low = min != null ? min : above != null ? above : Double.NaN;
    double high = max != null ? max : below != null ? below : Double.NaN;
    if (Double.isNaN(low)) low = Double.isNaN(high) ? 1 : high - 100;
    if (Double.isNaN(high)) high = low + 100;
    // strictly inside the bounds, so exclusive ones hold too
    return low + (high - low) * (1 + words.below(99)) / 100.0;
  }

  private static Double bound(JsonNode schema, String name) {
    return schema.path(name).isNumber() ? schema.get(name).asDouble() : null;
  }

  private JsonNode string(JsonNode schema) {
    String w = words.next().trim();
    String s = switch (schema.path("format").asText("")) {
      case "date-time" -> "2024-05-" + (10 + words.below(18)) + "T12:00:00Z";
      case "date" -> "2024-05-" + (10 + words.below(18));
      case "time" -> "12:" + (10 + words.below(50)) + ":00";
      case "email" -> w + "@example.com";
      case "uri", "url" -> "https://example.com/" + w;
      case "uuid" -> "00000000-0000-4000-8000-" + String.format("%012d", words.below(1_000_000_000_000L));
      default -> w + words.next();
    };
    int min = schema.path("minLength").asInt(0);
    int max = schema.path("maxLength").asInt(Integer.MAX_VALUE);
    while (s.length() < min) s = s + words.next();
    return NODES.textNode(s.length() > max ? s.substring(0, max) : s);
  }
}
