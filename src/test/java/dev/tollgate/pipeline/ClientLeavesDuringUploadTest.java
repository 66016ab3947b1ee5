package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.tollgate.support.Admin;
import dev.tollgate.support.LogCapture;
import dev.tollgate.support.TestStack;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A client that closes or resets its connection halfway through sending the body left: a 499, not an error of the
 * gateway's.
 */
class ClientLeavesDuringUploadTest {

  @Test
  void a_client_leaving_while_uploading_is_a_499_logged_at_debug_and_never_billed() throws Exception {
    leaveMidUpload(false);
  }

  @Test
  void a_client_resetting_while_uploading_is_a_499_logged_at_debug_and_never_billed() throws Exception {
    leaveMidUpload(true);
  }

  /** @param reset whether the client resets the connection (an RST) rather than closing it */
  private static void leaveMidUpload(boolean reset) throws Exception {
    try (TestStack stack = TestStack.start(); LogCapture logs = new LogCapture().enable(ReadBodyStage.class, Level.DEBUG)) {
      try (Socket socket = new Socket("127.0.0.1", stack.gateway.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TestStack.ALPHA_KEY
            + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nx-request-id: leaves-mid-upload\r\n\r\n"
            + "{\"model\":\"gpt-test\",\"messages\":[").getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (reset) {
          // the gateway has the head (the request is in flight) before the client resets
          await().atMost(Duration.ofSeconds(5))
              .until(() -> stack.http.get("/metrics").body().contains("tollgate_requests_in_flight 1.0"));
          socket.setSoLinger(true, 0);
        }
      }

      String count = "tollgate_requests_seconds_count{endpoint=\"chat_completions\",model=\"unknown\",status=\"499\"} 1";
      await().atMost(Duration.ofSeconds(5)).until(() -> stack.http.get("/metrics").body().contains(count));
      assertThat(stack.http.get("/metrics").body()).doesNotContain("status=\"500\"");
      assertThat(logs.lines(Level.WARN)).isEmpty();
      assertThat(logs.lines(Level.DEBUG)).anyMatch(l -> l.contains("leaves-mid-upload") && l.contains("closed the connection"));
      assertThat(logs.lines(Level.INFO)).anyMatch(l -> l.contains("\"request_id\":\"leaves-mid-upload\"")
          && l.contains("\"status\":499") && l.contains("\"outcome\":\"client_gone\""));
      assertThat(stack.mock.stats().recent()).isEmpty();
      await().atMost(Duration.ofSeconds(5)).until(() -> stack.gateway.ledgerPending() == 0);
      assertThat(new Admin(stack).ok("GET", "/admin/usage/records?request_id=leaves-mid-upload", null).getJsonArray("data")).isEmpty();
    }
  }
}
