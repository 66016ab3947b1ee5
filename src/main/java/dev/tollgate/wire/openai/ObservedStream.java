package dev.tollgate.wire.openai;

import dev.tollgate.core.Usage;
import dev.tollgate.wire.StreamObserver;

/** What both OpenAI stream observers keep: the text so far, the usage once reported, whether the end passed. */
abstract class ObservedStream implements StreamObserver {
  final StringBuilder text = new StringBuilder();
  Usage usage;
  boolean ended;
  boolean failed;

  @Override
  public Usage usage() {
    return usage;
  }

  @Override
  public boolean ended() {
    return ended;
  }

  @Override
  public boolean failed() {
    return failed;
  }

  @Override
  public String text() {
    return text.toString();
  }
}
