package dev.tollgate.quota;

import io.vertx.core.Vertx;

class LocalQuotasTest extends QuotaBackendContract {
  @Override
  QuotaBackend open(Vertx vertx) {
    return new LocalQuotas();
  }
}
