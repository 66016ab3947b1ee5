package dev.tollgate.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A client request after reading: its dialect and operation, its JSON body and what the gateway needs
 * from it. {@code maxOutputTokens}: what the request caps its output at (0 when the operation produces
 * none, null when it does not say); {@code clientWantsUsage}: the client itself asked for the usage
 * event of a stream.
 */
public record ApiRequest(
    Dialect dialect,
    Operation operation,
    ObjectNode body,
    String model,
    boolean stream,
    boolean clientWantsUsage,
    Long maxOutputTokens,
    String user) {

  public Prompt prompt() {
    return dialect.prompt(this);
  }
}
