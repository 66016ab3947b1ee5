package dev.tollgate.pipeline;

import dev.tollgate.core.GatewayFailure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/** Reads a request body up to a limit; a larger body fails with 413 as soon as the limit is passed. */
final class BodyReader {
  private BodyReader() {}

  static Future<Buffer> read(HttpServerRequest request, long limit) {
    String declared = request.getHeader("content-length");
    long length = -1;
    if (declared != null) {
      try {
        length = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        return Future.failedFuture(GatewayFailure.badRequest("Invalid Content-Length header.", null));
      }
      if (length > limit) return Future.failedFuture(GatewayFailure.tooLarge(limit));
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer(length > 0 ? (int) length : 1024);
    request.handler(chunk -> {
      if (body.length() + chunk.length() > limit) {
        request.handler(null);
        promise.tryFail(GatewayFailure.tooLarge(limit));
      } else {
        body.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(promise::tryFail);
    request.endHandler(v -> promise.tryComplete(body));
    return promise.future();
  }
}
