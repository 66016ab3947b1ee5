package dev.tollgate.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Values the fake provider writes for a JSON schema conform to it, and the same prompt always gives the same value. */
class MockJsonValuesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode value(String schema, String prompt) throws Exception {
    return MockJsonValues.of(JSON.readTree(schema), MockWords.of(prompt, 0));
  }

  @Test
  void every_listed_property_gets_a_value_of_its_type_within_its_bounds() throws Exception {
    String schema = """
        {"type":"object","properties":{
          "id":{"type":"string","format":"uuid"},"when":{"type":"string","format":"date-time"},
          "code":{"type":"string","minLength":12,"maxLength":12},"kind":{"const":"fixed"},
          "level":{"type":"integer","minimum":10,"maximum":12},"ratio":{"type":"number","exclusiveMinimum":0,"maximum":0.5},
          "pair":{"type":"array","items":{"type":"boolean"},"minItems":3,"maxItems":3},
          "maybe":{"anyOf":[{"type":"null"},{"type":"integer","minimum":1,"maximum":1}]},
          "both":{"allOf":[{"type":"object","properties":{"a":{"type":"string"}}},{"type":"object","properties":{"b":{"type":"integer"}}}]},
          "optional":{"type":"string"}},
         "required":["id","when","code","kind","level","ratio","pair","maybe","both"]}""";
    JsonNode v = value(schema, "bounds");

    assertThat(SchemaCheck.problems(schema, v.toString())).isEmpty();
    assertThat(v.fieldNames()).toIterable().containsExactly("id", "when", "code", "kind", "level", "ratio", "pair", "maybe",
        "both", "optional");
    assertThat(v.get("id").asText()).matches("[0-9a-f-]{36}");
    assertThat(v.get("when").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(v.get("code").asText()).hasSize(12);
    assertThat(v.get("maybe").asInt()).isEqualTo(1);
    assertThat(v.get("both").has("a") && v.get("both").has("b")).isTrue();
    assertThat(value(schema, "bounds")).isEqualTo(v);
  }

  @Test
  void a_recursive_schema_ends_in_empty_arrays_and_nulls() throws Exception {
    String schema = """
        {"$ref":"#/definitions/node","definitions":{"node":{"type":"object","required":["name","children","parent"],
          "properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/definitions/node"}},
                        "parent":{"type":["object","null"],"properties":{"link":{"$ref":"#/definitions/node"}}}}}}}""";
    JsonNode v = value(schema, "tree");

    assertThat(v.get("children")).hasSize(2);
    assertThat(v.toString()).contains("\"children\":[]").contains("\"parent\":null");
  }

  @Test
  void a_schema_without_properties_and_a_tool_without_them_get_defaults() throws Exception {
    assertThat(value("{\"type\":\"object\"}", "x").isObject()).isTrue();
    assertThat(MockTools.arguments(JSON.readTree("{\"type\":\"object\"}"), 1, MockWords.of("x", 0)).toString())
        .matches("\\{\"query\":\"\\w+\",\"n\":2}");
  }
}
