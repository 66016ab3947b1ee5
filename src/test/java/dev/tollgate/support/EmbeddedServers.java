package dev.tollgate.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL (from a jar, no Docker) for the whole test run, started on first use; each
 * caller gets a fresh database in it.
 */
public final class EmbeddedServers {
  private static EmbeddedPostgres postgres;
  private static RedisServer redisServer;
  private static int redisPort;
  private static final AtomicInteger databases = new AtomicInteger();

  private EmbeddedServers() {}

  public static synchronized EmbeddedPostgres postgres() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start embedded PostgreSQL", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          postgres.close();
        } catch (Exception ignored) {
          // the JVM is going away
        }
      }));
    }
    return postgres;
  }

  /** One real Redis 6 (from a jar) for the whole run; returns its port. Tests keep apart by using their own team ids. */
  public static synchronized int redisPort() {
    if (redisServer == null) {
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        redisPort = s.getLocalPort();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      try {
        redisServer = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1")
            .setting("save \"\"").setting("appendonly no").build();
        redisServer.start();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start embedded Redis", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          redisServer.stop();
        } catch (Exception ignored) {
          // the JVM is going away
        }
      }));
    }
    return redisPort;
  }

  public static String redisUrl() {
    return "redis://127.0.0.1:" + redisPort();
  }

  /** A new, empty database; returns its store URL ({@code postgresql://postgres@localhost:PORT/NAME}). */
  public static String newPostgresStore() {
    EmbeddedPostgres pg = postgres();
    String name = "tollgate_" + databases.incrementAndGet() + "_" + ProcessHandle.current().pid();
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return "postgresql://postgres@localhost:" + pg.getPort() + "/" + name;
  }
}
