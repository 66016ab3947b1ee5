package dev.tollgate.wire.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

final class JsonNodes {
  private JsonNodes() {}

  /** The object under {@code field}, created (or replacing a non-object) if needed. */
  static ObjectNode objectAt(ObjectNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n instanceof ObjectNode o) return o;
    return parent.putObject(field);
  }
}
