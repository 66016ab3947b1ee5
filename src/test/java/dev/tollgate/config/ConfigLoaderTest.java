package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String PROVIDER = """
      providers:
        openai: { type: openai, base-url: https://api.openai.com/v1, keys: [ { secret: "${env:OPENAI_API_KEY}" } ] }
      models:
        gpt: { targets: [ { provider: openai, model: gpt-4o-mini } ] }
      """;

  private static GatewayConfig parse(String yaml, Map<String, String> env) {
    return new ConfigLoader(env).parse("gw.yaml", yaml);
  }

  private static void rejects(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml, Map.of("OPENAI_API_KEY", "sk-x"))).isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void the_shipped_default_config_loads_without_any_environment() {
    GatewayConfig config = new ConfigLoader(Map.of()).read(Path.of("conf/gateway.yaml"));
    assertThat(config.providers()).containsKey("mock");
    assertThat(config.models()).containsKey("mock-gpt");
    assertThat(config.admin().token()).isNull();
    assertThat(config.server().port()).isEqualTo(8080);
    assertThat(config.server().warmUp()).isEqualTo(new GatewayConfig.WarmUp(Duration.ofSeconds(20), 0));
  }

  @Test
  void reads_typed_values_and_secret_references() {
    GatewayConfig c = parse("server: { port: 9000, upstream-timeout: 250ms, shutdown-grace: 2m }\n" + PROVIDER,
        Map.of("OPENAI_API_KEY", "sk-live"));
    assertThat(c.server().port()).isEqualTo(9000);
    assertThat(c.server().upstreamTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.server().shutdownGrace()).isEqualTo(Duration.ofMinutes(2));
    Secret secret = c.providers().get("openai").keys().get(0).secret();
    assertThat(secret.reveal()).isEqualTo("sk-live");
    assertThat(secret.toString()).doesNotContain("sk-live");
  }

  @Test
  void takes_the_store_and_redis_urls_from_secret_references_and_never_repeats_them() {
    GatewayConfig c = parse("store: ${env:STORE_URL}\nredis: ${env:REDIS_URL}\n",
        Map.of("STORE_URL", "postgresql://tollgate:pg-secret@db:5432/tollgate", "REDIS_URL", "redis://:redis-secret@cache:6379"));
    assertThat(c.store()).isEqualTo("postgresql://tollgate:pg-secret@db:5432/tollgate");
    assertThat(c.redis()).isEqualTo("redis://:redis-secret@cache:6379");

    assertThat(parse("redis: ${env:REDIS_URL}\n", Map.of()).redis()).as("an unset reference leaves Redis out").isNull();
    assertThatThrownBy(() -> parse("store: ${env:STORE_URL}\n", Map.of())).hasMessage(
        "gw.yaml: store: environment variable STORE_URL is not set");
    assertThatThrownBy(() -> parse("store: ${env:STORE_URL}\n", Map.of("STORE_URL", "mysql://u:pg-secret@db/x")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("must be sqlite:PATH or postgresql://")
        .hasMessageNotContaining("pg-secret");
  }

  @Test
  void reads_secrets_from_files(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("key");
    Files.writeString(file, "sk-from-file\n");
    GatewayConfig c = parse(PROVIDER.replace("${env:OPENAI_API_KEY}", "${file:" + file + "}"), Map.of());
    assertThat(c.providers().get("openai").keys().get(0).secret().reveal()).isEqualTo("sk-from-file");
  }

  @Test
  void each_mistake_names_the_file_the_key_path_and_the_problem() {
    rejects("server: { prot: 80 }", "gw.yaml: server.prot: unknown key (known keys here: access-log, body-read-timeout, breaker, "
        + "connect-timeout, first-byte-timeout, host, idle-timeout, instances, key-pause, max-answer-bytes, max-body-bytes, "
        + "max-concurrent-per-target, max-connections, max-event-bytes, metrics, port, retry, "
        + "shutdown-grace, sse-keepalive, total-timeout, upstream-connections, upstream-timeout, warm-up)");
    rejects("server: { retry: { backoff: 2s, backoff-max: 1s } }", "gw.yaml: server.retry.backoff-max: must not be shorter than backoff");
    rejects("server: { port: 70000 }", "gw.yaml: server.port: must be between 0 and 65535, got 70000");
    rejects("server: { upstream-timeout: 10 }",
        "gw.yaml: server.upstream-timeout: must be a duration such as 250ms, 30s, 5m, 24h or 7d, got '10'");
    rejects(PROVIDER.replace("type: openai, ", ""),
        "gw.yaml: providers.openai.type: is required (the kind of provider, e.g. openai)");
    rejects(PROVIDER.replace("base-url: https://api.openai.com/v1", "base-url: ftp://x"),
        "gw.yaml: providers.openai.base-url: must be an http:// or https:// URL, got 'ftp://x'");
    rejects(PROVIDER.replace("\"${env:OPENAI_API_KEY}\"", "sk-literal"),
        "gw.yaml: providers.openai.keys[0].secret: must be a reference such as ${env:NAME} or ${file:/path/to/secret}; "
            + "secrets are not written into the config");
    rejects(PROVIDER.replace("provider: openai", "provider: opnai"),
        "gw.yaml: models.gpt.targets[0].provider: names no provider under providers: (known: openai)");
    rejects(PROVIDER + "teams:\n  t: { limits: { rpm: -1 } }\n", "gw.yaml: teams.t.limits.rpm: must be between 1 and 2305843009213693951, got -1");
    rejects(PROVIDER + "teams:\n  t: { models: [ gpt-5 ] }\n", "gw.yaml: teams.t.models: 'gpt-5' is not a model under models:");
    rejects("store: mysql://x", "gw.yaml: store: must be sqlite:PATH or postgresql://user:password@host:port/database, got 'mysql://x'");
    assertThatThrownBy(() -> parse("server: [", Map.of())).hasMessageStartingWith("gw.yaml: not valid YAML at line ");
  }

  @Test
  void metrics_settings_are_checked_naming_the_key_path() {
    rejects("server: { metrics: { port: 70000 } }", "gw.yaml: server.metrics.port: must be between 0 and 65535, got 70000");
    rejects("server: { port: 9000, metrics: { port: 9000 } }",
        "gw.yaml: server.metrics.port: must differ from server.port (9000), or be left out to serve /metrics on it");
    rejects("server: { metrics: { token: plain-text } }",
        "gw.yaml: server.metrics.token: must be a reference such as ${env:NAME} or ${file:/path/to/secret}; "
            + "secrets are not written into the config");
    rejects("server: { metrics: { host: 127.0.0.1 } }", "gw.yaml: server.metrics.host: applies only with server.metrics.port");
    rejects("server: { metrics: { tokn: x } }", "gw.yaml: server.metrics.tokn: unknown key (known keys here: host, port, token)");
    assertThatThrownBy(() -> parse("server: { metrics: { token: \"${env:METRICS_TOKEN}\" } }", Map.of()))
        .hasMessage("gw.yaml: server.metrics.token: environment variable METRICS_TOKEN is not set");
  }

  @Test
  void the_warm_up_is_off_unless_configured_and_its_mistakes_name_the_key_path() {
    Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-x");
    assertThat(parse(PROVIDER, env).server().warmUp()).isEqualTo(GatewayConfig.WarmUp.OFF);
    assertThat(parse("server: { warm-up: off }\n" + PROVIDER, env).server().warmUp().on()).isFalse();
    assertThat(parse("server: { warm-up: { duration: 20s, connections: 8 } }\n" + PROVIDER, env).server().warmUp())
        .isEqualTo(new GatewayConfig.WarmUp(Duration.ofSeconds(20), 8));
    rejects("server: { warm-up: { duration: 6m } }",
        "gw.yaml: server.warm-up.duration: must be at most 5m (the replica is not ready while it runs), got '6m'");
    rejects("server: { warm-up: { duration: 20 } }",
        "gw.yaml: server.warm-up.duration: must be a duration such as 250ms, 30s, 5m, 24h or 7d, got '20'");
    rejects("server: { warm-up: { duration: 20s, connections: -1 } }",
        "gw.yaml: server.warm-up.connections: must be between 0 and 1024, got -1");
    rejects("server: { warm-up: { time: 20s } }", "gw.yaml: server.warm-up.time: unknown key (known keys here: connections, duration)");
    rejects(PROVIDER.replace("  gpt: {", "  \"(warm-up)\": {"), "gw.yaml: models.(warm-up): names starting with (warm-up) are the warm-up's own");
  }

  @Test
  void a_missing_environment_variable_is_named() {
    assertThatThrownBy(() -> parse(PROVIDER, Map.of()))
        .hasMessage("gw.yaml: providers.openai.keys[0].secret: environment variable OPENAI_API_KEY is not set");
  }

  @Test
  void start_up_with_a_bad_config_exits_non_zero_with_the_message(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "server: { port: many }\n");
    String out = runMain(2, "--config", bad.toString());
    assertThat(out).contains(bad + ": server.port: must be a whole number, got 'many'").doesNotContain("\tat ");
  }

  @Test
  void a_command_line_mistake_exits_non_zero_with_the_message_and_help_prints_the_usage() throws Exception {
    assertThat(runMain(2, "--config")).contains("tollgate: option --config needs a value").doesNotContain("\tat ");
    assertThat(runMain(2, "mock", "--port", "many")).contains("option --port must be a number, got 'many'").doesNotContain("\tat ");
    assertThat(runMain(0, "--help")).contains("usage: java -jar tollgate.jar [serve] [--config FILE]");
  }

  /** Runs the gateway's main class in a JVM of its own; its output once it has exited with the expected code. */
  private static String runMain(int expectedExit, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.tollgate.Main"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out.toString()).isEqualTo(expectedExit);
    return out.toString();
  }
}
