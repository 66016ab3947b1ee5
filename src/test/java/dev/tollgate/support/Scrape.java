package dev.tollgate.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/** A Prometheus text exposition read into series (name with labels, as written) and their values. */
public final class Scrape {
  private final Map<String, Double> series = new LinkedHashMap<>();

  public Scrape(String text) {
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int space = line.lastIndexOf(' ');
      series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
  }

  public Map<String, Double> series() {
    return series;
  }

  /** The value of one series, or null. */
  public Double value(String nameWithLabels) {
    return series.get(nameWithLabels);
  }

  /** The sum of a metric's series whose labels text contains every one of {@code labels} (e.g. {@code team="alpha"}). */
  public double sum(String name, String... labels) {
    double total = 0;
    for (var e : series.entrySet()) {
      String key = e.getKey();
      if (!key.equals(name) && !key.startsWith(name + "{")) continue;
      boolean all = true;
      for (String l : labels) all &= key.contains(l);
      if (all) total += e.getValue();
    }
    return total;
  }

  public boolean any(Predicate<String> seriesName) {
    return series.keySet().stream().anyMatch(seriesName);
  }
}
