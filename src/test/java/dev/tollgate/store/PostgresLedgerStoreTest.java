package dev.tollgate.store;

import dev.tollgate.support.EmbeddedServers;

class PostgresLedgerStoreTest extends LedgerStoreContract {
  @Override
  String newStore() {
    return EmbeddedServers.newPostgresStore();
  }
}
