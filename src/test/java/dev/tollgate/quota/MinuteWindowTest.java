package dev.tollgate.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MinuteWindowTest {
  /** The window's sum, kept between reads, always equals the buckets added up afresh. */
  @Test
  void the_kept_sum_always_equals_the_sum_of_the_live_seconds() {
    Random random = new Random(18);
    for (int run = 0; run < 200; run++) {
      MinuteWindow window = new MinuteWindow();
      long[] amountAt = new long[2000]; // what each second of the run holds, by brute force
      boolean[] added = new boolean[2000];
      long nowMillis = 1_000_000L * 1000;
      long start = nowMillis / 1000;
      for (int step = 0; step < 300; step++) {
        nowMillis += random.nextInt(4) == 0 ? random.nextInt(5_000) : random.nextInt(50);
        long now = nowMillis / 1000;
        switch (random.nextInt(3)) {
          case 0 -> {
            long amount = random.nextInt(1000);
            window.add(now, amount);
            amountAt[(int) (now - start)] += amount;
            added[(int) (now - start)] = true;
          }
          case 1 -> {
            long sec = now - random.nextInt(70);
            if (sec >= start) {
              long delta = random.nextInt(2000) - 1000;
              boolean applies = added[(int) (sec - start)] && sec > now - 60;
              window.adjust(sec, delta, nowMillis);
              if (applies) amountAt[(int) (sec - start)] = Math.max(0, amountAt[(int) (sec - start)] + delta);
            }
          }
          default -> { }
        }
        long expected = 0;
        for (long s = Math.max(start, now - 59); s <= now; s++) expected += amountAt[(int) (s - start)];
        assertEquals(expected, window.sum(nowMillis), "run " + run + " step " + step);
        assertEquals(expected, window.sum(nowMillis), "read twice in one second");
      }
    }
  }

  @Test
  void a_saturated_sum_stays_saturated_and_recovers_when_the_amounts_leave() {
    MinuteWindow window = new MinuteWindow();
    window.add(1000, Long.MAX_VALUE - 5);
    window.add(1000, 10);
    assertEquals(Long.MAX_VALUE, window.sum(1000_500));
    window.add(1001, 1);
    assertEquals(Long.MAX_VALUE, window.sum(1001_000));
    assertEquals(1, window.sum(1060_000));
  }
}
