package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.store.Database;
import dev.tollgate.support.GatewayProcess;
import dev.tollgate.support.Http;
import dev.tollgate.support.TempFiles;
import dev.tollgate.support.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, defect 3: the store failing (a full disk) and coming back. The records are kept meanwhile, the replica
 * says it is not ready and why, and once the store takes writes again every record is written, once, without a
 * restart.
 */
class StoreOutageTest {
  static final String ADMIN = "Bearer " + TestStack.ADMIN_TOKEN;

  /**
   * The disk "fills" through the gateway process's file-size limit (RLIMIT_FSIZE, which needs no privilege): SQLite's
   * writes fail as on a full disk and SQLite rolls the transaction back itself, which made the old code's rollback throw
   * {@code cannot rollback - no transaction is active} and left every pooled connection unusable for good.
   */
  @Test
  void a_full_disk_keeps_the_records_says_not_ready_and_writes_each_once_when_space_returns() throws Exception {
    Path dir = TempFiles.dir("tollgate-full-disk");
    String store = "sqlite:" + dir.resolve("tollgate.db");
    String tag = "full-" + UUID.randomUUID() + "-";
    try (GatewayProcess gateway = new GatewayProcess("""
        server: { host: 127.0.0.1, port: 0, instances: 1, access-log: false }
        admin: { token: "${env:ADMIN_TOKEN}" }
        store: "%s"
        billing: { flush-interval: 50ms, journal: off }
        providers: { mock: { type: mock } }
        models: { gpt-test: { targets: [ { provider: mock, model: mock-gpt } ] } }
        teams: { alpha: { keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] } }
        """.formatted(store))) {
      Http http = gateway.http();
      for (int i = 0; i < 5; i++) chat(http, tag + "before-" + i);
      await().atMost(Duration.ofSeconds(10)).until(() -> metric(http, "tollgate_ledger_written_total") == 5);
      assertThat(http.get("/readyz").statusCode()).isEqualTo(200);

      gateway.limitFileSize(1024L);
      for (int i = 0; i < 30; i++) chat(http, tag + "full-" + i);
      await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/readyz").statusCode() == 503);
      JsonObject notReady = new JsonObject(http.get("/readyz").body());
      assertThat(notReady.getBoolean("ready")).isFalse();
      assertThat(notReady.getJsonArray("reasons").encode()).contains("store: usage records cannot be written to sqlite:");
      await().atMost(Duration.ofSeconds(5)).until(() -> metric(http, "tollgate_ledger_pending") == 30);
      assertThat(metric(http, "tollgate_ledger_write_failures_total")).isPositive();

      gateway.limitFileSize(null);
      await().atMost(Duration.ofSeconds(15)).until(() -> http.get("/readyz").statusCode() == 200);
      await().atMost(Duration.ofSeconds(5)).until(() -> metric(http, "tollgate_ledger_pending") == 0);
      assertThat(metric(http, "tollgate_ledger_written_total")).isEqualTo(35);
      assertThat(metric(http, "tollgate_ledger_dropped_total")).isZero();
      HttpResponse<String> admin = http.get("/admin/usage/records?team=alpha&limit=1000", "authorization", ADMIN);
      assertThat(admin.statusCode()).as("the admin API reads the store again: " + admin.body()).isEqualTo(200);
      assertThat(new JsonObject(admin.body()).getJsonArray("data")).hasSize(35);
      assertThat(gateway.terminate(30)).isTrue();
    }
    assertThat(recorded(store, tag)).isEqualTo(35);
  }

  static void chat(Http http, String requestId) {
    HttpResponse<String> r = http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "disk " + requestId, false),
        "x-request-id", requestId);
    assertThat(r.statusCode()).as("the hot path does not wait for the store: " + r.body()).isEqualTo(200);
  }

  /** A metric's value in the gateway's scrape (the first series of that name). */
  static double metric(Http http, String name) {
    return http.get("/metrics").body().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
  }

  /** Records with request ids starting with the tag; fails if any is there twice. */
  static long recorded(String store, String tag) throws Exception {
    Vertx vertx = Vertx.vertx();
    Database db = Database.open(vertx, store);
    try {
      return db.transaction(c -> {
        try (var ps = c.prepareStatement("SELECT COUNT(DISTINCT request_id), COUNT(*) FROM usage_records WHERE request_id LIKE ?")) {
          ps.setString(1, tag + "%");
          try (var rs = ps.executeQuery()) {
            rs.next();
            assertThat(rs.getLong(2)).as("records written twice").isEqualTo(rs.getLong(1));
            return rs.getLong(1);
          }
        }
      });
    } finally {
      TestStack.await(db.close());
      TestStack.await(vertx.close());
    }
  }
}
