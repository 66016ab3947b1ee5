package dev.tollgate.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.core.Usage;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.support.TempFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What the journal keeps on disk while records come a few at a time and the store takes each at once. */
class LedgerJournalSegmentTest {
  private static UsageEvent record(int n) {
    return new UsageEvent("id-" + n, "req-" + n, 1_796_000_000_000L + n, "team-a", "key-1", "gpt-4o", "gpt-4o", null,
        "openai", "/v1/chat/completions", true, new Usage(10, 20, 0, 0, 0), 1_000L, false, false, null, Usage.ZERO, 0, 200,
        "ok", 5L, 1L, null);
  }

  private static List<Path> segments(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(JournalCodec.EXTENSION)).sorted().toList();
    }
  }

  /**
   * A record in the store needs no place in the journal: once all the records of the segment being written are
   * stored, it holds none of them (a gateway killed then has nothing to write again), and the journal writes on in
   * the same file rather than a new one per quiet spell. A record not yet stored stays journaled and is taken over.
   */
  @Test
  void stored_records_leave_the_journal_and_the_segment_is_written_on() throws Exception {
    Path root = TempFiles.dir("journal-stored");
    LedgerJournal journal = LedgerJournal.open(root, new GatewayMetrics());
    List<LedgerJournal.Entry> handed = new CopyOnWriteArrayList<>();
    boolean[] storing = {true};
    journal.start(entries -> {
      handed.addAll(entries);
      if (storing[0]) LedgerJournal.written(entries); // the store took them
    });
    Path first = null;
    java.util.Set<String> headers = new java.util.HashSet<>();
    try {
      for (int n = 1; n <= 20; n++) {
        journal.append(record(n));
        int expected = n;
        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == expected);
        // each record is journaled, then stored and cut away: one segment throughout, with at most the header left
        await().atMost(Duration.ofSeconds(10))
            .until(() -> segments(journal.directory()).size() == 1 && Files.size(segments(journal.directory()).get(0)) == JournalCodec.HEADER);
        if (first == null) first = segments(journal.directory()).get(0);
        assertThat(segments(journal.directory())).as("record %d goes into the same segment", n).containsExactly(first);
        // a new salt at each cut: were a crash to undo a cut, frames from before it would not read as the segment's
        headers.add(java.util.HexFormat.of().formatHex(Files.readAllBytes(first)));
      }
      assertThat(headers).as("a header of its own after each of the 20 cuts").hasSize(20);
      storing[0] = false;
      journal.append(record(21)); // handed on, not yet stored
      await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 21);
    } finally {
      journal.close();
    }
    LedgerJournal next = LedgerJournal.open(root, new GatewayMetrics());
    try {
      assertThat(next.takeOver()).extracting(e -> e.event().id()).containsExactly("id-21");
    } finally {
      next.close();
    }
  }
}
