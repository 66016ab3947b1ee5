package dev.tollgate.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.Usage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Answers in Redis, shared by every replica: one key per answer under {@code tollgate:cache:}, expiring
 * with its time-to-live. The value is a line of JSON (when, usage, provider, model) and the answer's bytes.
 * Every call has a timeout: a Redis that does not answer fails the call, and the caller bypasses the cache.
 * After a failure, calls fail at once for a second (then one goes through to see whether Redis is back), so
 * an outage costs requests nothing but the missed cache.
 */
public final class RedisAnswerStore implements AnswerStore {
  private static final String PREFIX = "tollgate:cache:";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Redis client;
  private final RedisAPI redis;
  private final long timeoutMs;
  private final Clock clock;
  private volatile long downUntilNanos;

  public RedisAnswerStore(Vertx vertx, String url, long timeoutMs, Clock clock) {
    this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolSize(16)
        .setMaxPoolWaiting(10_000).setMaxWaitingHandlers(10_000));
    this.redis = RedisAPI.api(client);
    this.timeoutMs = timeoutMs;
    this.clock = clock;
  }

  @Override
  public Future<CachedAnswer> get(String key) {
    if (down()) return Future.failedFuture("the Redis cache store failed less than a second ago");
    return watch(redis.get(PREFIX + key).timeout(timeoutMs, TimeUnit.MILLISECONDS)).map(r -> r == null ? null : decode(r));
  }

  private boolean down() {
    long until = downUntilNanos;
    return until != 0 && System.nanoTime() - until < 0;
  }

  private <T> Future<T> watch(Future<T> call) {
    return call.andThen(ar -> {
      if (ar.failed()) downUntilNanos = System.nanoTime() + 1_000_000_000L;
      else downUntilNanos = 0;
    });
  }

  @Override
  public Future<Void> put(String key, CachedAnswer answer, Duration ttl) {
    // the value as bytes (a String argument would be re-encoded as UTF-8)
    long left = ttl.toMillis() - Math.max(0, clock.millis() - answer.storedAtMillis());
    if (left <= 0) return Future.succeededFuture();
    if (down()) return Future.failedFuture("the Redis cache store failed less than a second ago");
    Request set = Request.cmd(Command.SET).arg(PREFIX + key).arg(encode(answer)).arg("PX").arg(left);
    return watch(client.send(set).timeout(timeoutMs, TimeUnit.MILLISECONDS)).mapEmpty();
  }

  static Buffer encode(CachedAnswer a) {
    ObjectNode head = JSON.createObjectNode();
    head.put("t", a.storedAtMillis());
    head.put("p", a.provider());
    head.put("m", a.upstreamModel());
    Usage u = a.usage() == null ? Usage.ZERO : a.usage();
    head.putArray("u").add(u.promptTokens()).add(u.completionTokens()).add(u.cachedTokens()).add(u.reasoningTokens()).add(u.cacheWriteTokens());
    return Buffer.buffer(head.toString()).appendByte((byte) '\n').appendBytes(a.body());
  }

  static CachedAnswer decode(Response r) {
    Buffer value = r.toBuffer();
    int nl = 0;
    while (nl < value.length() && value.getByte(nl) != '\n') nl++;
    try {
      JsonNode head = JSON.readTree(value.getBytes(0, nl));
      JsonNode u = head.path("u");
      return new CachedAnswer(value.getBytes(nl + 1, value.length()),
          new Usage(u.path(0).asLong(), u.path(1).asLong(), u.path(2).asLong(), u.path(3).asLong(), u.path(4).asLong()),
          head.path("p").asText(null), head.path("m").asText(null), head.path("t").asLong());
    } catch (Exception e) {
      return null; // not an answer this gateway wrote: a miss
    }
  }

  @Override
  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }
}
