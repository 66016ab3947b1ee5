package dev.tollgate.store;

import dev.tollgate.support.TestStack;

class SqliteLedgerStoreTest extends LedgerStoreContract {
  @Override
  String newStore() {
    return TestStack.newSqliteStore();
  }
}
