package dev.tollgate.wire;

import dev.tollgate.core.Usage;

/** Watches one streamed answer event by event, as the relay passes it on. */
public interface StreamObserver {
  /**
   * Reads one event; false when the client must not see it (the usage event the gateway asked for on
   * a client's behalf).
   *
   * @param data the event's {@code data:} field, or null for an event without one (a comment)
   */
  boolean relay(String event, String data);

  /**
   * {@link #relay(String, String)} for an event whose {@code data:} is one line, given as its UTF-8 bytes (the
   * relay's case): an observer that reads JSON from bytes overrides it, and is spared the text.
   */
  default boolean relay(String event, byte[] data) {
    return relay(event, new String(data, java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The usage the provider reported for the whole answer, once it has; else null. */
  Usage usage();

  /**
   * The prompt's usage the provider reported as the stream began (Anthropic's {@code message_start}), before
   * the whole answer's; null if it reports none. A stream that breaks off is billed with these prompt counts and an
   * estimate of its output.
   */
  default Usage promptUsage() {
    return null;
  }

  /** Whether the stream's final event has passed ({@code [DONE]}, a completed response, an error). */
  boolean ended();

  /** Whether the stream carried an error event (it then ended, but not with an answer). */
  boolean failed();

  /** The text produced so far (as tokens), for an estimate when the stream ends without usage. */
  ProducedText produced();
}
