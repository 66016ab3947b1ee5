package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/**
 * Reads an upstream's whole (non-streamed) answer up to a limit: a larger one is not held — the upstream call
 * ends and the client gets a 502 — so one answer cannot take the gateway's memory.
 */
final class AnswerReader {
  private AnswerReader() {}

  static Future<Buffer> read(HttpClientResponse answer, long limit, String provider) {
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer(initialSize(answer.getHeader("content-length"), limit));
    answer.handler(chunk -> {
      if (body.length() + chunk.length() > limit) {
        answer.handler(null);
        promise.tryFail(new GatewayFailure(502, "server_error", "upstream_answer_too_large", null,
            "The upstream provider '" + provider + "' answered with more than server.max-answer-bytes (" + limit + " bytes)."));
        answer.request().reset();
      } else {
        body.appendBuffer(chunk);
      }
    });
    answer.exceptionHandler(promise::tryFail);
    answer.endHandler(v -> promise.tryComplete(body));
    return promise.future();
  }

  /** The announced length when there is one within the limit (the body is then never copied to grow), else a small start. */
  private static int initialSize(String contentLength, long limit) {
    try {
      long n = contentLength == null ? -1 : Long.parseLong(contentLength.trim());
      return n > 0 && n <= Math.min(limit, 16L << 20) ? (int) n : 1024;
    } catch (NumberFormatException e) {
      return 1024;
    }
  }
}
