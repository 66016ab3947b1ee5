package dev.tollgate.auth;

/** Reading a secret out of request headers. */
public final class Credentials {
  private Credentials() {}

  /** The token of an {@code Authorization: Bearer <token>} header, or null when the header is absent or of another scheme. */
  public static String bearer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
    return authorization.substring(7).trim();
  }
}
