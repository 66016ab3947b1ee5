package dev.tollgate.billing;

import dev.tollgate.core.Usage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The ledger journal's record format: a segment starts with a header (magic, format, a random salt); each record is
 * a frame of its payload's length (4 bytes), the CRC-32C of the segment's salt and the payload (4 bytes) and the
 * payload — a version byte, then the {@link UsageEvent}'s components in their order: strings as
 * their UTF-8 length + 1 (0: null) and bytes, numbers as zig-zag varints, the flags (and whether a time to first
 * token follows) in one byte, each usage behind a presence byte. A typical record is ~180 bytes, a quarter of the
 * JSON line it replaces (~670), and is written without a generator: with JSON, the journal thread's serializing and
 * {@code write} were ~8 µs a record.
 *
 * <p>A frame cut short by a kill, or bytes a power cut left unsynced, fail the length or the checksum: they are skipped,
 * and reading goes on at the next frame whose checksum holds. The salt keeps bytes a client chose (its {@code user}
 * field, inside a record) from passing for frames there: without the salt, their checksum holds only by chance.
 */
final class JournalCodec {
  static final String EXTENSION = ".tgj";
  /** A segment's header: "TGJ", the format (2), and the segment's salt (8 random bytes). */
  static final int HEADER = 12;
  private static final byte FORMAT = 2;
  private static final java.security.SecureRandom SALTS = new java.security.SecureRandom();
  private static final byte VERSION = 1;
  private static final int STREAM = 1;
  private static final int PRICED = 2;
  private static final int ESTIMATED = 4;
  private static final int TTFT = 8;

  /** The most the buffer keeps between calls: a full group of typical records (2,000 of ~180 bytes) fits. */
  private static final int KEPT = 1 << 20;

  private final CRC32C crc = new CRC32C();
  private byte[] buf = new byte[64 * 1024];
  private int pos;
  private byte[] salt = new byte[8];

  /** A new segment's header, with a salt of its own that every frame written after it is checksummed with. */
  byte[] startSegment() {
    SALTS.nextBytes(salt);
    byte[] header = new byte[HEADER];
    header[0] = 'T';
    header[1] = 'G';
    header[2] = 'J';
    header[3] = FORMAT;
    System.arraycopy(salt, 0, header, 4, 8);
    return header;
  }

  /** The frames of {@code events}, in a buffer this codec reuses at the next call. */
  ByteBuffer encode(List<UsageEvent> events) {
    pos = 0;
    if (buf.length > KEPT) buf = new byte[64 * 1024]; // grown for records of megabytes: not kept for all later groups
    for (UsageEvent e : events) {
      int frame = pos;
      pos += 8;
      payload(e);
      int length = pos - frame - 8;
      crc.reset();
      crc.update(salt, 0, 8);
      crc.update(buf, frame + 8, length);
      putInt(frame, length);
      putInt(frame + 4, (int) crc.getValue());
    }
    return ByteBuffer.wrap(buf, 0, pos);
  }

  private void payload(UsageEvent e) {
    ensure(16);
    buf[pos++] = VERSION;
    string(e.id());
    string(e.requestId());
    number(e.timeMillis());
    string(e.teamId());
    string(e.keyId());
    string(e.modelRequested());
    string(e.model());
    string(e.upstreamModel());
    string(e.provider());
    string(e.endpoint());
    ensure(1);
    buf[pos++] = (byte) ((e.stream() ? STREAM : 0) | (e.priced() ? PRICED : 0) | (e.estimated() ? ESTIMATED : 0)
        | (e.ttftMillis() != null ? TTFT : 0));
    usage(e.usage());
    number(e.costNanos());
    string(e.cache());
    usage(e.saved());
    number(e.savedCostNanos());
    number(e.status());
    string(e.outcome());
    number(e.latencyMillis());
    if (e.ttftMillis() != null) number(e.ttftMillis());
    string(e.endUser());
  }

  private void usage(Usage u) {
    ensure(1);
    buf[pos++] = (byte) (u == null ? 0 : 1);
    if (u == null) return;
    number(u.promptTokens());
    number(u.completionTokens());
    number(u.cachedTokens());
    number(u.reasoningTokens());
    number(u.cacheWriteTokens());
  }

