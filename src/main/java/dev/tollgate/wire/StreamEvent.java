package dev.tollgate.wire;

/** One server-sent event as the wire carries it: its {@code event:} name (or null) and its {@code data:}. */
public record StreamEvent(String name, String data) {}
