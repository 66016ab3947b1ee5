package dev.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.Usage;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.support.TempFiles;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerJournalFormatTest {
  private static UsageEvent full() {
    return new UsageEvent("id-1", "req \"quoted\" \u00e9 \u4e2d \ud83d\ude00", 1_796_000_000_123L, "team-a", "key-1", "gpt-4o", "gpt-4o",
        "gpt-4o-2024-08-06", "openai", "/v1/chat/completions", true, new Usage(11, 22, 3, 4, 5), 123_456L, true, false,
        "hit", new Usage(7, 8, 9, 10, 11), 99L, 200, "ok", 1234L, 56L, "user\nnewline");
  }

  private static UsageEvent sparse() {
    return new UsageEvent("id-2", "r", 1L, "t", "k", "m", "m", null, null, "/v1/embeddings", false, Usage.ZERO, 0, false,
        true, null, Usage.ZERO, 0, 502, "error", 5L, null, null);
  }

  private static UsageEvent extremes() {
    return new UsageEvent("id-3", "", Long.MAX_VALUE, "t", "k", "m", "m", "u", "p", "/v1/chat/completions", true,
        new Usage(Long.MAX_VALUE, 0, Long.MIN_VALUE, -1, Integer.MAX_VALUE), Long.MIN_VALUE, false, true, "coalesced", null,
        -5, 599, "timeout", 0, 0L, "x".repeat(70_000));
  }

  private static byte[] bytes(ByteBuffer b) {
    return Arrays.copyOfRange(b.array(), b.position(), b.limit());
  }

  /** A segment as the journal writes it: its header, then the frames of the events. */
  private static byte[] segment(JournalCodec codec, List<UsageEvent> events) {
    byte[] header = codec.startSegment();
    byte[] frames = bytes(codec.encode(events));
    byte[] all = Arrays.copyOf(header, header.length + frames.length);
    System.arraycopy(frames, 0, all, header.length, frames.length);
    return all;
  }

  private static byte[] segment(List<UsageEvent> events) {
    return segment(new JournalCodec(), events);
  }

  @Test
  void every_record_reads_back_as_it_was_written() {
    List<UsageEvent> events = List.of(full(), sparse(), extremes(), full());
    JournalCodec.Read read = JournalCodec.decode(segment(events));
    assertEquals(events, read.events());
    assertEquals(0, read.unreadableBytes());
  }

  /** A kill mid-write leaves a torn last frame: it is skipped, every record before it read. */
  @Test
  void a_torn_last_frame_is_skipped_and_the_records_before_it_are_kept() {
    byte[] three = segment(List.of(full(), sparse(), full()));
    int two = JournalCodec.HEADER + bytes(new JournalCodec().encode(List.of(full(), sparse()))).length;
    for (int cut = two + 1; cut < three.length; cut += 7) {
      JournalCodec.Read read = JournalCodec.decode(Arrays.copyOf(three, cut));
      assertEquals(List.of(full(), sparse()), read.events(), "cut at " + cut);
      assertEquals(cut - two, read.unreadableBytes(), "cut at " + cut);
      assertFalse(read.damagedInside(), "cut at " + cut);
    }
  }

  /**
   * Bytes scrambled inside a segment (a power cut, a bad disk) lose only the records they touch: reading goes on at
   * the next frame whose checksum holds, and the damage is reported.
   */
  @Test
  void damage_inside_a_segment_loses_only_the_records_it_touches() {
    JournalCodec codec = new JournalCodec();
    int first = JournalCodec.HEADER + bytes(codec.encode(List.of(full()))).length;
    int second = bytes(codec.encode(List.of(sparse()))).length;
    byte[] four = segment(codec, List.of(full(), sparse(), extremes(), full()));
    for (int at : new int[] {first, first + 3, first + 20, first + second - 1}) { // its length, checksum, payload, last byte
      byte[] damaged = four.clone();
      damaged[at] ^= 0x40;
      JournalCodec.Read read = JournalCodec.decode(damaged);
      assertEquals(List.of(full(), extremes(), full()), read.events(), "damage at " + at);
      assertEquals(second, read.unreadableBytes(), "damage at " + at);
      assertTrue(read.damagedInside(), "damage at " + at);
    }
    byte[] zeroed = four.clone();
    Arrays.fill(zeroed, first, first + second + 10, (byte) 0); // a run of zeros, as a power cut can leave
    assertEquals(List.of(full(), full()), JournalCodec.decode(zeroed).events(), "the second and third lost, the fourth found");
  }

  /** A record of any size reads back (a client's "user" field may be megabytes), and those after it too. */
  @Test
  void a_record_of_megabytes_reads_back_with_those_after_it() {
    UsageEvent big = new UsageEvent("id-4", "r", 1L, "t", "k", "m", "m", null, null, "/v1/chat/completions", false,
        Usage.ZERO, 0, false, false, null, Usage.ZERO, 0, 200, "ok", 5L, null, "u".repeat(3 << 20));
    List<UsageEvent> events = List.of(full(), big, sparse());
    JournalCodec.Read read = JournalCodec.decode(segment(events));
    assertEquals(events, read.events());
    assertEquals(0, read.unreadableBytes());
  }

  /**
   * Frames not written into this segment (another segment's, or bytes a client chose, inside its "user" field) do
   * not pass for its own past damage: each segment checksums its frames with a salt of its own.
   */
  @Test
  void past_damage_only_the_segments_own_frames_are_read() {
    JournalCodec codec = new JournalCodec();
    byte[] own = segment(codec, List.of(full()));
    JournalCodec another = new JournalCodec();
    another.startSegment();
    byte[] foreign = bytes(another.encode(List.of(extremes())));
    byte[] last = bytes(codec.encode(List.of(sparse())));
    byte[] data = new byte[own.length + 5 + foreign.length + last.length];
    System.arraycopy(own, 0, data, 0, own.length);
    Arrays.fill(data, own.length, own.length + 5, (byte) 0x7f); // damage
    System.arraycopy(foreign, 0, data, own.length + 5, foreign.length);
    System.arraycopy(last, 0, data, own.length + 5 + foreign.length, last.length);
    JournalCodec.Read read = JournalCodec.decode(data);
    assertEquals(List.of(full(), sparse()), read.events());
    assertEquals(5 + foreign.length, read.unreadableBytes());
  }

  /**
   * Bytes a client chose can fill a record with places that each claim a frame running to the segment's end; a crash
   * tearing that record would make reading past it checksum each claim. The checksumming stops at the segment's budget:
   * the rest is left unread (and reported), instead of taking hours.
   */
  @Test
  void resyncing_past_damage_stops_at_its_budget() {
    JournalCodec codec = new JournalCodec();
    byte[] own = segment(codec, List.of(full()));
    int claims = 40_000;
    byte[] last = bytes(codec.encode(List.of(sparse())));
    byte[] data = new byte[own.length + 3 + claims * 9 + last.length];
    System.arraycopy(own, 0, data, 0, own.length);
    ByteBuffer planted = ByteBuffer.wrap(data, own.length + 3, claims * 9);
    for (int i = 0; i < claims; i++) {
      int at = planted.position();
      planted.putInt(data.length - at - 8).putInt(0).put(own[JournalCodec.HEADER + 8]); // a length that fits, a version byte
    }
    System.arraycopy(last, 0, data, data.length - last.length, last.length);
    long claimed = (long) claims * (data.length - own.length) / 2;
    assertTrue(claimed > JournalCodec.RESYNC_BYTES + JournalCodec.RESYNC_PER_BYTE * data.length, "the claims exceed the budget");

    JournalCodec.Read read = JournalCodec.decode(data);
    assertEquals(List.of(full()), read.events(), "the frame after the claims is past the budget");
    assertEquals(data.length - own.length, read.unreadableBytes());
    assertTrue(read.damagedInside());
  }

  /** A segment whose header was cut short holds nothing; one with another header is not read as this format. */
  @Test
  void a_segment_is_read_only_under_its_own_header() {
    byte[] whole = segment(List.of(full()));
    assertEquals(new JournalCodec.Read(List.of(), 5, false), JournalCodec.decode(Arrays.copyOf(whole, 5)));
    byte[] other = whole.clone();
    other[3] = 1; // another format
    assertEquals(List.of(), JournalCodec.decode(other).events());
    assertTrue(JournalCodec.decode(other).damagedInside());
  }

  /**
   * A gateway killed before this format left JSON lines (Jackson's form of the record, one per line); the next start
   * takes them over with the new segments of another killed gateway, and a line cut short is skipped.
   */
  @Test
  void a_killed_gateways_json_lines_and_frames_are_both_taken_over() throws Exception {
    Path root = TempFiles.dir("journal-formats");
    ObjectMapper json = new ObjectMapper();
    Path old = Files.createDirectories(root.resolve("1-old"));
    Files.writeString(old.resolve("000000000000.jsonl"),
        json.writeValueAsString(full()) + "\n" + json.writeValueAsString(sparse()) + "\n" + "{\"id\":\"torn");
    Path recent = Files.createDirectories(root.resolve("2-recent"));
    Files.write(recent.resolve("000000000000" + JournalCodec.EXTENSION), segment(List.of(extremes())));

    LedgerJournal journal = LedgerJournal.open(root, new GatewayMetrics());
    try {
      List<UsageEvent> taken = journal.takeOver().stream().map(LedgerJournal.Entry::event).toList();
      assertEquals(List.of(full(), sparse(), extremes()), taken);
      try (var files = Files.list(journal.directory())) {
        assertEquals(List.of("000000000000.jsonl", "000000000001" + JournalCodec.EXTENSION, "lock"),
            files.map(f -> f.getFileName().toString()).sorted().toList(), "each segment keeps its format");
      }
    } finally {
      journal.close();
    }
  }

  /** Copies of damaged segments are kept for 30 days after their last change, then deleted at a take-over. */
  @Test
  void copies_of_damaged_segments_are_deleted_after_thirty_days() throws Exception {
    Path root = TempFiles.dir("journal-damaged-old");
    Path old = Files.write(root.resolve("000000000000.tgj.1-dead.damaged"), new byte[] {1});
    Path recent = Files.write(root.resolve("000000000001.tgj.2-dead.damaged"), new byte[] {2});
    long now = System.currentTimeMillis();
    Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(now - LedgerJournal.DAMAGED_KEPT.toMillis() - 60_000));
    Files.setLastModifiedTime(recent, java.nio.file.attribute.FileTime.fromMillis(now - LedgerJournal.DAMAGED_KEPT.toMillis() + 3_600_000));

    LedgerJournal journal = LedgerJournal.open(root, new GatewayMetrics());
    try {
      journal.takeOver();
      assertFalse(Files.exists(old), "kept over 30 days");
      assertTrue(Files.exists(recent), "kept under 30 days");
    } finally {
      journal.close();
    }
  }

  /** A segment damaged inside is read around the damage at take-over, and a copy of it is kept for a person to look at. */
  @Test
  void a_segment_damaged_inside_is_taken_over_around_the_damage_and_kept_as_a_copy() throws Exception {
    Path root = TempFiles.dir("journal-damaged");
    JournalCodec codec = new JournalCodec();
    int first = JournalCodec.HEADER + bytes(codec.encode(List.of(full()))).length;
    byte[] damaged = segment(codec, List.of(full(), sparse(), extremes()));
    damaged[first + 12] ^= 0x01;
    Path dead = Files.createDirectories(root.resolve("1-dead"));
    Files.write(dead.resolve("000000000000" + JournalCodec.EXTENSION), damaged);

    LedgerJournal journal = LedgerJournal.open(root, new GatewayMetrics());
    try {
      assertEquals(List.of(full(), extremes()), journal.takeOver().stream().map(LedgerJournal.Entry::event).toList());
      try (var files = Files.list(root)) {
        List<Path> copies = files.filter(f -> f.getFileName().toString().endsWith(".damaged")).toList();
        assertEquals(1, copies.size());
        assertEquals(Arrays.toString(damaged), Arrays.toString(Files.readAllBytes(copies.get(0))));
      }
    } finally {
      journal.close();
    }
  }
}
