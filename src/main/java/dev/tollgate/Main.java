package dev.tollgate;

import dev.tollgate.admin.AdminCli;
import dev.tollgate.config.ConfigException;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.mock.MockProvider;
import dev.tollgate.server.Gateway;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The command line: {@code tollgate [--config FILE]} serves; {@code tollgate mock --port N} runs
 * the fake provider on its own.
 */
public final class Main {
  private static final String USAGE = """
      usage: java -jar tollgate.jar [serve] [--config FILE]    the gateway (default config: $TOLLGATE_CONFIG or conf/gateway.yaml)
             java -jar tollgate.jar mock [--port N] [--host H] [--latency-ms MS] [--tokens N] [--interval-ms MS] [--fault F]
                                                               the fake provider on its own
             java -jar tollgate.jar admin COMMAND ...          teams, keys and usage through the admin API (admin --help)""";

  private Main() {}

  public static void main(String[] args) {
    List<String> list = Arrays.asList(args);
    String command = !list.isEmpty() && !list.get(0).startsWith("-") ? list.get(0) : "serve";
    if (command.equals("admin")) {
      try {
        System.exit(AdminCli.run(list.subList(1, list.size()), System.getenv()));
      } catch (IllegalArgumentException e) {
        fail(e.getMessage());
      }
      return;
    }
    if (list.contains("--help") || list.contains("-h")) {
      System.out.println(USAGE);
      return;
    }
    try {
      Map<String, String> options = options(command.equals("serve") && (list.isEmpty() || list.get(0).startsWith("-")) ? list : list.subList(1, list.size()));
      switch (command) {
        case "serve" -> serve(options);
        case "mock" -> mock(options);
        default -> fail("unknown command '" + command + "'\n" + USAGE);
      }
    } catch (IllegalArgumentException e) {
      fail(e.getMessage());
    }
  }

  private static void serve(Map<String, String> options) {
    String file = options.getOrDefault("config", System.getenv().getOrDefault("TOLLGATE_CONFIG", "conf/gateway.yaml"));
    GatewayConfig config;
    try {
      config = ConfigLoader.load(Path.of(file));
    } catch (ConfigException e) {
      fail("configuration error: " + e.getMessage());
      return;
    }
    Gateway gateway;
    try {
      gateway = Gateway.start(config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ConfigException e) {
      fail("configuration error: " + e.getMessage());
      return;
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      fail("start-up failed: " + cause.getMessage());
      return;
    }
    long bound = config.server().shutdownGrace().toMillis() + 30_000;
    // SIGTERM (and Ctrl-C) drain and exit 0 after a clean stop, 1 otherwise; the JVM's default would say 143
    for (String signal : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> new Thread(() -> System.exit(stop(gateway, bound) ? 0 : 1),
          "tollgate-stop").start());
    }
    // any other way out (System.exit elsewhere, the JVM's own shutdown) still drains
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(gateway, bound), "tollgate-shutdown"));
  }

  /** Stops the gateway gracefully; whether it stopped cleanly within {@code boundMillis}. */
  private static boolean stop(Gateway gateway, long boundMillis) {
    try {
      gateway.stop().toCompletionStage().toCompletableFuture().get(boundMillis, TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      System.err.println("tollgate: shutdown did not complete cleanly: " + e);
      return false;
    }
  }

  private static void mock(Map<String, String> options) {
    int port = intOption(options, "port", 9001);
    Vertx vertx = Vertx.vertx();
    MockProvider.start(vertx, options.getOrDefault("host", "127.0.0.1"), port,
            intOption(options, "latency-ms", 0), intOption(options, "tokens", 16), intOption(options, "interval-ms", 0),
            options.get("fault"))
        .onSuccess(m -> System.out.println("Tollgate fake provider listening on http://127.0.0.1:" + m.port() + "/v1"))
        .onFailure(e -> fail("fake provider failed to start: " + e.getMessage()));
  }

  private static Map<String, String> options(List<String> args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'");
      String name = a.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        out.put(name.substring(0, eq), name.substring(eq + 1));
      } else if (i + 1 < args.size()) {
        out.put(name, args.get(++i));
      } else {
        throw new IllegalArgumentException("option --" + name + " needs a value");
      }
    }
    return out;
  }

  private static int intOption(Map<String, String> options, String name, int fallback) {
    String v = options.get(name);
    if (v == null) return fallback;
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option --" + name + " must be a number, got '" + v + "'");
    }
  }

  private static void fail(String message) {
    System.err.println("tollgate: " + message);
    System.exit(2);
  }
}
