package dev.tollgate.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * The embedded SQLite file or a PostgreSQL server, behind plain JDBC on a worker pool of its own:
 * no statement ever runs on an event loop. Migrations (Flyway, one set per dialect with the same
 * schema) are applied when it opens.
 */
public final class Database {
  public enum Dialect { SQLITE, POSTGRESQL }

  /** Work to do with a connection, inside one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final Dialect dialect;
  private final HikariDataSource dataSource;
  private final WorkerExecutor workers;
  private final String description;
  private final Vertx vertx;
  /** The statements {@link #kept} prepared, by the driver's connection they were prepared on, then by SQL. */
  private final Map<Connection, Map<String, PreparedStatement>> keptStatements = new HashMap<>();

  private Database(Vertx vertx, Dialect dialect, HikariDataSource dataSource, WorkerExecutor workers, String description) {
    this.vertx = vertx;
    this.dialect = dialect;
    this.dataSource = dataSource;
    this.workers = workers;
    this.description = description;
  }

  /**
   * Opens {@code sqlite:PATH} or {@code postgresql://user:password@host:port/db}, migrating the
   * schema. Blocks: call it from a worker or at start-up.
   */
  public static Database open(Vertx vertx, String store) {
    HikariConfig hikari = new HikariConfig();
    Dialect dialect;
    String description;
    if (store.startsWith("sqlite:")) {
      dialect = Dialect.SQLITE;
      Path file = Path.of(store.substring("sqlite:".length()));
      try {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
      } catch (Exception e) {
        throw new IllegalStateException("cannot create the directory for " + file + ": " + e.getMessage());
      }
      hikari.setJdbcUrl("jdbc:sqlite:" + file + "?foreign_keys=on&journal_mode=WAL&busy_timeout=10000&synchronous=NORMAL"
          + "&cache_size=-65536");
      hikari.setMaximumPoolSize(4);
      description = "sqlite:" + file;
    } else {
      dialect = Dialect.POSTGRESQL;
      URI uri = URI.create(store.replaceFirst("^postgres(ql)?://", "postgresql://"));
      String userInfo = uri.getRawUserInfo();
      if (userInfo != null) {
        int colon = userInfo.indexOf(':');
        hikari.setUsername(decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
        if (colon >= 0) hikari.setPassword(decode(userInfo.substring(colon + 1)));
      }
      int port = uri.getPort() > 0 ? uri.getPort() : 5432;
      hikari.setJdbcUrl("jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getRawPath()
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
      hikari.setMaximumPoolSize(8);
      description = "postgresql://" + uri.getHost() + ":" + port + uri.getRawPath();
    }
    hikari.setPoolName("tollgate-store");
    hikari.setAutoCommit(false);
    hikari.setConnectionTimeout(5_000);
    hikari.setInitializationFailTimeout(-1);
    HikariDataSource ds = new HikariDataSource(hikari);
    try {
      Flyway.configure().dataSource(ds).locations("classpath:db/" + dialect.name().toLowerCase())
          .failOnMissingLocations(true).load().migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw new IllegalStateException("cannot migrate the store " + description + ": " + rootMessage(e), e);
    }
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("tollgate-store", hikari.getMaximumPoolSize());
    return new Database(vertx, dialect, ds, workers, description);
  }

  public Dialect dialect() {
    return dialect;
  }

  /** Where the store is, without credentials; safe to log. */
  public String description() {
    return description;
  }

  /** Runs the work in a transaction on the store's worker pool. */
  public <T> Future<T> call(Work<T> work) {
    return workers.executeBlocking(() -> transaction(work), false);
  }

  /**
   * Runs the work in a transaction on the calling thread; only for worker threads. On SQLite, a
   * transaction that read before it wrote fails at once with SQLITE_BUSY (or SQLITE_BUSY_SNAPSHOT) when
   * another connection writes meanwhile — busy_timeout does not wait when a reader would have to become a
   * writer — so it is run again from the start, a few times.
   */
  public <T> T transaction(Work<T> work) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        return once(work);
      } catch (SQLException e) {
        boolean busy = dialect == Dialect.SQLITE && String.valueOf(e.getMessage()).contains("SQLITE_BUSY");
        if (!busy || attempt == 5) throw e;
        try {
          Thread.sleep(5L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * One attempt. A failure is rethrown as it was: a rollback that fails too is attached to it (suppressed),
   * and the connection is evicted from the pool unless the failure was a plain conflict (busy, a constraint),
   * so that a connection left in an unknown state (a full disk, a lost server) is never lent out again.
   */
  private <T> T once(Work<T> work) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        boolean rolledBack = rollback(c, e);
        if (!rolledBack || !isConflict(e)) dataSource.evictConnection(c);
        throw e;
      }
    }
  }

  /**
   * The statement for {@code sql} on a connection this database lent, prepared the first time and kept with the
   * connection from one transaction to the next: SQLite compiles a statement anew at every prepare (~0.1 ms for the
   * ledger's insert, paid once per batch). It is prepared on the driver's connection beneath the pool's proxy, so the
   * pool does not close it when the connection goes back; it goes when the pool closes the connection. The caller
   * neither closes it nor keeps it past the transaction.
   */
  public PreparedStatement kept(Connection c, String sql) throws SQLException {
    Connection driver = c.unwrap(Connection.class);
    Map<String, PreparedStatement> statements;
    synchronized (keptStatements) {
      statements = keptStatements.get(driver);
      if (statements == null) {
        keptStatements.keySet().removeIf(Database::closed); // connections the pool has retired since
        statements = new HashMap<>();
        keptStatements.put(driver, statements);
      }
    }
    // a connection is lent to one thread at a time, and so is what it keeps
    PreparedStatement ps = statements.get(sql);
    if (ps == null || ps.isClosed()) {
      ps = driver.prepareStatement(sql);
      statements.put(sql, ps);
    }
    ps.clearBatch(); // what a failed use may have left
    return ps;
  }

  private static boolean closed(Connection c) {
    try {
      return c.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  private static boolean rollback(Connection c, Exception failure) {
    try {
      c.rollback();
      return true;
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(e);
      return false;
    }
  }

  /** A failure that says nothing about the connection: another writer, or a constraint the data broke. */
  private static boolean isConflict(Exception e) {
    if (!(e instanceof SQLException sql)) return false;
    String state = String.valueOf(sql.getSQLState());
    String message = String.valueOf(sql.getMessage());
    return state.startsWith("23") || state.equals("40001") || state.equals("40P01")
        || message.contains("SQLITE_BUSY") || message.contains("SQLITE_CONSTRAINT");
  }

  public Future<Void> close() {
    return workers.close().transform(x -> vertx.executeBlocking(() -> {
      dataSource.close();
      return null;
    }));
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) t = t.getCause();
    return t.getMessage();
  }
}
