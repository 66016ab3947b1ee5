package dev.tollgate.provider;

import dev.tollgate.config.GatewayConfig.ProviderKey;
import dev.tollgate.core.Weighted;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A provider's keys, chosen at random in proportion to their weights. A key the provider answered
 * 429 for cools down for a while and is skipped, unless every key is cooling down.
 */
public final class ProviderKeyPool {
  private final List<ProviderKey> keys;
  private final AtomicLongArray coolUntilNanos;

  public ProviderKeyPool(List<ProviderKey> keys) {
    this.keys = List.copyOf(keys);
    this.coolUntilNanos = new AtomicLongArray(keys.size());
  }

  public int size() {
    return keys.size();
  }

  /** The index of the key to use next. */
  public int pick() {
    int chosen = Weighted.pick(keys, ProviderKey::weight);
    if (keys.size() == 1) return chosen;
    long now = System.nanoTime();
    for (int step = 0; step < keys.size(); step++) {
      int i = (chosen + step) % keys.size();
      if (coolUntilNanos.get(i) - now <= 0) return i;
    }
    return chosen;
  }

  public String secret(int index) {
    return keys.get(index).secret().reveal();
  }

  public void coolDown(int index, long seconds) {
    coolUntilNanos.set(index, System.nanoTime() + Math.min(Math.max(seconds, 1), 60) * 1_000_000_000L);
  }
}
