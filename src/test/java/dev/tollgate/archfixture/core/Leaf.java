package dev.tollgate.archfixture.core;

import dev.tollgate.archfixture.pipeline.Stagey;

/** Breaks the layering on purpose: the bottom layer reaches up into the pipeline. */
public final class Leaf {
  public Stagey up() {
    return new Stagey();
  }
}