  private void string(String s) {
    if (s == null) {
      number(0);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    number(b.length + 1L);
    ensure(b.length);
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
  }

  private void number(long v) {
    ensure(10);
    long z = (v << 1) ^ (v >> 63);
    while ((z & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((z & 0x7F) | 0x80);
      z >>>= 7;
    }
    buf[pos++] = (byte) z;
  }

  private void putInt(int at, int v) {
    buf[at] = (byte) (v >>> 24);
    buf[at + 1] = (byte) (v >>> 16);
    buf[at + 2] = (byte) (v >>> 8);
    buf[at + 3] = (byte) v;
  }

  private void ensure(int more) {
    if (pos + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
  }

  /**
   * What a segment's bytes hold: its records; the bytes that were no readable record; and whether any of those came
   * before a readable record (damage inside the segment, not only a last write cut short).
   */
  record Read(List<UsageEvent> events, int unreadableBytes, boolean damagedInside) {}

  /**
   * Reads every whole frame. Bytes that are no frame (a torn last write, bytes a power cut scrambled) are skipped up
   * to the next whole frame, found by its checksum, so damage loses only the records it touched; a whole frame of
   * another version or that cannot be read is skipped by its length.
   */
  static Read decode(byte[] data) {
    List<UsageEvent> events = new ArrayList<>();
    if (data.length < HEADER) return new Read(events, data.length, false); // its header cut short: nothing after it
    if (data[0] != 'T' || data[1] != 'G' || data[2] != 'J' || data[3] != FORMAT) return new Read(events, data.length, true);
    Salted check = new Salted(Arrays.copyOfRange(data, 4, HEADER), RESYNC_BYTES + RESYNC_PER_BYTE * data.length);
    int pos = HEADER;
    int unreadable = 0;
    boolean inside = false;
    while (pos < data.length) {
      int length = frameAt(data, pos, check);
      if (length < 0) {
        int next = nextFrame(data, pos + 1, check);
        if (next == GAVE_UP) {
          unreadable += data.length - pos;
          inside = true;
          break;
        }
        int end = next < 0 ? data.length : next;
        unreadable += end - pos;
        inside |= next >= 0;
        pos = end;
        continue;
      }
      try {
        events.add(new Reader(data, pos + 8, pos + 8 + length).event());
      } catch (RuntimeException otherVersionOrMalformed) {
        unreadable += 8 + length;
        inside = true;
      }
      pos += 8 + length;
    }
    return new Read(events, unreadable, inside);
  }

  /** The payload length of a whole frame at {@code pos}, or -1 when there is none. */
  private static int frameAt(byte[] data, int pos, Salted check) {
    if (data.length - pos < 8) return -1;
    ByteBuffer in = ByteBuffer.wrap(data, pos, 8);
    int length = in.getInt();
    int sum = in.getInt();
    if (length <= 0 || length > data.length - pos - 8) return -1;
    return check.of(data, pos + 8, length) == sum ? length : -1;
  }

  /**
   * The bytes a segment's resyncs may checksum: a fixed 64 MiB and 64 per byte of the segment. Over scrambled bytes a
   * resync checksums a few frames' worth; bytes a client chose (a long {@code user} field, inside a record that a crash
   * then tore) can make each of their positions claim a frame running to the segment's end, which would checksum
   * terabytes. Past the budget the rest of the segment is left unread (it stays in the segment's damaged copy).
   */
  static final long RESYNC_BYTES = 64L << 20;
  static final long RESYNC_PER_BYTE = 64;
  private static final int GAVE_UP = -2;

  /** A segment's checksum: CRC-32C over its salt, then a frame's payload; and what its resyncs may still checksum. */
  private static final class Salted {
    private final CRC32C crc = new CRC32C();
    private final byte[] salt;
    private long resyncLeft;

    Salted(byte[] salt, long resyncBudget) {
      this.salt = salt;
      this.resyncLeft = resyncBudget;
    }

    int of(byte[] data, int from, int length) {
      crc.reset();
      crc.update(salt, 0, salt.length);
      crc.update(data, from, length);
      return (int) crc.getValue();
    }
  }

  /**
   * Where the next whole frame of this version starts at or after {@code from}; -1 when there is none, {@link #GAVE_UP}
   * when the segment's resync budget ran out first. A checksum is computed only where a version byte follows a length
   * that fits: over scrambled bytes, about one place in 10^5.
   */
  private static int nextFrame(byte[] data, int from, Salted check) {
    for (int q = from; q + 9 <= data.length; q++) {
      if (data[q + 8] != VERSION) continue;
      int length = ByteBuffer.wrap(data, q, 4).getInt();
      if (length <= 0 || length > data.length - q - 8) continue;
      if ((check.resyncLeft -= length) < 0) return GAVE_UP;
      if (frameAt(data, q, check) >= 0) return q;
    }
    return -1;
  }

  /** One payload's fields, in the order {@link #payload} writes them. */
  private static final class Reader {
    private final byte[] data;
    private final int end;
    private int pos;

    Reader(byte[] data, int from, int end) {
      this.data = data;
      this.pos = from;
      this.end = end;
    }

    UsageEvent event() {
      if (data[pos++] != VERSION) throw new IllegalArgumentException("unknown journal record version");
      String id = string();
      String requestId = string();
      long time = number();
      String team = string();
      String key = string();
      String modelRequested = string();
      String model = string();
      String upstreamModel = string();
      String provider = string();
      String endpoint = string();
      int flags = data[pos++];
      Usage usage = usage();
      long cost = number();
      String cache = string();
      Usage saved = usage();
      long savedCost = number();
      int status = Math.toIntExact(number());
      String outcome = string();
      long latency = number();
      Long ttft = (flags & TTFT) != 0 ? number() : null;
      String endUser = string();
      if (pos != end) throw new IllegalArgumentException("journal record of the wrong length");
      return new UsageEvent(id, requestId, time, team, key, modelRequested, model, upstreamModel, provider, endpoint,
          (flags & STREAM) != 0, usage, cost, (flags & PRICED) != 0, (flags & ESTIMATED) != 0, cache, saved, savedCost,
          status, outcome, latency, ttft, endUser);
    }

    private Usage usage() {
      if (data[pos++] == 0) return null;
      return new Usage(number(), number(), number(), number(), number());
    }

    private String string() {
      long n = number();
      if (n == 0) return null;
      int length = Math.toIntExact(n - 1);
      if (length > end - pos) throw new IllegalArgumentException("string past the record's end");
      String s = new String(data, pos, length, StandardCharsets.UTF_8);
      pos += length;
      return s;
    }

    private long number() {
      long z = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) throw new IllegalArgumentException("number past the record's end");
        byte b = data[pos++];
        z |= (long) (b & 0x7F) << shift;
        if (b >= 0) return (z >>> 1) ^ -(z & 1);
      }
      throw new IllegalArgumentException("number too long");
    }
  }
}
