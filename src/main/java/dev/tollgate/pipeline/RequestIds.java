package dev.tollgate.pipeline;

import dev.tollgate.core.BenchSwitches;
import dev.tollgate.core.Ids;
import io.vertx.core.http.HttpServerRequest;

/**
 * The request id: the client's {@code x-request-id} when it sent a sane one, otherwise a new one. Every
 * response carries it; the router puts it on first, and what comes after reuses it.
 */
public final class RequestIds {
  private RequestIds() {}

  /** Puts the request's id on its response (once) and returns it. */
  public static String of(HttpServerRequest request) {
    if (BenchSwitches.IDS.off()) return "req_bench";
    String set = request.response().headers().get("x-request-id");
    if (set != null) return set;
    String id = fresh(request);
    request.response().headers().set("x-request-id", id);
    return id;
  }

  private static String fresh(HttpServerRequest request) {
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
