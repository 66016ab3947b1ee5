package dev.tollgate.wire;

/**
 * One client request carried by a provider that speaks another dialect: the request as that provider reads
 * it, and its answer turned back into the client's shape, whole, as an error, or event by event.
 */
public interface Translation {
  /** The request in the provider's dialect: its prepared upstream body is what the provider gets. */
  ApiRequest upstream();

  /** A successful non-streamed answer, from the provider's shape into the client's. */
  byte[] answer(byte[] upstreamAnswer);

  /** An error answer (any status but 200), in the client's API's error shape, its message kept. */
  byte[] error(int status, byte[] upstreamError);

  /** A fresh translator for one streamed answer. */
  Events events();

  /** Turns a stream's events into the client's, as each arrives. */
  interface Events {
    /**
     * Translates one upstream event into none, one or several of the client's, each a complete SSE event.
     *
     * @param data the event's {@code data:}, or null (a comment)
     */
    void translate(String event, String data, Sink sink);
  }

  /** Where translated events go. */
  interface Sink {
    /**
     * @param visible false for an event the client must not see (the usage chunk the gateway asked for on the
     *     client's behalf): it is kept for the record (the cache) only
     */
    void event(byte[] raw, boolean visible);
  }
}
