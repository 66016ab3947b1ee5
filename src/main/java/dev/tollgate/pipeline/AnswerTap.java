package dev.tollgate.pipeline;

import io.vertx.core.buffer.Buffer;

/** Sees the answer as the relay passes it to the client: each streamed event, or the whole body. */
interface AnswerTap {
  /** One event of a stream, whole, before the client's observer decides whether the client sees it. */
  void event(Buffer raw);

  /** The body of a non-streamed answer, with the upstream's status. */
  void body(int status, Buffer body);

  /** The answer has been relayed whole (the client's response is about to end): called once, before it ends. */
  void complete();

  /** Whether other requests still read this answer: then it is read to its end even if this request's client left. */
  boolean followed();
}
