package dev.tollgate.wire;

import dev.tollgate.core.Usage;

/** What a stream observer keeps: the text so far (as a token count), the usage once reported, whether and how it ended. */
public abstract class ObservedStream implements StreamObserver {
  protected final ProducedText text;
  protected Usage usage;
  protected boolean ended;
  protected boolean failed;

  protected ObservedStream(ProducedText text) {
    this.text = text;
  }

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
  public ProducedText produced() {
    return text;
  }
}
