package dev.tollgate.billing;

import dev.tollgate.core.Usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ConfigException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceBookTest {
  static Price price(String in, String cached, String out, String reasoning) {
    return new Price(new BigDecimal(in), new BigDecimal(cached), new BigDecimal(out), new BigDecimal(reasoning));
  }

  @Test
  void the_fast_integer_path_gives_the_exact_bigdecimal_result() {
    Price[] prices = {
        price("0.15", "0.075", "0.60", "0.60"), price("2.50", "1.25", "10", "10"), price("0.0375", "0.01875", "0.15", "3"),
        price("0.000001", "0", "1000", "0.333333"), price("0.0000005", "0.0000005", "0.0000005", "0.0000005")};
    PriceBook book = new PriceBook(Map.of("a", prices[0], "b", prices[1], "c", prices[2], "d", prices[3], "e", prices[4]));
    Random random = new Random(42);
    for (Price p : prices) {
      for (int i = 0; i < 5000; i++) {
        long prompt = random.nextInt(200_000);
        long completion = random.nextInt(50_000);
        Usage u = new Usage(prompt, completion, random.nextInt((int) prompt + 1), random.nextInt((int) completion + 1));
        assertThat(book.cost(p, u)).isEqualTo(PriceBook.costNanos(p, u));
      }
    }
  }

  /** Issue 20, defect 4: the cost of absurd usage is the largest cost there is, never an exception or a wrap to negative. */
  @Test
  void the_cost_of_usage_near_2_to_the_63_tokens_saturates_instead_of_failing_or_wrapping() {
    Price p = price("2.50", "1.25", "10", "10");
    PriceBook book = new PriceBook(Map.of("p", p));
    assertThat(book.cost(p, new Usage(8, Long.MAX_VALUE, 0, 0))).isEqualTo(Long.MAX_VALUE);
    assertThat(book.cost(p, new Usage(Long.MAX_VALUE, Long.MAX_VALUE, 0, 0))).isEqualTo(Long.MAX_VALUE);
    assertThat(new Usage(8, Long.MAX_VALUE, 0, 0).totalTokens()).isEqualTo(Long.MAX_VALUE);
    // just inside the integer path's reach, the two paths still agree
    Usage large = new Usage(999_999_999, 999_999_999, 0, 0);
    assertThat(book.cost(p, large)).isEqualTo(PriceBook.costNanos(p, large)).isPositive();
  }

  @Test
  void prices_a_request_exactly_in_nano_dollars() {
    Price gpt4oMini = price("0.15", "0.075", "0.60", "0.60");
    // 1000 prompt (200 cached) and 500 completion tokens: 800 × 0.15 + 200 × 0.075 + 500 × 0.60 = 435 USD per 1M tokens
    assertThat(PriceBook.costNanos(gpt4oMini, new Usage(1000, 500, 200, 0))).isEqualTo(435_000);
    // half a nano-dollar rounds to even
    assertThat(PriceBook.costNanos(price("0.0005", "0.0005", "0", "0"), new Usage(1, 0, 0, 0))).isZero();
    assertThat(PriceBook.costNanos(price("0.0015", "0.0015", "0", "0"), new Usage(1, 0, 0, 0))).isEqualTo(2);
  }

  @Test
  void prices_prompt_cache_reads_and_writes_at_their_own_rates() {
    // Claude-like: input 3, cache read 0.30, cache write 3.75, output 15 USD per 1M tokens
    Price claude = new Price(new BigDecimal("3"), new BigDecimal("0.30"), new BigDecimal("15"), new BigDecimal("15"),
        new BigDecimal("3.75"));
    PriceBook book = new PriceBook(Map.of("c", claude));
    // 1000 prompt tokens of which 600 read from and 300 written to the cache, 200 output:
    // 100 × 3 + 600 × 0.30 + 300 × 3.75 + 200 × 15 = 4605 USD per 1M tokens
    Usage u = new Usage(1000, 200, 600, 0, 300);
    assertThat(PriceBook.costNanos(claude, u)).isEqualTo(4_605_000);
    assertThat(book.cost(claude, u)).isEqualTo(4_605_000);
  }

  @Test
  void loads_prices_and_names_mistakes(@TempDir Path dir) throws Exception {
    Path ok = dir.resolve("ok.yaml");
    Files.writeString(ok, "models:\n  m: { input: 1.5, output: 2 }\n  p/n: { input: 1, output: 1, reasoning: 4, cache-write: 1.25 }\n");
    PriceBook book = PriceBook.load(ok);
    assertThat(book.find(null, null, "m").cachedInput()).isEqualByComparingTo("1.5");
    assertThat(book.find("p", "n", "x").reasoning()).isEqualByComparingTo("4");
    assertThat(book.find("p", "n", "x").cacheWrite()).isEqualByComparingTo("1.25");
    assertThat(book.find(null, null, "m").cacheWrite()).isEqualByComparingTo("1.5");
    assertThat(book.find("q", "n", "m")).isSameAs(book.find(null, null, "m"));

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "models:\n  m: { input: cheap, output: 2 }\n");
    assertThatThrownBy(() -> PriceBook.load(bad)).isInstanceOf(ConfigException.class)
        .hasMessage(bad + ": models.m.input: must be a non-negative number of US dollars per 1M tokens, got 'cheap'");
    Files.writeString(bad, "models:\n  m: { input: 1 }\n");
    assertThatThrownBy(() -> PriceBook.load(bad)).hasMessage(bad + ": models.m.output: is required (US dollars per 1M tokens)");
  }
}
