package dev.tollgate.store;

import dev.tollgate.support.TestStack;

class SqliteTeamStoreTest extends TeamStoreContract {
  @Override
  String newStore() {
    return TestStack.newSqliteStore();
  }
}
