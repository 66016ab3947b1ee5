package dev.tollgate.archfixture.mock;

import dev.tollgate.archfixture.core.Leaf;

/** A fake provider that imports the gateway it should be independent of. */
public final class Fake {
  public Leaf leaf() {
    return new Leaf();
  }
}
