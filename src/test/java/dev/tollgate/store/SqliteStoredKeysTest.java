package dev.tollgate.store;

import dev.tollgate.support.TestStack;

class SqliteStoredKeysTest extends StoredKeysContract {
  @Override
  String newStore() {
    return TestStack.newSqliteStore();
  }
}
