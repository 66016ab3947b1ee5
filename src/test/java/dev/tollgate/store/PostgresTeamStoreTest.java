package dev.tollgate.store;

import dev.tollgate.support.EmbeddedServers;

class PostgresTeamStoreTest extends TeamStoreContract {
  @Override
  String newStore() {
    return EmbeddedServers.newPostgresStore();
  }
}
