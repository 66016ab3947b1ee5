package dev.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.Usage;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class LedgerJournalFormatTest {
  private final ObjectMapper json = new ObjectMapper();

  private static UsageEvent full() {
    return new UsageEvent("id-1", "req \"quoted\" \u00e9", 1_796_000_000_123L, "team-a", "key-1", "gpt-4o", "gpt-4o",
        "gpt-4o-2024-08-06", "openai", "/v1/chat/completions", true, new Usage(11, 22, 3, 4, 5), 123_456L, true, false,
        "hit", new Usage(7, 8, 9, 10, 11), 99L, 200, "ok", 1234L, 56L, "user\nnewline");
  }

  private String written(UsageEvent e) throws Exception {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = json.getFactory().createGenerator(out)) {
      LedgerJournal.write(g, e);
    }
    return out.toString();
  }

  /** The journal's hand-written lines read back as the same records, and are the JSON Jackson itself writes. */
  @Test
  void a_journal_line_reads_back_as_the_record_it_was() throws Exception {
    for (UsageEvent e : new UsageEvent[] {full(), new UsageEvent("id-2", "r", 1L, "t", "k", "m", "m", null, null, "/v1/embeddings",
        false, Usage.ZERO, 0, false, true, null, Usage.ZERO, 0, 502, "error", 5L, null, null)}) {
      String line = written(e);
      assertEquals(e, json.readValue(line, UsageEvent.class));
      assertEquals(json.readTree(json.writeValueAsString(e)), json.readTree(line));
      assertEquals(-1, line.indexOf('\n'), "one line per record");
    }
  }
}
