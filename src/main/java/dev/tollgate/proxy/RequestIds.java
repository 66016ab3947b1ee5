package dev.tollgate.proxy;

import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ThreadLocalRandom;

/** The request id: the client's {@code x-request-id} when it sent a sane one, otherwise a new one. */
final class RequestIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  static String of(HttpServerRequest request) {
    String given = request.getHeader("x-request-id");
    if (given != null && isSane(given)) return given;
    // 12 hex digits of the time, most significant first, then 12 random: ids sort by time, which keeps
    // the ledger's request-id index appending rather than scattering writes as it grows
    long time = System.currentTimeMillis();
    long random = ThreadLocalRandom.current().nextLong();
    char[] id = new char[28];
    "req_".getChars(0, 4, id, 0);
    for (int i = 0; i < 12; i++) id[4 + i] = HEX[(int) (time >>> ((11 - i) * 4)) & 15];
    for (int i = 0; i < 12; i++) id[16 + i] = HEX[(int) (random >>> (i * 4)) & 15];
    return new String(id);
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
