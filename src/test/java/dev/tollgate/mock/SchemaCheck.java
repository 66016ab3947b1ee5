package dev.tollgate.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * What a JSON value breaks of a JSON schema, for the parts structured outputs use: type, properties, required,
 * additionalProperties false, enum, const, items, minItems/maxItems, minimum/maximum, anyOf, and $ref into $defs.
 */
final class SchemaCheck {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final JsonNode root;
  private final List<String> problems = new ArrayList<>();

  private SchemaCheck(JsonNode root) {
    this.root = root;
  }

  static List<String> problems(String schema, String value) throws Exception {
    JsonNode s = JSON.readTree(schema);
    SchemaCheck check = new SchemaCheck(s);
    check.check(s, JSON.readTree(value), "$");
    return check.problems;
  }

  private void check(JsonNode schema, JsonNode value, String at) {
    if (schema.has("$ref")) {
      JsonNode target = root;
      for (String part : schema.get("$ref").asText().substring(2).split("/")) target = target.path(part);
      check(target, value, at);
      return;
    }
    if (schema.has("anyOf")) {
      for (JsonNode alt : schema.get("anyOf")) {
        SchemaCheck branch = new SchemaCheck(root);
        branch.check(alt, value, at);
        if (branch.problems.isEmpty()) return;
      }
      problems.add(at + " matches no anyOf branch");
      return;
    }
    if (schema.has("const") && !schema.get("const").equals(value)) problems.add(at + " is not the const");
    if (schema.has("enum")) {
      boolean found = false;
      for (JsonNode option : schema.get("enum")) found |= option.equals(value);
      if (!found) problems.add(at + " is not in the enum: " + value);
    }
    JsonNode type = schema.get("type");
    if (type != null) {
      boolean typed = false;
      for (JsonNode t : type.isArray() ? type : JSON.createArrayNode().add(type)) typed |= is(t.asText(), value);
      if (!typed) {
        problems.add(at + " is not of type " + type + ": " + value);
        return;
      }
    }
    if (value.isObject()) object(schema, value, at);
    if (value.isArray()) {
      if (value.size() < schema.path("minItems").asInt(0)) problems.add(at + " has too few items");
      if (value.size() > schema.path("maxItems").asInt(Integer.MAX_VALUE)) problems.add(at + " has too many items");
      for (int i = 0; i < value.size(); i++) if (schema.has("items")) check(schema.get("items"), value.get(i), at + "[" + i + "]");
    }
    if (value.isNumber()) {
      if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) problems.add(at + " is below the minimum");
      if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) problems.add(at + " is above the maximum");
    }
  }

  private void object(JsonNode schema, JsonNode value, String at) {
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) problems.add(at + " lacks " + required.asText());
    }
    value.fieldNames().forEachRemaining(name -> {
      JsonNode property = schema.path("properties").get(name);
      if (property != null) check(property, value.get(name), at + "." + name);
      else if (schema.path("additionalProperties").isBoolean() && !schema.get("additionalProperties").asBoolean()) {
        problems.add(at + " has an extra property " + name);
      }
    });
  }

  private static boolean is(String type, JsonNode value) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "null" -> value.isNull();
      default -> false;
    };
  }
}
