package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.Http;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every error case answers promptly with the documented status and OpenAI's error JSON. */
class ErrorResponsesTest {
  static TestStack stack;
  static int closedPort;

  @BeforeAll
  static void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    stack = TestStack.start(port -> """
        server: { port: 0, instances: 1, upstream-timeout: 700ms, max-body-bytes: 65536 }
        providers:
          up: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
          down: { type: openai, base-url: "http://127.0.0.1:%d/v1", keys: [ { secret: "${env:UP_KEY}" } ] }
        models:
          gpt-test: { targets: [ { provider: up, model: upstream-gpt } ] }
          dead: { targets: [ { provider: down, model: x } ] }
          resilient: { targets: [ { provider: down, model: x } ], fallbacks: [ gpt-test ] }
        teams:
          alpha: { keys: [ { name: main, secret: "${env:ALPHA_KEY}" } ] }
          beta: { models: [ dead ], keys: [ { name: main, secret: "${env:BETA_KEY}" } ] }
        """.formatted(port, closedPort));
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static JsonObject error(HttpResponse<String> r) {
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e).isNotNull();
    assertThat(e.fieldNames()).contains("message", "type", "param", "code");
    assertThat(e.getString("message")).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    return e;
  }

  private static HttpResponse<String> chat(String body, String... headers) {
    return stack.http.post("/v1/chat/completions", TestStack.ALPHA_KEY, body, headers);
  }

  @Test
  void malformed_json_is_400() {
    HttpResponse<String> r = chat("{\"model\": \"gpt-test\", ");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).getString("type")).isEqualTo("invalid_request_error");
  }

  @Test
  void missing_model_is_400_naming_the_param() {
    HttpResponse<String> r = chat("{\"messages\":[]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).getString("param")).isEqualTo("model");
  }

  @Test
  void wrong_types_are_400() {
    assertThat(chat("{\"model\":\"gpt-test\",\"stream\":\"yes\"}").statusCode()).isEqualTo(400);
    assertThat(chat("{\"model\":\"gpt-test\",\"max_tokens\":-5}").statusCode()).isEqualTo(400);
    assertThat(chat("[1,2,3]").statusCode()).isEqualTo(400);
  }

  @Test
  void unknown_model_is_404() {
    HttpResponse<String> r = chat(Http.chat("no-such-model", "hi", false));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(error(r).getString("code")).isEqualTo("model_not_found");
  }

  @Test
  void model_outside_the_teams_list_is_403() {
    HttpResponse<String> r = stack.http.post("/v1/chat/completions", TestStack.BETA_KEY, Http.chat("gpt-test", "hi", false));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(error(r).getString("code")).isEqualTo("model_not_allowed");
  }

  /**
   * A client that sends all of a large body before it reads the answer (most do) gets the 413: the gateway reads and
   * drops the rest of the body before it closes, since closing with bytes unread resets the connection, and a reset
   * can destroy the answer before the client reads it.
   */
  @Test
  void a_client_still_sending_a_refused_body_reads_its_413() throws Exception {
    byte[] body = new byte[16 << 20];
    Arrays.fill(body, (byte) 'x');
    try (Socket socket = new Socket("127.0.0.1", URI.create(stack.baseUrl()).getPort())) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\nauthorization: Bearer " + TestStack.ALPHA_KEY
          + "\r\ncontent-type: application/json\r\ncontent-length: " + body.length + "\r\n\r\n").getBytes());
      out.write(body); // all of it first, as a simple client does
      String head = new String(socket.getInputStream().readNBytes(12));
      assertThat(head).isEqualTo("HTTP/1.1 413");
    }
  }

  @Test
  void body_over_the_limit_is_413_with_or_without_a_content_length() {
    String big = Http.chat("gpt-test", "x".repeat(70_000), false);
    HttpResponse<String> declared = chat(big);
    assertThat(declared.statusCode()).isEqualTo(413);
    error(declared);

    HttpRequest chunked = HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(10)).header("authorization", "Bearer " + TestStack.ALPHA_KEY)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))).build();
    HttpResponse<String> streamed = stack.http.send(chunked);
    assertThat(streamed.statusCode()).isEqualTo(413);
    error(streamed);
  }

  @Test
  void missing_or_bad_key_is_401() {
    HttpResponse<String> none = stack.http.post("/v1/chat/completions", null, Http.chat("gpt-test", "hi", false));
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(error(none).getString("code")).isEqualTo("invalid_api_key");
    HttpResponse<String> bad = stack.http.post("/v1/chat/completions", "tg-not-a-real-key", Http.chat("gpt-test", "hi", false));
    assertThat(bad.statusCode()).isEqualTo(401);
    error(bad);
    assertThat(stack.http.get("/v1/models", "authorization", "Bearer nope").statusCode()).isEqualTo(401);
  }

  @Test
  void upstream_unreachable_is_502() {
    HttpResponse<String> r = chat(Http.chat("dead", "hi", false));
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(error(r).getString("code")).isEqualTo("upstream_unreachable");
  }

  @Test
  void upstream_too_slow_is_504() {
    long start = System.nanoTime();
    HttpResponse<String> r = chat(Http.chat("gpt-test", "hi", false), "x-mock-fault", "hang");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(error(r).getString("code")).isEqualTo("upstream_timeout");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10)); // upstream-timeout is 3 s: not the retries' 30 s;
  }

  @Test
  void upstream_errors_are_passed_on_faithfully() {
    for (String status : new String[] {"400", "429", "500", "503"}) {
      HttpResponse<String> r = chat(Http.chat("gpt-test", "hi", false), "x-mock-fault", status);
      assertThat(r.statusCode()).isEqualTo(Integer.parseInt(status));
      assertThat(error(r).getString("message")).isEqualTo("mock fault " + status);
    }
    HttpResponse<String> streamed = chat(Http.chat("gpt-test", "hi", true), "x-mock-fault", "429");
    assertThat(streamed.statusCode()).isEqualTo(429);
    assertThat(error(streamed).getString("code")).isEqualTo("rate_limit_exceeded");
  }

  @Test
  void upstream_rejecting_the_gateways_key_is_502_not_the_callers_problem() {
    HttpResponse<String> r = chat(Http.chat("gpt-test", "hi", false), "x-mock-fault", "401");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(error(r).getString("code")).isEqualTo("upstream_auth_failed");
  }

  @Test
  void an_unreachable_target_falls_back_to_the_next_model() {
    HttpResponse<String> r = chat(Http.chat("resilient", "hi", false));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(stack.mock.stats().last().body()).contains("upstream-gpt");
  }

  @Test
  void unknown_paths_are_404_json() {
    HttpResponse<String> r = stack.http.get("/v2/whatever");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
  }

  @Test
  void bad_percent_encoding_in_a_path_is_a_json_400() throws Exception {
    for (String path : new String[] {"/v1/chat%zz/completions", "/v1/engines/gpt%zz/chat/completions", "/v1/models%"}) {
      RawHttp.Response r;
      try (RawHttp client = RawHttp.request(null, stack.gateway.port(), "POST", path, Http.chat("gpt-test", "hi", false),
          "Authorization", "Bearer " + TestStack.ALPHA_KEY)) {
        r = client.readResponse();
      }
      assertThat(r.status()).as(path).isEqualTo(400);
      assertThat(r.header("content-type")).startsWith("application/json");
      assertThat(r.header("x-request-id")).isNotNull();
      JsonObject e = new JsonObject(r.body()).getJsonObject("error");
      assertThat(e.getString("type")).isEqualTo("invalid_request_error");
      assertThat(e.getString("message")).contains("percent-encod");
    }
  }
}
