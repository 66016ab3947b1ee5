package dev.tollgate.wire;

import dev.tollgate.core.Usage;

/** What a stream observer keeps: the text so far, the usage once reported, whether the end passed and how. */
public abstract class ObservedStream implements StreamObserver {
  protected final StringBuilder text = new StringBuilder();
  protected Usage usage;
  protected boolean ended;
  protected boolean failed;

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
