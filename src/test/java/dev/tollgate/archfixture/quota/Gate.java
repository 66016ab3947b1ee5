package dev.tollgate.archfixture.quota;

import dev.tollgate.archfixture.billing.Bill;

/** Quota reaching into billing: what the domain rule forbids. */
public final class Gate {
  public Bill bill() {
    return new Bill();
  }
}
