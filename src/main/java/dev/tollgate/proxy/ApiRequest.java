package dev.tollgate.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A client request after reading: its endpoint, its JSON body and what the pipeline needs from it.
 * {@code clientWantsUsage}: the client itself asked for the usage chunk of a stream.
 */
public record ApiRequest(
    Endpoint endpoint,
    ObjectNode body,
    String model,
    boolean stream,
    boolean clientWantsUsage,
    Long maxOutputTokens,
    String user) {}
