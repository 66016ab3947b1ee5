package dev.tollgate.pipeline;

import dev.tollgate.core.Ids;
import io.vertx.core.http.HttpServerRequest;

/** The request id: the client's {@code x-request-id} when it sent a sane one, otherwise a new one. */
final class RequestIds {
  private RequestIds() {}

  static String of(HttpServerRequest request) {
    String given = request.getHeader("x-request-id");
    if (given != null && isSane(given)) return given;
    return Ids.timeOrdered("req_", 12);
  }

  private static boolean isSane(String id) {
    if (id.isEmpty() || id.length() > 128) return false;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
    }
    return true;
  }
}
