package dev.tollgate.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Team key secrets: generation, SHA-256 hashing and the display prefix. */
public final class KeyHash {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private KeyHash() {}

  /** {@code tg-} and 32 random bytes, URL-safe base64 without padding (43 characters). */
  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "tg-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String sha256Hex(String secret) {
    MessageDigest md = SHA256.get();
    md.reset();
    return HexFormat.of().formatHex(md.digest(secret.getBytes(StandardCharsets.UTF_8)));
  }

  /** What a key is shown as in listings: enough to recognise it, far too little to use it. */
  public static String displayPrefix(String secret) {
    return secret.substring(0, Math.min(secret.length(), 7)) + "…";
  }

  /** Constant-time comparison, so response timing reveals nothing about how much of a value matched. */
  public static boolean same(String a, String b) {
    if (a == null || b == null) return false;
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
