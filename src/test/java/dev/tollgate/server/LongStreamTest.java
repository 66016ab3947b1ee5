package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.billing.TokenCounter;
import dev.tollgate.mock.MockProvider;
import dev.tollgate.support.Admin;
import dev.tollgate.support.GatewayProcess;
import dev.tollgate.support.Http;
import dev.tollgate.support.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A stream may be of any length: the gateway holds a bounded part of it (the text kept as a running token count)
 * and counts its tokens as it passes, so neither memory nor the event loop grows with the stream.
 */
class LongStreamTest {
  private static String yaml(int mockPort, String provider) {
    return """
        server: { port: 0, instances: 1, shutdown-grace: 2s, access-log: false }
        admin: { token: "${env:ADMIN_TOKEN}" }
        providers:
          %s
        models:
          gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] }
        teams:
          alpha: { keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
        store: "%s"
        """.formatted(provider == null
            ? "up: { type: openai, base-url: \"http://127.0.0.1:" + mockPort + "/v1\", keys: [ { secret: \"${env:UP_KEY}\" } ] }"
            : provider, TestStack.newSqliteStore());
  }

  private static String streamRequest(String prompt) {
    return "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
  }

  @Test
  void a_client_leaving_a_long_stream_does_not_stall_the_event_loop() throws Exception {
    try (TestStack stack = TestStack.start(port -> yaml(port, null))) {
      String id = "long-" + UUID.randomUUID();
      byte[] body = streamRequest("Leave me").getBytes(StandardCharsets.UTF_8);
      try (Socket socket = new Socket("127.0.0.1", stack.gateway.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer " + TestStack.ALPHA_KEY
            + "\r\ncontent-type: application/json\r\nx-request-id: " + id + "\r\nx-mock-tokens: 200000\r\nx-mock-pad: 200"
            + "\r\nx-mock-no-usage: true\r\ncontent-length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.write(body);
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[1 << 16];
        long read = 0;
        while (read < 30L << 20) {
          int n = in.read(buf);
          if (n < 0) throw new AssertionError("the stream ended after " + read + " bytes");
          read += n;
        }
      }
      // the client has gone after 30 MB: until its record is written (the estimate settled), the (only) event
      // loop keeps answering
      Admin admin = new Admin(stack);
      JsonObject[] found = new JsonObject[1];
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        long start = System.nanoTime();
        assertThat(stack.http.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
        var data = admin.ok("GET", "/admin/usage/records?team=alpha&request_id=" + id, null).getJsonArray("data");
        found[0] = data.isEmpty() ? null : data.getJsonObject(0);
        return found[0] != null;
      });
      JsonObject record = found[0];
      assertThat(record.getBoolean("estimated")).isTrue();
      assertThat(record.getString("outcome")).isEqualTo("client_gone");
      assertThat(record.getLong("completion_tokens")).isGreaterThan(100_000);
    }
  }

  @Test
  void half_a_gigabyte_stream_passes_a_gateway_with_a_128_megabyte_heap_and_is_estimated_exactly() throws Exception {
    // the fake provider runs here (it builds its answer's words up front), the gateway in a process of its own
    Vertx upstream = Vertx.vertx();
    MockProvider mock = TestStack.await(MockProvider.start(upstream, "127.0.0.1", 0));
    try (GatewayProcess gateway = new GatewayProcess(yaml(mock.port(), null), "-Xmx128m")) {
      String id = "giga-" + UUID.randomUUID();
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions"))
          .header("authorization", "Bearer " + TestStack.ALPHA_KEY).header("content-type", "application/json")
          .header("x-request-id", id).header("x-mock-tokens", "3100000").header("x-mock-pad", "20")
          .header("x-mock-no-usage", "true")
          .POST(HttpRequest.BodyPublishers.ofString(streamRequest("Half a gigabyte, please"))).build();
      HttpResponse<InputStream> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);

      // what the client got, counted as the gateway counts it: each delta's tokens (deltas repeat: counted once each)
      Map<String, Integer> counts = new HashMap<>();
      long bytes = 0;
      long expected = 0;
      boolean done = false;
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8), 1 << 16)) {
        String line;
        while ((line = lines.readLine()) != null) {
          bytes += line.length() + 1;
          if (line.equals("data: [DONE]")) done = true;
          int at = line.indexOf("\"content\":\"");
          if (at < 0) continue;
          int from = at + 11;
          String content = line.substring(from, line.indexOf('"', from));
          expected += counts.computeIfAbsent(content, c -> TokenCounter.count(null, c));
        }
      }
      assertThat(done).isTrue();
      assertThat(bytes).isGreaterThan(512L << 20); // four times the gateway's heap

      Http http = gateway.http();
      assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
      JsonObject rec = record(http, id);
      assertThat(rec.getBoolean("estimated")).isTrue();
      assertThat(rec.getLong("completion_tokens")).isEqualTo(expected);
      assertThat(gateway.output()).doesNotContain("OutOfMemoryError");
    } finally {
      TestStack.await(upstream.close());
    }
  }

  private static JsonObject record(Admin admin, String requestId) {
    JsonObject[] found = new JsonObject[1];
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      var data = admin.ok("GET", "/admin/usage/records?team=alpha&request_id=" + requestId, null).getJsonArray("data");
      found[0] = data.isEmpty() ? null : data.getJsonObject(0);
      return found[0] != null;
    });
    return found[0];
  }

  private static JsonObject record(Http http, String requestId) {
    JsonObject[] found = new JsonObject[1];
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create(http.base() + "/admin/usage/records?team=alpha&request_id=" + requestId))
          .header("authorization", "Bearer " + TestStack.ADMIN_TOKEN).build());
      var data = new JsonObject(r.body()).getJsonArray("data");
      found[0] = data.isEmpty() ? null : data.getJsonObject(0);
      return found[0] != null;
    });
    return found[0];
  }
}
