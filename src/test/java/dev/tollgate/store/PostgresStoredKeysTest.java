package dev.tollgate.store;

import dev.tollgate.support.EmbeddedServers;

class PostgresStoredKeysTest extends StoredKeysContract {
  @Override
  String newStore() {
    return EmbeddedServers.newPostgresStore();
  }
}
