package dev.tollgate.core;

import java.util.concurrent.ThreadLocalRandom;

/** The gateway's identifiers: time-ordered ones for records, random ones for handles and keys. */
public final class Ids {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /**
   * The name the warm-up's synthetic traffic goes by: its team, key, models and providers are this or start with it.
   * No id an admin creates can start with '(' and the config refuses such names, so its meters can be told apart
   * (and dropped) by it.
   */
  public static final String WARM_UP = "(warm-up)";

  private Ids() {}

  /**
   * {@code prefix}, 12 hex digits of the time in ms with bit 44 set (so the first is always 1, as in ids
   * written before), then {@code randomDigits} random hex digits (at most 16): ids sort by time, which keeps
   * an index on them appending rather than scattering writes as it grows.
   */
  public static String timeOrdered(String prefix, int randomDigits) {
    long time = System.currentTimeMillis() | (1L << 44);
    long random = ThreadLocalRandom.current().nextLong();
    int p = prefix.length();
    char[] id = new char[p + 12 + randomDigits];
    prefix.getChars(0, p, id, 0);
    for (int i = 0; i < 12; i++) id[p + i] = HEX[(int) (time >>> ((11 - i) * 4)) & 15];
    for (int i = 0; i < randomDigits; i++) id[p + 12 + i] = HEX[(int) (random >>> (i * 4)) & 15];
    return new String(id);
  }

  /** {@code prefix} and {@code hexDigits} random hex digits (at most 32). */
  public static String random(String prefix, int hexDigits) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = r.nextLong();
    long lo = r.nextLong();
    int p = prefix.length();
    char[] id = new char[p + hexDigits];
    prefix.getChars(0, p, id, 0);
    for (int i = 0; i < hexDigits; i++) {
      long word = i < 16 ? hi : lo;
      id[p + i] = HEX[(int) (word >>> ((i % 16) * 4)) & 15];
    }
    return new String(id);
  }
}
