package dev.tollgate.proxy;

import io.vertx.core.Future;

/**
 * The admission stage: decides, before any upstream call, whether a request may go ahead, and
 * reserves what it may use. A refused request fails the future with a {@code GatewayFailure}.
 * The returned settlement runs exactly once when the admitted request ends.
 */
public interface Admission {
  Future<Settlement> admit(Exchange ex);
}
