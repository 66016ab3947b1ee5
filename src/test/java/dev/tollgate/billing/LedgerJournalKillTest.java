package dev.tollgate.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.store.Database;
import dev.tollgate.support.GatewayProcess;
import dev.tollgate.support.Http;
import dev.tollgate.support.TempFiles;
import dev.tollgate.support.TestStack;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 20: a gateway killed outright ({@code kill -9}) loses no usage record it had taken: the ledger journal holds
 * every record not yet in the store, and the next start writes them, each once.
 */
class LedgerJournalKillTest {
  static String yaml(String store, String billing) {
    return """
        server: { host: 127.0.0.1, port: 0, instances: 2, access-log: false }
        store: "%s"
        billing: %s
        providers: { mock: { type: mock } }
        models: { gpt-test: { targets: [ { provider: mock, model: mock-gpt } ] } }
        teams: { alpha: { keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] } }
        """.formatted(store, billing);
  }

  static HttpRequest chat(GatewayProcess gateway, String requestId, boolean stream, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + TestStack.ALPHA_KEY).header("x-request-id", requestId)
        .POST(HttpRequest.BodyPublishers.ofString(Http.chat("gpt-test", "kill " + requestId, stream)));
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return b.build();
  }

  /**
   * The window is widened on purpose: with an hour between timed flushes, only full trickles of 100 records are written, so
   * 50 of the 250 acknowledged requests wait in memory when the gateway is killed, with 20 streams in flight. Without the
   * journal those are lost; with it, the next start writes them.
   */
  @Test
  void kill_9_under_load_loses_no_acknowledged_record_and_the_next_start_writes_each_once() throws Exception {
    String store = "sqlite:" + TempFiles.dir("tollgate-kill") + "/tollgate.db";
    String config = yaml(store, "{ flush-interval: 1h, batch-size: 100 }");
    String tag = "kill-" + UUID.randomUUID() + "-";
    int acknowledged = 250;
    int unwritten;
    try (GatewayProcess gateway = new GatewayProcess(config)) {
      Http http = gateway.http();
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < acknowledged; i++) {
        calls.add(http.client().sendAsync(chat(gateway, tag + i, false), HttpResponse.BodyHandlers.ofString()));
        if (calls.size() == 25) {
          for (CompletableFuture<HttpResponse<String>> c : calls) assertThat(c.get().statusCode()).isEqualTo(200);
          calls.clear();
        }
      }
      List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        inFlight.add(http.client().sendAsync(chat(gateway, tag + "stream-" + i, true, "x-mock-tokens", "100", "x-mock-interval-ms", "100"),
            HttpResponse.BodyHandlers.ofString()));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> metric(http, "tollgate_active_streams") == 20
          && metric(http, "tollgate_ledger_journaled_total") == acknowledged);
      unwritten = acknowledged - (int) metric(http, "tollgate_ledger_written_total");
      assertThat(unwritten).as("records only in memory and the journal when the gateway is killed").isPositive();

      gateway.kill();
    }

    try (GatewayProcess restarted = new GatewayProcess(config)) {
      Http http = restarted.http();
      await().atMost(Duration.ofSeconds(10)).until(() -> metric(http, "tollgate_ledger_written_total") >= unwritten
          && metric(http, "tollgate_ledger_pending") == 0);
      assertThat(restarted.output()).contains("usage records from the journal of a gateway that stopped; writing them now");
      assertThat(restarted.terminate(30)).isTrue();
    }
    Map<String, Long> records = records(store, tag);
    for (int i = 0; i < acknowledged; i++) assertThat(records).as("acknowledged request " + i).containsEntry(tag + i, 1L);
    assertThat(records.values()).as("no record twice").allMatch(n -> n == 1);
  }

  /**
   * The measurement behind the README's figures (not part of the build: {@code -Dtollgate.measure=true}): a steady load
   * from 16 clients, the gateway killed after about 3 s, acknowledged requests missing from the ledger after a restart,
   * with the default billing settings, without and with the journal.
   */
  @Test
  @EnabledIfSystemProperty(named = "tollgate.measure", matches = "true")
  void measure_what_kill_9_loses_with_and_without_the_journal() throws Exception {
    for (String billing : List.of("{ journal: off }", "{ }")) {
      for (int run = 0; run < 3; run++) {
        String store = "sqlite:" + TempFiles.dir("tollgate-kill") + "/tollgate.db";
        String tag = "measure-" + UUID.randomUUID() + "-";
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        try (GatewayProcess gateway = new GatewayProcess(yaml(store, billing))) {
          Http http = gateway.http();
          List<Thread> clients = new ArrayList<>();
          for (int c = 0; c < 16; c++) {
            int client = c;
            Thread t = new Thread(() -> {
              for (int i = 0; running.get(); i++) {
                String id = tag + client + "-" + i;
                try {
                  HttpResponse<String> r = http.client().send(chat(gateway, id, false), HttpResponse.BodyHandlers.ofString());
                  if (r.statusCode() == 200) acked.add(id);
                } catch (Exception e) {
                  return;
                }
              }
            });
            t.start();
            clients.add(t);
          }
          await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 1_000);
          gateway.kill();
          running.set(false);
          for (Thread t : clients) t.join();
        }
        try (GatewayProcess restarted = new GatewayProcess(yaml(store, billing))) {
          Http http = restarted.http();
          await().atMost(Duration.ofSeconds(10)).until(() -> metric(http, "tollgate_ledger_pending") == 0);
          restarted.terminate(30);
        }
        Map<String, Long> records = records(store, tag);
        long missing = acked.stream().filter(id -> !records.containsKey(id)).count();
        long twice = records.values().stream().filter(n -> n > 1).count();
        System.out.printf("MEASURE billing=%s acknowledged=%d missing=%d (%.2f %%) twice=%d%n", billing, acked.size(), missing,
            100.0 * missing / acked.size(), twice);
      }
    }
  }

  static double metric(Http http, String name) {
    return http.get("/metrics").body().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
  }

  /** How many times each request id with the tag is in the ledger. */
  static Map<String, Long> records(String store, String tag) throws Exception {
    Vertx vertx = Vertx.vertx();
    Database db = Database.open(vertx, store);
    try {
      return db.transaction(c -> {
        Map<String, Long> out = new HashMap<>();
        try (var ps = c.prepareStatement("SELECT request_id, COUNT(*) FROM usage_records WHERE request_id LIKE ? GROUP BY request_id")) {
          ps.setString(1, tag + "%");
          try (var rs = ps.executeQuery()) {
            while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
          }
        }
        return out;
      });
    } finally {
      TestStack.await(db.close());
      TestStack.await(vertx.close());
    }
  }
}
