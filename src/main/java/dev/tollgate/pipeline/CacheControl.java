package dev.tollgate.pipeline;

import java.util.Locale;

/**
 * A request's {@code Cache-Control}: {@code no-cache} (do not look the answer up; store the fresh one),
 * {@code no-store} (do not store the answer), {@code max-age=N} (accept a stored answer at most N seconds old).
 */
record CacheControl(boolean noCache, boolean noStore, Long maxAgeSeconds) {
  static final CacheControl NONE = new CacheControl(false, false, null);

  static CacheControl of(String header) {
    if (header == null || header.isBlank()) return NONE;
    boolean noCache = false;
    boolean noStore = false;
    Long maxAge = null;
    for (String part : header.split(",")) {
      String d = part.trim().toLowerCase(Locale.ROOT);
      if (d.equals("no-cache")) noCache = true;
      else if (d.equals("no-store")) noStore = true;
      else if (d.startsWith("max-age=")) {
        try {
          maxAge = Math.max(0, Long.parseLong(d.substring(8).trim()));
        } catch (NumberFormatException ignored) {
          // a malformed directive is ignored, as HTTP caches do
        }
      }
    }
    return new CacheControl(noCache, noStore, maxAge);
  }
}
