package dev.tollgate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Usage;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.support.MutableClock;
import dev.tollgate.support.TestStack;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The local store: weighed in bytes, least-used answers evicted past the limit, each kept for its own time-to-live. */
class LocalAnswerStoreTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
  private final GatewayMetrics metrics = new GatewayMetrics();

  private CachedAnswer answer(int bytes) {
    return new CachedAnswer(new byte[bytes], new Usage(1, 1, 0, 0), "p", "m", clock.millis());
  }

  @Test
  void past_its_byte_limit_it_evicts_and_counts_the_evictions() {
    LocalAnswerStore store = new LocalAnswerStore(10_000, clock, metrics);
    for (int i = 0; i < 5; i++) TestStack.await(store.put("k" + i, answer(3_000), Duration.ofHours(1)));

    int kept = 0;
    for (int i = 0; i < 5; i++) if (TestStack.await(store.get("k" + i)) != null) kept++;
    assertThat(kept).isBetween(1, 3);
    String scrape = metrics.scrape();
    assertThat(scrape).contains("tollgate_cache_evictions_total{cause=\"size\"}");
    assertThat(scrape).containsPattern("tollgate_cache_bytes [0-9]");
  }

  @Test
  void an_answer_lives_for_its_ttl_counted_from_when_it_was_made() {
    LocalAnswerStore store = new LocalAnswerStore(1_000_000, clock, metrics);
    CachedAnswer made = answer(10);
    clock.advance(Duration.ofMinutes(10));
    TestStack.await(store.put("k", made, Duration.ofMinutes(30)));

    clock.advance(Duration.ofMinutes(19));
    assertThat(TestStack.await(store.get("k"))).isNotNull();
    clock.advance(Duration.ofMinutes(2));
    assertThat(TestStack.await(store.get("k"))).as("made 31 minutes ago, kept for 30").isNull();
  }
}
