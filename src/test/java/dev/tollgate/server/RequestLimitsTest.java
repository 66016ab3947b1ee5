package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.support.Http;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What one client or one answer may take of a replica: a body's read time, connections, an answer's size. */
class RequestLimitsTest {
  private static TestStack stack(String server) {
    return TestStack.start(port -> TestStack.defaultYaml(port, server));
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Everything the server sends until it closes the connection (the socket timeout fails a connection left open). */
  private static String readToEnd(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) >= 0; ) all.write(buf, 0, n);
    return all.toString(StandardCharsets.UTF_8);
  }

  private static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String chatHead(String extra) {
    return "POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer " + TestStack.ALPHA_KEY
        + "\r\ncontent-type: application/json\r\n" + extra + "\r\n";
  }

  @Test
  void a_body_trickling_past_the_read_timeout_gets_408_and_the_connection_is_closed() throws Exception {
    try (TestStack stack = stack("body-read-timeout: 400ms"); Socket socket = connect(stack.gateway.port())) {
      send(socket, chatHead("transfer-encoding: chunked\r\n") + "5\r\n{\"mod\r\n");
      // ... and nothing more: the gateway answers and closes rather than waiting for the rest
      long start = System.nanoTime();
      String response = readToEnd(socket);
      assertThat(response).startsWith("HTTP/1.1 408");
      assertThat(response).contains("\"code\":\"request_timeout\"").contains("server.body-read-timeout");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      // a body that arrives in time is served as usual
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "hi", false)).statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void connections_past_the_cap_get_503_server_busy_and_are_closed_until_one_frees() throws Exception {
    try (TestStack stack = stack("max-connections: 2")) {
      int port = stack.gateway.port();
      String healthz = "GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n";
      try (Socket first = connect(port); Socket second = connect(port)) {
        for (Socket s : new Socket[] {first, second}) {
          send(s, healthz);
          assertThat(new String(s.getInputStream().readNBytes(12), StandardCharsets.UTF_8)).isEqualTo("HTTP/1.1 200");
        }
        try (Socket third = connect(port)) {
          // a probe is answered even past the cap (a busy replica is not a dead one), then the connection is let go
          send(third, healthz);
          String response = readToEnd(third);
          assertThat(response).startsWith("HTTP/1.1 200");
        }
        try (Socket fourth = connect(port)) {
          // an API request past the cap is refused, and the connection closed
          String body = Http.chat("gpt-test", "hi", false);
          send(fourth, chatHead("content-length: " + body.length() + "\r\n") + body);
          String response = readToEnd(fourth);
          assertThat(response).startsWith("HTTP/1.1 503");
          assertThat(response.toLowerCase()).contains("retry-after: 1");
          assertThat(response).contains("\"code\":\"server_busy\"").contains("server.max-connections");
        }
      }
      // both closed: a new client is served again
      await().atMost(Duration.ofSeconds(5)).until(() -> stack.http.get("/healthz").statusCode() == 200);
      assertThat(stack.http.get("/metrics").body()).contains("tollgate_connections_refused_total 2.0");
    }
  }

  @Test
  void an_answer_larger_than_max_answer_bytes_is_a_502_and_is_recorded() {
    try (TestStack stack = stack("max-answer-bytes: 65536")) {
      HttpResponse<String> r = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "big", false),
          "x-mock-tokens", "2000", "x-mock-pad", "100", "x-request-id", "too-big-1");
      assertThat(r.statusCode()).isEqualTo(502);
      JsonObject error = new JsonObject(r.body()).getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("upstream_answer_too_large");
      assertThat(error.getString("message")).contains("server.max-answer-bytes");
      // an answer within the limit is served
      assertThat(stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "small", false),
          "x-request-id", "small-1").statusCode()).isEqualTo(200);
      // both settled and recorded, the refused one once
      dev.tollgate.support.Admin admin = new dev.tollgate.support.Admin(stack);
      await().atMost(Duration.ofSeconds(10)).until(() ->
          admin.ok("GET", "/admin/usage/records?team=alpha&request_id=small-1", null).getJsonArray("data").size() == 1);
      var records = admin.ok("GET", "/admin/usage/records?team=alpha&request_id=too-big-1", null).getJsonArray("data");
      assertThat(records).hasSize(1);
      assertThat(records.getJsonObject(0).getInteger("status")).isEqualTo(502);
    }
  }

  @Test
  void a_stream_event_larger_than_max_event_bytes_ends_the_stream_with_an_error_event() {
    try (TestStack stack = stack("max-event-bytes: 65536")) {
      HttpResponse<String> r = stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, Http.chat("gpt-test", "huge", true),
          "x-mock-tokens", "3", "x-mock-pad", "100000");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"code\":\"upstream_stream_broken\"");
      assertThat(r.body()).doesNotContain("x".repeat(70_000));
    }
  }
}
