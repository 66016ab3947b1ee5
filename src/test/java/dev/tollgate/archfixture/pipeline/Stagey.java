package dev.tollgate.archfixture.pipeline;

import dev.tollgate.archfixture.core.Leaf;

/** A pipeline class using core, as it may; with {@link Leaf} reaching back, the two make a cycle. */
public final class Stagey {
  public Leaf down() {
    return new Leaf();
  }
}
