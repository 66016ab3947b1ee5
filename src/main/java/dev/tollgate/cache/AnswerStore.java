package dev.tollgate.cache;

import io.vertx.core.Future;
import java.time.Duration;

/** Where cached answers live: this process's memory, or Redis for every replica. */
public interface AnswerStore {
  /** The answer stored under the key, or null; fails when the store cannot be reached (the cache is then bypassed). */
  Future<CachedAnswer> get(String key);

  /** Stores an answer for {@code ttl} from its own time ({@link CachedAnswer#storedAtMillis()}); a failure only means it is not cached. */
  Future<Void> put(String key, CachedAnswer answer, Duration ttl);

  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
