package dev.tollgate.config;

import dev.tollgate.team.Budget;
import dev.tollgate.team.Limits;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The whole gateway configuration, validated; see conf/gateway.yaml for every key with its default. */
public record GatewayConfig(
    String source,
    Server server,
    Admin admin,
    Auth auth,
    String store,
    String redis,
    Map<String, Provider> providers,
    Map<String, Model> models,
    String prices,
    Map<String, TeamSeed> teams,
    Billing billing,
    Quota quota,
    Cache cache) {

  public record Server(
      String host,
      int port,
      int instances,
      long maxBodyBytes,
      Duration bodyReadTimeout,
      int maxConnections,
      int upstreamConnections,
      Duration connectTimeout,
      Duration upstreamTimeout,
      Duration sseKeepalive,
      Duration shutdownGrace,
      boolean accessLog,
      Upstream upstream,
      Metrics metrics,
      WarmUp warmUp) {}

  /**
   * Before turning ready, the gateway drives its own pipeline with synthetic requests for {@code duration} (zero: no
   * warm-up), over {@code connections} loopback connections (zero: two per event loop), so a new replica's code is
   * compiled before clients reach it.
   */
  public record WarmUp(Duration duration, int connections) {
    public static final WarmUp OFF = new WarmUp(Duration.ZERO, 0);

    public boolean on() {
      return !duration.isZero();
    }
  }

  /**
   * Who may read {@code /metrics}, which shows each team's cost: with a {@code token}, only requests bearing it
   * ({@code Authorization: Bearer <token>}); with a {@code port}, {@code /metrics} is served there, on {@code host},
   * instead of on the API port. Neither (the default): open on the API port.
   */
  public record Metrics(Secret token, Integer port, String host) {}

  /**
   * How upstream calls are bounded and retried, and how failing targets and keys are set aside. Timeouts:
   * {@code firstByte} from sending to the response's headers, {@code idle} the longest silence within an
   * answer, {@code total} a whole request's limit (zero: none). Retries: at most {@code maxAttempts} upstream
   * calls per request, none started after {@code maxRetryTime}; going over the targets again waits an
   * exponential, jittered {@code backoff} (up to {@code backoffMax}). A key answered 401/403 leaves the rotation
   * for {@code keyPause}. At most {@code maxConcurrentPerTarget} calls at once to one target.
   * {@code maxAnswerBytes}: the largest non-streamed answer the gateway holds; {@code maxEventBytes}: the largest
   * single event of a stream (a stream itself may be of any length).
   */
  public record Upstream(Duration firstByteTimeout, Duration idleTimeout, Duration totalTimeout, int maxAttempts,
      Duration maxRetryTime, Duration backoff, Duration backoffMax, Duration keyPause, Breaker breaker,
      int maxConcurrentPerTarget, long maxAnswerBytes, long maxEventBytes) {}

  /**
   * A target's circuit breaker: open when {@code failureRate} % of the last {@code window} calls failed (once
   * {@code minimumCalls} were made), for {@code openFor}, then {@code halfOpenCalls} trial calls decide;
   * calls slower than {@code slowCall} (zero: off) count as failures.
   */
  public record Breaker(int failureRate, int minimumCalls, int window, Duration openFor, int halfOpenCalls, Duration slowCall) {}

  public record Admin(Secret token) {}

  /** {@code queryParamKey}: accept {@code ?api-key=} for clients that cannot set headers (off by default). */
  public record Auth(boolean queryParamKey, Duration keyRefresh, Duration rotationGrace) {}

  /**
   * A provider: its {@code type} names its adapter (the registry of types checks the settings each one
   * needs); {@code baseUrl}, {@code apiVersion}, and the account the keys act for ({@code organization},
   * {@code project}: OpenAI's headers) may be null.
   */
  public record Provider(String name, String type, URI baseUrl, String apiVersion, List<ProviderKey> keys, String organization,
      String project, Integer maxConcurrent) {
    /** The key path of one of this provider's settings, for error messages, e.g. {@code providers.openai.base-url}. */
    public String path(String setting) {
      return "providers." + name + "." + setting;
    }
  }

  public record ProviderKey(Secret secret, int weight) {}

  /** {@code cache}: null when the model's answers are not cached. */
  public record Model(String name, List<Target> targets, List<String> fallbacks, List<String> aliases, Integer maxOutputTokens,
      ModelCache cache) {}

  /** Caching for one model: how long an answer is kept, and whether teams share answers ({@code scope: shared}). */
  public record ModelCache(Duration ttl, boolean shared) {}

  public enum CacheStore { LOCAL, REDIS }

  /**
   * The response cache: {@code maxBytes} of answers kept locally (or in Redis with {@code store: redis}),
   * none larger than {@code maxEntryBytes}; coalescing makes at most {@code maxWaiters} requests wait for one
   * identical request in flight, whose answer it holds up to {@code maxEntryBytes} for them.
   */
  public record Cache(long maxBytes, CacheStore store, long maxEntryBytes, int maxWaiters) {}

  public record Target(String provider, String model, int weight) {}

  public record TeamSeed(String name, Budget budget, Limits limits, List<String> models, List<KeySeed> keys) {}

  public record KeySeed(String name, Secret secret) {}

  /**
   * The ledger writer: batches of at most {@code batchSize} records, written at least every {@code flushInterval};
   * at most {@code bufferLimit} records held while the store fails; per-request records kept for {@code retention}.
   * {@code journal}: the directory of the local journal that keeps unwritten records across a kill, or null for none.
   */
  public record Billing(int batchSize, Duration flushInterval, int bufferLimit, Duration retention, java.nio.file.Path journal) {
    /** Without a journal. */
    public Billing(int batchSize, Duration flushInterval, int bufferLimit, Duration retention) {
      this(batchSize, flushInterval, bufferLimit, retention, null);
    }
  }

  public enum FailMode { OPEN, CLOSED }

  /**
   * {@code maxReservationUsd}: the most one request may reserve against a budget, so one huge
   * {@code max_tokens} cannot lock a budget; {@code leaseTime}: how long a crashed replica's slots
   * and reservations stay held in Redis.
   */
  public record Quota(int defaultMaxOutputTokens, java.math.BigDecimal maxReservationUsd, Duration leaseTime,
      FailMode redisFailMode, List<String> failClosedTeams, Duration redisTimeout, QuotaMode mode,
      List<String> exactTeams, List<String> leasedTeams, double leaseFraction) {
    /** Exact mode for every team. */
    public Quota(int defaultMaxOutputTokens, java.math.BigDecimal maxReservationUsd, Duration leaseTime, FailMode redisFailMode,
        List<String> failClosedTeams, Duration redisTimeout) {
      this(defaultMaxOutputTokens, maxReservationUsd, leaseTime, redisFailMode, failClosedTeams, redisTimeout, QuotaMode.EXACT,
          List.of(), List.of(), 0.05);
    }

    /** Whether a team's shared quotas are leased (this replica admits from slices it took from Redis) rather than exact. */
    public boolean leased(String teamId) {
      return mode == QuotaMode.LEASED ? !exactTeams.contains(teamId) : leasedTeams.contains(teamId);
    }

    /** Whether any team may be leased. */
    public boolean anyLeased() {
      return mode == QuotaMode.LEASED || !leasedTeams.isEmpty();
    }
  }

  /**
   * How shared (Redis) quotas admit: {@code EXACT}, one Redis script per admission and settlement; {@code LEASED}, each
   * replica admits from slices of the limits and budget it reserved in Redis.
   */
  public enum QuotaMode { EXACT, LEASED }
}
