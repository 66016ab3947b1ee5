package dev.tollgate.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToIntFunction;

/** Choice in proportion to weights: which provider key to use, in which order to try a model's targets. */
public final class Weighted {
  private Weighted() {}

  /** The index of one item, chosen with probability weight / total weight. */
  public static <T> int pick(List<T> items, ToIntFunction<T> weight) {
    if (items.size() == 1) return 0;
    int total = 0;
    for (T item : items) total += weight.applyAsInt(item);
    int r = ThreadLocalRandom.current().nextInt(total);
    for (int i = 0; i < items.size(); i++) {
      r -= weight.applyAsInt(items.get(i));
      if (r < 0) return i;
    }
    return items.size() - 1;
  }

  /** All items, in a random order where heavier items tend to come first (picked one by one without replacement). */
  public static <T> List<T> order(List<T> items, ToIntFunction<T> weight) {
    List<T> remaining = new ArrayList<>(items);
    List<T> out = new ArrayList<>(items.size());
    while (!remaining.isEmpty()) out.add(remaining.remove(pick(remaining, weight)));
    return out;
  }
}
