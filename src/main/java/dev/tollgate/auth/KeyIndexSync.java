package dev.tollgate.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the in-memory {@link KeyIndex} in step with the store: it polls the store's version (one
 * tiny query) and reloads teams and keys only when it moved, so a key created, revoked or rotated on
 * any replica takes effect here within one poll interval. It also writes keys' last-used times in
 * batches, never one write per request.
 */
public final class KeyIndexSync {
  private static final Logger log = LoggerFactory.getLogger(KeyIndexSync.class);
  private static final Duration TOUCH_FLUSH = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final KeySource store;
  private final KeyIndex index;
  private final Clock clock;
  private final AtomicBoolean polling = new AtomicBoolean();
  private volatile long loadedVersion = -1;
  private long pollTimer = -1;
  private long touchTimer = -1;

  public KeyIndexSync(Vertx vertx, KeySource store, KeyIndex index, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.index = index;
    this.clock = clock;
  }

  /** Loads the index once, then keeps polling. */
  public Future<Void> start(Duration pollInterval) {
    return reload().onSuccess(v -> {
      pollTimer = vertx.setPeriodic(pollInterval.toMillis(), t -> poll());
      touchTimer = vertx.setPeriodic(TOUCH_FLUSH.toMillis(), t -> flushLastUsed());
    });
  }

  /** Reloads at once; the admin API calls it after a change so this replica sees it immediately. */
  public Future<Void> reload() {
    return store.version().compose(version -> store.teams().compose(teams -> store.keys().map(keys -> {
      index.replace(teams, keys);
      loadedVersion = version;
      return null;
    })));
  }

  private void poll() {
    if (!polling.compareAndSet(false, true)) return;
    store.version()
        .compose(v -> v == loadedVersion ? Future.succeededFuture() : reload())
        .onFailure(e -> log.warn("cannot refresh team keys from the store (serving the last known keys): {}", e.toString()))
        .onComplete(x -> polling.set(false));
  }

  public Future<Void> flushLastUsed() {
    Set<String> used = index.drainTouched();
    if (used.isEmpty()) return Future.succeededFuture();
    Instant now = clock.instant();
    Map<String, Instant> times = new HashMap<>();
    used.forEach(id -> times.put(id, now));
    return store.touchKeys(times).onFailure(e -> log.warn("cannot record keys' last use: {}", e.toString()));
  }

  public Future<Void> stop() {
    if (pollTimer >= 0) vertx.cancelTimer(pollTimer);
    if (touchTimer >= 0) vertx.cancelTimer(touchTimer);
    return flushLastUsed().otherwiseEmpty();
  }
}
