package dev.tollgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.mock.MockProvider;
import dev.tollgate.server.Gateway;
import dev.tollgate.support.EmbeddedServers;
import dev.tollgate.support.TempFiles;
import dev.tollgate.support.TestStack;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several replicas as Kubernetes starts them: at the same moment, on one PostgreSQL and one Redis. The schema is
 * migrated at start-up, under Flyway's lock (a PostgreSQL advisory lock), so replicas starting together on an
 * empty or older database migrate it once; a migration that fails stops the process before it listens.
 */
class ReplicasTest {
  /** 8 prompt and 10 completion tokens at $0.50 / $1.50 per 1M: 19,000 nano-USD, reserved exactly. */
  private static final long REQUEST_NANOS = 19_000;
  private static final String TEN_TOKENS = "{\"model\":\"gpt-test\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
  private static final int MIGRATIONS = migrationCount();

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Set<String> admitted = ConcurrentHashMap.newKeySet();
  private final List<Gateway> replicas = new ArrayList<>();
  private Vertx upstream;
  private MockProvider mock;

  @BeforeEach
  void startProvider() {
    upstream = Vertx.vertx();
    mock = TestStack.await(MockProvider.start(upstream, "127.0.0.1", 0));
  }

  @AfterEach
  void stopAll() {
    replicas.forEach(r -> TestStack.await(r.stop()));
    TestStack.await(upstream.close());
  }

