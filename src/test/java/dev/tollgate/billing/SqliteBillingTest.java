package dev.tollgate.billing;

import dev.tollgate.support.TestStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

class SqliteBillingTest extends BillingContract {
  @Override
  String newStore() {
    return TestStack.newSqliteStore();
  }

  /** SQLite is a file: it is "down" while another connection holds an exclusive lock on it. */
  @Override
  Outage outageStore() {
    String url = TestStack.newSqliteStore();
    return new Outage() {
      Connection lock;

      public String url() {
        return url;
      }

      public void cut() {
        try {
          lock = DriverManager.getConnection("jdbc:" + url);
          lock.setAutoCommit(false);
          try (Statement s = lock.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            s.execute("INSERT INTO store_version (id, version) VALUES (2, 0)");
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }

      public void restore() {
        try {
          lock.rollback();
          lock.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }
}
