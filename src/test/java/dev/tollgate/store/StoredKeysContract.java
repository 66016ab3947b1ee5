package dev.tollgate.store;

import static dev.tollgate.support.TestStack.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.server.Gateway;
import dev.tollgate.support.Admin;
import dev.tollgate.support.Http;
import dev.tollgate.support.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Teams and keys through a real gateway on each store: restarts, replicas, and no plaintext at rest. */
abstract class StoredKeysContract {
  abstract String newStore();

  private TestStack start(String store) {
    return TestStack.start(port -> TestStack.defaultYaml(port, null), Clock.systemUTC(), store);
  }

  @Test
  void teams_and_keys_survive_a_gateway_restart() {
    try (TestStack stack = start(newStore())) {
      Admin admin = new Admin(stack);
      admin.ok("POST", "/admin/teams", "{\"id\":\"durable\",\"limits\":{\"rpm\":42}}");
      String secret = admin.newKey("durable", null).getString("secret");

      stack.restartGateway();

      assertThat(stack.http.post("/v1/chat/completions", secret, Http.chat("gpt-test", "hi", false)).statusCode()).isEqualTo(200);
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", false)).statusCode())
          .isEqualTo(200);
      assertThat(new Admin(stack).ok("GET", "/admin/teams/durable", null).getJsonObject("limits").getLong("rpm")).isEqualTo(42);
    }
  }

  @Test
  void a_key_created_or_revoked_on_one_replica_takes_effect_on_another_within_a_second() {
    try (TestStack stack = start(newStore())) {
      Gateway replica = stack.startReplica();
      try {
        Http other = new Http("http://127.0.0.1:" + replica.port());
        Admin admin = new Admin(stack);
        admin.ok("POST", "/admin/teams", "{\"id\":\"shared\"}");
        JsonObject key = admin.newKey("shared", null);
        String secret = key.getString("secret");

        await().atMost(Duration.ofSeconds(1)).until(() ->
            other.post("/v1/chat/completions", secret, Http.chat("gpt-test", "hi", false)).statusCode() == 200);
        admin.ok("POST", "/admin/keys/" + key.getString("id") + "/revoke", null);
        await().atMost(Duration.ofSeconds(1)).until(() ->
            other.post("/v1/chat/completions", secret, Http.chat("gpt-test", "hi", false)).statusCode() == 401);
      } finally {
        await(replica.stop());
      }
    }
  }

  @Test
  void the_store_holds_no_plaintext_secret() throws Exception {
    String store = newStore();
    List<String> secrets = new ArrayList<>(List.of(TestStack.ALPHA_KEY, TestStack.BETA_KEY, TestStack.PROVIDER_KEY,
        TestStack.ADMIN_TOKEN));
    try (TestStack stack = start(store)) {
      Admin admin = new Admin(stack);
      admin.ok("POST", "/admin/teams", "{\"id\":\"secretive\"}");
      JsonObject key = admin.newKey("secretive", null);
      secrets.add(key.getString("secret"));
      secrets.add(admin.ok("POST", "/admin/keys/" + key.getString("id") + "/rotate", null).getString("secret"));
      stack.http.post("/v1/chat/completions", key.getString("secret"), Http.chat("gpt-test", "hi", false));
    }

    Vertx vertx = Vertx.vertx();
    Database db = Database.open(vertx, store);
    try {
      List<String> cells = db.transaction(StoredKeysContract::everyCell);
      assertThat(cells).as("cells in the store").hasSizeGreaterThan(20);
      for (String secret : secrets) {
        // not the secret, nor any long part of it
        String middle = secret.substring(secret.length() / 4, secret.length() / 4 + 12);
        assertThat(cells).noneMatch(c -> c.contains(secret) || c.contains(middle));
      }
    } finally {
      await(db.close());
      await(vertx.close());
    }
  }

  /** Every non-null value of every row of every table, as text. */
  static List<String> everyCell(Connection c) throws java.sql.SQLException {
    List<String> tables = new ArrayList<>();
    DatabaseMetaData meta = c.getMetaData();
    try (ResultSet rs = meta.getTables(null, null, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        String schema = rs.getString("TABLE_SCHEM");
        if (schema != null && (schema.equals("pg_catalog") || schema.equals("information_schema"))) continue;
        tables.add(rs.getString("TABLE_NAME"));
      }
    }
    List<String> cells = new ArrayList<>();
    for (String table : tables) {
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table); ResultSet rs = ps.executeQuery()) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          for (int i = 1; i <= n; i++) {
            Object v = rs.getObject(i);
            if (v != null) cells.add(v.toString());
          }
        }
      }
    }
    return cells;
  }
}
