package dev.tollgate.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.core.GatewayFailure;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guessing a secret (the admin token), slowed per source address: {@value #MAX_FAILURES} failures within a
 * minute of an address's first one lock it out for a minute. While locked out every request from it is refused,
 * the right secret too, so guessing on cannot tell right from wrong; other addresses are not affected. Success
 * does not reset the count, so a working client behind the same address cannot refresh an attacker's guesses.
 * Addresses are held in a bounded cache, so a great many of them cannot grow memory without bound.
 */
public final class AddressLockout {
  private static final Logger log = LoggerFactory.getLogger(AddressLockout.class);
  static final int MAX_FAILURES = 10;
  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final Duration LOCKOUT = Duration.ofMinutes(1);
  private static final int MAX_ADDRESSES = 10_000;

  /** An address's failures since {@code since}; {@code lockedUntil} is null while it is not locked out. */
  private record Failures(Instant since, int count, Instant lockedUntil) {}

  private final String secretName;
  private final Clock clock;
  private final Runnable onFailure;
  private final Cache<String, Failures> byAddress = Caffeine.newBuilder()
      .maximumSize(MAX_ADDRESSES)
      .expireAfterWrite(WINDOW.plus(LOCKOUT))
      .executor(Runnable::run)
      .build();

  /**
   * @param secretName what is guessed, for the log (e.g. {@code admin token})
   * @param onFailure counts each failure (a metric)
   */
  public AddressLockout(String secretName, Clock clock, Runnable onFailure) {
    this.secretName = secretName;
    this.clock = clock;
    this.onFailure = onFailure;
  }

  /** The 429 (with {@code Retry-After}) for a request from a locked-out address, or null when its address is not locked out. */
  public GatewayFailure refusal(HttpServerRequest request) {
    Failures f = byAddress.getIfPresent(address(request));
    if (f == null || f.lockedUntil() == null) return null;
    long millis = Duration.between(clock.instant(), f.lockedUntil()).toMillis();
    if (millis <= 0) return null;
    long seconds = (millis + 999) / 1000;
    return new GatewayFailure(429, "rate_limit_exceeded", "too_many_failed_attempts", null,
        "Too many failed attempts at the " + secretName + " from your address; retry after " + seconds + " seconds.")
        .header("retry-after", Long.toString(seconds));
  }

  /** Records a wrong secret; the failure that reaches the limit starts a lockout, logged once. */
  public void failed(HttpServerRequest request) {
    onFailure.run();
    String address = address(request);
    Instant now = clock.instant();
    Failures f = byAddress.asMap().compute(address, (a, before) -> {
      if (before == null || !locked(before, now) && !now.isBefore(before.since().plus(WINDOW))) return new Failures(now, 1, null);
      int count = before.count() + 1;
      Instant until = before.lockedUntil() == null && count >= MAX_FAILURES ? now.plus(LOCKOUT) : before.lockedUntil();
      return new Failures(before.since(), count, until);
    });
    if (f.count() == MAX_FAILURES) {
      log.warn("{} failed attempts at the {} from {} within {} s: refusing that address for {} s", MAX_FAILURES, secretName, address,
          Duration.between(f.since(), now).toSeconds(), LOCKOUT.toSeconds());
    }
  }

  /** The peer's IP address: what a client cannot choose (a forwarded-for header it could). */
  private static String address(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    return peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
  }

  private static boolean locked(Failures f, Instant now) {
    return f.lockedUntil() != null && now.isBefore(f.lockedUntil());
  }
}