  @Test
  void three_replicas_started_at_once_on_an_empty_database_migrate_it_once_and_share_limits_keys_and_the_ledger() throws Exception {
    String store = EmbeddedServers.newPostgresStore();
    String rpmTeam = team();
    String budgetTeam = team();
    GatewayConfig config = config(store, rpmTeam, "limits: { rpm: 9 }", budgetTeam,
        "budget: { usd: 0.000114, period: monthly }, limits: { rpm: 1000 }");   // room for exactly 6 requests

    List<String> urls = startTogether(config, 3);

    // one migration history, each version applied once, all successful
    assertThat(query(store, "SELECT count(*) FROM flyway_schema_history WHERE version IS NOT NULL")).isEqualTo(MIGRATIONS);
    assertThat(query(store, "SELECT count(DISTINCT version) FROM flyway_schema_history WHERE version IS NOT NULL")).isEqualTo(MIGRATIONS);
    assertThat(query(store, "SELECT count(*) FROM flyway_schema_history WHERE NOT success")).isZero();

    // one requests-per-minute limit across the three
    List<HttpResponse<String>> rpm = concurrently(27, TestStack.ALPHA_KEY, urls);
    assertThat(count(rpm, 200)).isEqualTo(9);
    assertThat(count(rpm, 429)).isEqualTo(18);

    // one budget across the three
    List<HttpResponse<String>> budget = concurrently(30, TestStack.BETA_KEY, urls);
    assertThat(count(budget, 200)).isEqualTo(6);
    assertThat(count(budget, 429)).isEqualTo(24);
    assertThat(budget.stream().filter(r -> r.statusCode() == 429)).allSatisfy(r ->
        assertThat(new JsonObject(r.body()).getJsonObject("error").getString("type")).isEqualTo("insufficient_quota"));

    // a key made on one replica works on every one; revoked on another, it is refused everywhere within a second
    String keyTeam = team();
    admin(urls.get(0), "POST", "/admin/teams", "{\"id\":\"" + keyTeam + "\"}");
    JsonObject key = admin(urls.get(0), "POST", "/admin/teams/" + keyTeam + "/keys", "{\"name\":\"k\"}");
    String secret = key.getString("secret");
    await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
        .until(() -> urls.stream().allMatch(u -> chat(u, secret).statusCode() == 200));
    admin(urls.get(1), "POST", "/admin/keys/" + key.getString("id") + "/revoke", null);
    await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
        .until(() -> urls.stream().allMatch(u -> chat(u, secret).statusCode() == 401));

    // every admitted request, on whichever replica, in the ledger exactly once
    String teams = "('" + rpmTeam + "','" + budgetTeam + "','" + keyTeam + "')";
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(query(store, "SELECT count(*) FROM usage_records WHERE team_id IN " + teams)).isEqualTo(admitted.size()));
    assertThat(query(store, "SELECT count(DISTINCT request_id) FROM usage_records WHERE team_id IN " + teams)).isEqualTo(admitted.size());
    assertThat(requestIds(store, teams)).isEqualTo(admitted);
    assertThat(query(store, "SELECT coalesce(sum(cost_nano), 0) FROM usage_records WHERE team_id = '" + budgetTeam + "'"))
        .isEqualTo(6 * REQUEST_NANOS);
  }

  @Test
  void three_replicas_started_at_once_on_an_older_database_apply_the_missing_migrations_once() throws Exception {
    String store = EmbeddedServers.newPostgresStore();
    migrate(store, "3");
    GatewayConfig config = config(store, team(), "limits: { rpm: 100 }", team(), "limits: { rpm: 100 }");

    List<String> urls = startTogether(config, 3);

    assertThat(query(store, "SELECT count(*) FROM flyway_schema_history WHERE version IS NOT NULL")).isEqualTo(MIGRATIONS);
    assertThat(query(store, "SELECT count(*) FROM flyway_schema_history WHERE CAST(version AS INTEGER) > 3")).isEqualTo(MIGRATIONS - 3);
    assertThat(urls).allSatisfy(u -> assertThat(chat(u, TestStack.ALPHA_KEY).statusCode()).isEqualTo(200));
  }

  @Test
  void a_failed_migration_stops_the_process_before_it_serves_on_the_old_schema() throws Exception {
    String store = EmbeddedServers.newPostgresStore();
    migrate(store, "3");
    // a hand-made change that collides with V4: the migration fails, as one can in production
    execute(store, "ALTER TABLE usage_records ADD COLUMN outcome TEXT");
    Path file = TempFiles.file("gateway", ".yaml");
    Files.writeString(file, yaml(store, team(), "limits: { rpm: 100 }", team(), "limits: { rpm: 100 }"));

    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.tollgate.Main", "--config", file.toString()).redirectErrorStream(true);
    pb.environment().putAll(TestStack.env());
    Process process = pb.start();
    StringBuffer output = new StringBuffer();
    Thread reader = new Thread(() -> new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
        .lines().forEach(line -> output.append(line).append('\n')), "gateway-output");
    reader.setDaemon(true);
    reader.start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(() -> "the process exits by itself; its output:\n" + output).isTrue();
      reader.join(10_000);
      String log = output.toString();
      assertThat(process.exitValue()).as(log).isEqualTo(2);
      assertThat(log).contains("cannot migrate the store").contains("outcome").doesNotContain("listening on");
      assertThat(query(store, "SELECT count(*) FROM flyway_schema_history WHERE CAST(version AS INTEGER) > 3"))
          .as("nothing of the failed migration recorded: the next start tries it again").isZero();
    } finally {
      process.destroyForcibly();
    }
  }

  /** Starts {@code n} replicas at the same moment (as a Deployment's pods start) and returns their base URLs. */
  private List<String> startTogether(GatewayConfig config, int n) {
    List<Future<Gateway>> starting = new ArrayList<>();
    for (int i = 0; i < n; i++) starting.add(Gateway.start(config));
    List<String> urls = new ArrayList<>();
    for (Future<Gateway> f : starting) {
      Gateway g = TestStack.await(f);
      replicas.add(g);
      urls.add("http://127.0.0.1:" + g.port());
    }
    return urls;
  }

  private GatewayConfig config(String store, String team, String teamBody, String second, String secondBody) {
    return new ConfigLoader(TestStack.env()).parse("replicas.yaml", yaml(store, team, teamBody, second, secondBody));
  }

  private String yaml(String store, String team, String teamBody, String second, String secondBody) {
    try {
      Path prices = TempFiles.file("prices", ".yaml");
      Files.writeString(prices, "models:\n  upstream-gpt: { input: 0.50, output: 1.50 }\n");
      return """
          server: { port: 0, instances: 1, access-log: false, upstream-timeout: 3s, shutdown-grace: 2s }
          admin: { token: "${env:ADMIN_TOKEN}" }
          store: "%s"
          redis: "%s"
          billing: { flush-interval: 50ms }
          # a busy 2-core machine can take longer than the default 500ms for a replica's first Redis call; failing
          # open then would let each replica admit on its own, which is not what this test is about
          quota: { redis-timeout: 5s, redis-fail-mode: closed }
          providers:
            up: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
          models:
            gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] }
          prices: "%s"
          teams:
            %s: { %s, keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
            %s: { %s, keys: [ { name: main, secret: "${env:BETA_KEY}" } ] }
          """.formatted(store, EmbeddedServers.redisUrl(), mock.port(), prices, team, teamBody, second, secondBody);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<HttpResponse<String>> concurrently(int n, String key, List<String> urls) {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) calls.add(client.sendAsync(chatRequest(urls.get(i % urls.size()), key), HttpResponse.BodyHandlers.ofString()));
    List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();
    responses.forEach(this::noteAdmitted);
    return responses;
  }

  private HttpResponse<String> chat(String url, String key) {
    try {
      return noteAdmitted(client.send(chatRequest(url, key), HttpResponse.BodyHandlers.ofString()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> noteAdmitted(HttpResponse<String> r) {
    if (r.statusCode() == 200) admitted.add(r.headers().firstValue("x-request-id").orElseThrow());
    return r;
  }

  private static HttpRequest chatRequest(String url, String key) {
    return HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
        .header("authorization", "Bearer " + key).header("x-mock-tokens", "10").header("x-mock-latency-ms", "100")
        .header("x-request-id", "req-" + UUID.randomUUID())
        .POST(HttpRequest.BodyPublishers.ofString(TEN_TOKENS)).build();
  }

  private JsonObject admin(String url, String method, String path, String body) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(15))
        .header("authorization", "Bearer " + TestStack.ADMIN_TOKEN).header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode() / 100).as(method + " " + path + ": " + r.body()).isEqualTo(2);
    return new JsonObject(r.body());
  }

  private static long count(List<HttpResponse<String>> responses, int status) {
    return responses.stream().filter(r -> r.statusCode() == status).count();
  }

  private static String team() {
    return "t" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static void migrate(String store, String target) {
    Flyway.configure().dataSource(jdbc(store), "postgres", "").locations("classpath:db/postgresql").target(target).load().migrate();
  }

  private static Connection connect(String store) throws SQLException {
    return DriverManager.getConnection(jdbc(store), "postgres", "");
  }

  /** {@code postgresql://postgres@localhost:PORT/NAME} as a JDBC URL. */
  private static String jdbc(String store) {
    return "jdbc:postgresql://" + store.substring(store.indexOf('@') + 1);
  }

  private static long query(String store, String sql) throws SQLException {
    try (Connection c = connect(store); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void execute(String store, String sql) throws SQLException {
    try (Connection c = connect(store); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static Set<String> requestIds(String store, String teams) throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection c = connect(store); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT request_id FROM usage_records WHERE team_id IN " + teams)) {
      while (rs.next()) ids.add(rs.getString(1));
    }
    return ids;
  }

  private static int migrationCount() {
    try (var files = Files.list(Path.of("src/main/resources/db/postgresql"))) {
      return (int) files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
