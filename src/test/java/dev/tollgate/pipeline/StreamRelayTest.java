package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.support.Http;
import dev.tollgate.support.RawHttp;
import dev.tollgate.support.TestStack;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SSE relay: pacing, cancellation both ways, backpressure, keepalives and broken streams. */
class StreamRelayTest {
  static TestStack stack;

  @BeforeAll
  static void start() {
    stack = TestStack.start(port -> TestStack.defaultYaml(port, "sse-keepalive: 100ms"));
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @BeforeEach
  void clearStats() {
    stack.resetMock();
  }

  /** Each line of a streamed response with the time (ms since the request) it reached the client. */
  record Line(long atMs, String text) {}

  private List<Line> streamLines(String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(20))
        .header("authorization", "Bearer " + TestStack.ALPHA_KEY)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) b.headers(headers);
    long start = System.nanoTime();
    HttpResponse<Stream<String>> resp = stack.http.client().send(b.build(), HttpResponse.BodyHandlers.ofLines());
    List<Line> lines = new ArrayList<>();
    resp.body().forEach(l -> lines.add(new Line((System.nanoTime() - start) / 1_000_000, l)));
    return lines;
  }

  @Test
  void events_reach_the_client_spaced_as_the_upstream_sent_them() throws Exception {
    int n = 10;
    int intervalMs = 80;
    List<Line> lines = streamLines(Http.chat("gpt-test", "pace me", true),
        "x-mock-tokens", "" + n, "x-mock-interval-ms", "" + intervalMs);

    List<Long> contentTimes = lines.stream().filter(l -> l.text().contains("\"content\"")).map(Line::atMs).toList();
    assertThat(contentTimes).hasSize(n);
    long spread = contentTimes.get(n - 1) - contentTimes.get(0);
    // N events M ms apart arrive over about (N-1)·M ms, not in one burst at the end
    assertThat(spread).isBetween((long) ((n - 1) * intervalMs * 0.8), (long) ((n - 1) * intervalMs * 3));
    long burstGaps = 0;
    for (int i = 1; i < n; i++) if (contentTimes.get(i) - contentTimes.get(i - 1) < intervalMs / 4) burstGaps++;
    assertThat(burstGaps).as("gaps much shorter than the upstream's interval").isLessThanOrEqualTo(1);
  }

  @Test
  void client_closing_mid_stream_resets_the_upstream_request() throws Exception {
    try (RawHttp client = new RawHttp(stack.gateway.port(), "/v1/chat/completions", TestStack.ALPHA_KEY,
        Http.chat("gpt-test", "long answer", true), "x-mock-tokens", "200", "x-mock-interval-ms", "50")) {
      client.readUntil("\"content\"");
      assertThat(stack.mock.stats().resets()).isZero();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> stack.mock.stats().resets() == 1);
    assertThat(stack.mock.stats().active()).isZero();
  }

  @Test
  void client_closing_before_the_first_byte_resets_the_upstream_request() throws Exception {
    try (RawHttp client = new RawHttp(stack.gateway.port(), "/v1/chat/completions", TestStack.ALPHA_KEY,
        Http.chat("gpt-test", "slow", false), "x-mock-fault", "hang")) {
      await().atMost(Duration.ofSeconds(5)).until(() -> stack.mock.stats().active() == 1);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> stack.mock.stats().resets() == 1);
    assertThat(stack.mock.stats().active()).isZero();
  }

  @Test
  void keepalive_comments_flow_while_waiting_for_the_first_token() throws Exception {
    List<Line> lines = streamLines(Http.chat("gpt-test", "think first", true),
        "x-mock-latency-ms", "600", "x-mock-tokens", "2");

    List<Line> keepalives = lines.stream().filter(l -> l.text().equals(": keepalive")).toList();
    long firstContent = lines.stream().filter(l -> l.text().contains("\"content\"")).findFirst().orElseThrow().atMs();
    assertThat(keepalives).hasSizeGreaterThanOrEqualTo(2);
    assertThat(keepalives.get(0).atMs()).isLessThan(firstContent);
    assertThat(lines).anyMatch(l -> l.text().equals("data: [DONE]"));
  }

  @Test
  void a_stream_broken_upstream_ends_with_an_error_event_not_a_clean_end() throws Exception {
    List<Line> lines = streamLines(Http.chat("gpt-test", "cut me", true), "x-mock-tokens", "10", "x-mock-fault", "cut:3");

    assertThat(lines.stream().filter(l -> l.text().contains("\"content\""))).hasSize(3);
    assertThat(lines).noneMatch(l -> l.text().equals("data: [DONE]"));
    assertThat(lines.get(lines.size() - 2).text()).contains("\"error\"").contains("upstream_stream_broken");
  }

  @Test
  void a_client_that_asked_for_usage_gets_the_usage_chunk_unchanged() throws Exception {
    String body = "{\"model\":\"gpt-test\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"count me\"}]}";
    List<Line> lines = streamLines(body, "x-mock-tokens", "4");

    List<Line> usage = lines.stream().filter(l -> l.text().contains("\"usage\"")).toList();
    assertThat(usage).hasSize(1);
    assertThat(usage.get(0).text()).contains("\"choices\":[]").contains("\"completion_tokens\":4");
  }

  @Test
  void a_slow_reading_client_makes_the_upstream_wait_instead_of_the_gateway_buffering() throws Exception {
    int events = 25_000;
    int pad = 4000; // ~4 KB per event: ~100 MB in all; kernel socket buffers on the way hold at most ~15 MB
    try (RawHttp client = RawHttp.slowReader(stack.gateway.port(), "/v1/chat/completions", TestStack.ALPHA_KEY,
        Http.chat("gpt-test", "flood", true), "x-mock-tokens", "" + events, "x-mock-pad", "" + pad)) {
      client.readUntil("\"content\"");
      // The client now stops reading. Once everything on the way is full, the upstream must be held
      // back: the bytes it managed to write stop growing, far below the whole stream.
      long[] last = {-1};
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(400)).until(() -> {
        long now = stack.mock.stats().streamBytesWritten();
        boolean settled = now == last[0];
        last[0] = now;
        return settled;
      });
      long total = (long) events * pad;
      assertThat(stack.mock.stats().writeStalls()).isPositive();
      assertThat(last[0]).as("bytes the upstream could write while the client read nothing").isLessThan(total / 4);
    }
  }
}
