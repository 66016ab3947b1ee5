package dev.tollgate.proxy;

/**
 * Work that must run exactly once for every admitted request, whatever happened to it: billing,
 * releasing quota reservations. Implementations must not throw and must not block.
 */
public interface Settlement {
  void settle(Exchange ex);
}
