package dev.tollgate.support;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.mock.MockProvider;
import dev.tollgate.server.Gateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway on port 0 in front of a real fake provider on port 0, configured from YAML. The
 * fake provider runs in its own Vert.x instance, as a separate upstream would.
 */
public final class TestStack implements AutoCloseable {
  public static final String PROVIDER_KEY = "sk-provider-secret-0123456789abcdef";
  public static final String ALPHA_KEY = "tg-alpha-team-key-0123456789abcdefghijklmnop";
  public static final String BETA_KEY = "tg-beta-team-key-0123456789abcdefghijklmnopq";
  public static final String ADMIN_TOKEN = "admin-token-for-tests-0123456789";

  public final Vertx upstreamVertx;
  public final MockProvider mock;
  public final GatewayConfig config;
  public final Clock clock;
  public Gateway gateway;
  public Http http;

  private TestStack(Vertx upstreamVertx, MockProvider mock, GatewayConfig config, Clock clock, Gateway gateway) {
    this.upstreamVertx = upstreamVertx;
    this.mock = mock;
    this.config = config;
    this.clock = clock;
    this.gateway = gateway;
    this.http = new Http("http://127.0.0.1:" + gateway.port());
  }

  /** Stops the gateway and starts a new one with the same config and store (a restart). */
  public void restartGateway() {
    await(gateway.stop());
    gateway = await(Gateway.start(config, clock));
    http = new Http("http://127.0.0.1:" + gateway.port());
  }

  /** Another gateway replica on the same config and store, as a second pod would be. */
  public Gateway startReplica() {
    return await(Gateway.start(config, clock));
  }

  /** The default test config; {@code extra} is appended (top-level YAML sections such as teams:). */
  public static String defaultYaml(int mockPort, String serverExtra) {
    return """
        server: { port: 0, instances: 2, shutdown-grace: 5s %s }
        admin: { token: "${env:ADMIN_TOKEN}" }
        providers:
          up: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
        models:
          gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] }
          embed-test: { targets: [ { provider: up, model: upstream-embed } ] }
        teams:
          alpha: { keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
          beta: { models: [ embed-test ], keys: [ { name: main, secret: "${env:BETA_KEY}" } ] }
        """.formatted(serverExtra == null ? ", upstream-timeout: 3s"
            : (serverExtra.contains("upstream-timeout") ? "" : ", upstream-timeout: 3s") + ", " + serverExtra, mockPort);
  }

  public static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("UP_KEY", PROVIDER_KEY);
    env.put("ALPHA_KEY", ALPHA_KEY);
    env.put("BETA_KEY", BETA_KEY);
    env.put("ADMIN_TOKEN", ADMIN_TOKEN);
    return env;
  }

  public static TestStack start() {
    return start(port -> defaultYaml(port, null));
  }

  public static TestStack start(java.util.function.IntFunction<String> yamlForMockPort) {
    return start(yamlForMockPort, Clock.systemUTC());
  }

  public static TestStack start(java.util.function.IntFunction<String> yamlForMockPort, Clock clock) {
    return start(yamlForMockPort, clock, newSqliteStore());
  }

  /** A store URL for a new SQLite file in a temporary directory. */
  public static String newSqliteStore() {
    return "sqlite:" + TempFiles.dir("tollgate-test") + "/tollgate.db";
  }

  /** @param store used unless the YAML names a store itself */
  public static TestStack start(java.util.function.IntFunction<String> yamlForMockPort, Clock clock, String store) {
    Vertx upstream = Vertx.vertx();
    MockProvider mock = await(MockProvider.start(upstream, "127.0.0.1", 0));
    String yaml = yamlForMockPort.apply(mock.port());
    if (!yaml.contains("\nstore:") && !yaml.startsWith("store:")) yaml += "\nstore: \"" + store + "\"\n";
    GatewayConfig config = new ConfigLoader(env()).parse("test.yaml", yaml);
    Gateway gateway = await(Gateway.start(config, clock));
    return new TestStack(upstream, mock, config, clock, gateway);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + gateway.port();
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e.getCause() != null ? e.getCause() : e);
    }
  }

  /**
   * Waits until the fake provider has nothing in flight (a stream an earlier test's client left must have ended),
   * then clears what it saw, so that a test counts only its own requests.
   */
  public void resetMock() {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> mock.stats().active() == 0);
    mock.stats().reset();
  }

  @Override
  public void close() {
    await(gateway.stop());
    await(upstreamVertx.close());
  }
}
