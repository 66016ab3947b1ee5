package dev.tollgate.support;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway as a separate process (the same classes, started through {@code Main}), for tests that
 * must send it SIGTERM or kill it outright.
 */
public final class GatewayProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+) ");

  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final int port;

  public GatewayProcess(String yaml) throws Exception {
    this(yaml, new String[0]);
  }

  /** @param jvmOptions options for the gateway's JVM, e.g. {@code -Xmx256m} */
  public GatewayProcess(String yaml, String... jvmOptions) throws Exception {
    Path config = TempFiles.file("gateway", ".yaml");
    Files.writeString(config, yaml);
    java.util.List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(java.util.List.of(jvmOptions));
    command.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), "dev.tollgate.Main", "--config", config.toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(TestStack.env());
    process = pb.start();
    CompletableFuture<Integer> listening = new CompletableFuture<>();
    Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(process.getInputStream())).lines().forEach(line -> {
      output.append(line).append('\n');
      Matcher m = LISTENING.matcher(line);
      if (m.find()) listening.complete(Integer.parseInt(m.group(1)));
    }), "gateway-process-output");
    reader.setDaemon(true);
    reader.start();
    // a gateway that stops at once (a config error) is reported at once, not after the timeout
    process.onExit().thenRun(() -> listening.completeExceptionally(new IllegalStateException("exited")));
    try {
      port = listening.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("the gateway process did not start:\n" + output, e);
    }
  }

  public int port() {
    return port;
  }

  /** The operating system's id of the gateway's JVM. */
  public long pid() {
    return process.pid();
  }

  /**
   * Sets the largest file the gateway may write ({@code prlimit}'s soft RLIMIT_FSIZE; null: no limit): a write
   * past it fails as on a full disk (the JVM ignores SIGXFSZ). No privilege needed: the hard limit stays as it was.
   */
  public void limitFileSize(Long bytes) throws Exception {
    Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(process.pid()),
        "--fsize=" + (bytes == null ? "unlimited" : bytes.toString()) + ":").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) throw new IllegalStateException("prlimit failed: " + out);
  }

  public Http http() {
    return new Http("http://127.0.0.1:" + port);
  }

  /** SIGTERM, then waits for the process to exit. */
  public boolean terminate(long seconds) throws InterruptedException {
    process.destroy();
    return process.waitFor(seconds, TimeUnit.SECONDS);
  }

  /** SIGKILL: no shutdown hook, no settlement; what a crashed replica looks like. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** The exit code, once the process has exited. */
  public int exitValue() {
    return process.exitValue();
  }

  public String output() {
    return output.toString();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
