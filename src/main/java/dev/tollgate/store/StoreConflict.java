package dev.tollgate.store;

/** A change the store refused because it conflicts with what is there (a duplicate, a missing parent). */
public final class StoreConflict extends RuntimeException {
  public StoreConflict(String message) {
    super(message, null, false, false);
  }
}
