package dev.tollgate.pipeline;

import dev.tollgate.core.Usage;
import dev.tollgate.wire.Answer;
import dev.tollgate.wire.StreamObserver;
import io.vertx.core.Future;

/** How the answer reached the client, written by the relay stage: status, usage or text, and how a stream ended. */
public final class Outcome {
  private int status;
  private Answer answer;
  private StreamObserver stream;
  private java.util.function.Supplier<Future<Long>> streamTokens;
  private boolean streamBroken;
  private boolean timedOut;
  private long firstEventNanos;
  private boolean stoppedByShutdown;

  /** The status relayed to the client, or 0 before one was. */
  public int status() { return status; }
  /** Whether a stream broke before its end (an error event ended it). */
  public boolean streamBroken() { return streamBroken; }
  /** Whether the upstream went silent past the timeout after it started answering. */
  public boolean timedOut() { return timedOut; }
  /** Whether the gateway, stopping, ended the stream at its shutdown grace. */
  public boolean stoppedByShutdown() { return stoppedByShutdown; }
  /** When the first streamed event reached the client, or 0. */
  public long firstEventNanos() { return firstEventNanos; }

  /** Whether a stream reached its final event without an error and without breaking. */
  public boolean completeStream() {
    return stream != null && stream.ended() && !stream.failed() && !streamBroken;
  }

  /** The usage the provider reported, or null. */
  public Usage reported() {
    if (answer != null) return answer.usage();
    return stream == null ? null : stream.usage();
  }

  /** The prompt's usage a stream reported as it began, or null. */
  public Usage promptReported() {
    return stream == null ? null : stream.promptUsage();
  }

  /** The text of a whole answer without usage, for an estimate; null for a stream or an answer with usage. */
  public String answerText() {
    return answer == null ? null : answer.text();
  }

  /** The tokens of the text a stream produced as far as it was relayed, for an estimate; 0 if none. */
  public Future<Long> streamedTokens() {
    return streamTokens == null ? Future.succeededFuture(0L) : streamTokens.get();
  }

  void status(int status) {
    this.status = status;
  }

  void answer(Answer answer) {
    this.answer = answer;
  }

  /** @param tokens the tokens of the text the stream produced, once counted */
  void stream(StreamObserver stream, java.util.function.Supplier<Future<Long>> tokens) {
    this.stream = stream;
    this.streamTokens = tokens;
  }

  void broken(boolean timedOut) {
    this.streamBroken = true;
    this.timedOut |= timedOut;
  }

  void markStoppedByShutdown() {
    this.stoppedByShutdown = true;
  }

  void markTimedOut() {
    this.timedOut = true;
  }

  void firstEvent(long nanos) {
    this.firstEventNanos = nanos;
  }
}
