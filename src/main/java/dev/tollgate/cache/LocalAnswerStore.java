package dev.tollgate.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.tollgate.metrics.GatewayMetrics;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Answers in this process's memory (Caffeine), weighed in bytes up to a maximum, each kept for its own
 * time-to-live measured on the gateway's clock. Evictions for size are counted.
 */
public final class LocalAnswerStore implements AnswerStore {
  /** @param expiresAtNanos on the store's ticker (the gateway's clock): the answer's time plus its time-to-live */
  private record Entry(CachedAnswer answer, long expiresAtNanos) {}

  private final Cache<String, Entry> cache;

  public LocalAnswerStore(long maxBytes, Clock clock, GatewayMetrics metrics) {
    this.cache = Caffeine.newBuilder()
        .executor(Runnable::run)
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .maximumWeight(maxBytes)
        .weigher((String k, Entry e) -> e.answer().weight() + 2 * k.length())
        .expireAfter(new Expiry<String, Entry>() {
          public long expireAfterCreate(String k, Entry e, long now) {
            return Math.max(0, e.expiresAtNanos() - now);
          }

          public long expireAfterUpdate(String k, Entry e, long now, long current) {
            return Math.max(0, e.expiresAtNanos() - now);
          }

          public long expireAfterRead(String k, Entry e, long now, long current) {
            return current;
          }
        })
        .removalListener((String k, Entry e, RemovalCause cause) -> {
          if (cause.wasEvicted()) metrics.cacheEviction(cause.name().toLowerCase());
        })
        .build();
    metrics.cacheBytes(() -> cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L));
  }

  @Override
  public Future<CachedAnswer> get(String key) {
    Entry e = cache.getIfPresent(key);
    return Future.succeededFuture(e == null ? null : e.answer());
  }

  @Override
  public Future<Void> put(String key, CachedAnswer answer, Duration ttl) {
    cache.put(key, new Entry(answer, TimeUnit.MILLISECONDS.toNanos(answer.storedAtMillis()) + ttl.toNanos()));
    return Future.succeededFuture();
  }
}
