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
    Quota quota) {

  public record Server(
      String host,
      int port,
      int instances,
      long maxBodyBytes,
      int upstreamConnections,
      Duration connectTimeout,
      Duration upstreamTimeout,
      Duration sseKeepalive,
      Duration shutdownGrace,
      boolean accessLog) {}

  public record Admin(Secret token) {}

  /** {@code queryParamKey}: accept {@code ?api-key=} for clients that cannot set headers (off by default). */
  public record Auth(boolean queryParamKey, Duration keyRefresh, Duration rotationGrace) {}

  /**
   * A provider: its {@code type} names its adapter (the registry of types checks the settings each one
   * needs); {@code baseUrl}, {@code apiVersion} may be null.
   */
  public record Provider(String name, String type, URI baseUrl, String apiVersion, List<ProviderKey> keys) {
    /** The key path of one of this provider's settings, for error messages, e.g. {@code providers.openai.base-url}. */
    public String path(String setting) {
      return "providers." + name + "." + setting;
    }
  }

  public record ProviderKey(Secret secret, int weight) {}

  public record Model(String name, List<Target> targets, List<String> fallbacks, List<String> aliases, Integer maxOutputTokens) {}

  public record Target(String provider, String model, int weight) {}

  public record TeamSeed(String name, Budget budget, Limits limits, List<String> models, List<KeySeed> keys) {}

  public record KeySeed(String name, Secret secret) {}

  public record Billing(int batchSize, Duration flushInterval, int bufferLimit, Duration retention) {}

  public enum FailMode { OPEN, CLOSED }

  /**
   * {@code maxReservationUsd}: the most one request may reserve against a budget, so one huge
   * {@code max_tokens} cannot lock a budget; {@code leaseTime}: how long a crashed replica's slots
   * and reservations stay held in Redis.
   */
  public record Quota(int defaultMaxOutputTokens, java.math.BigDecimal maxReservationUsd, Duration leaseTime,
      FailMode redisFailMode, List<String> failClosedTeams, Duration redisTimeout) {}
}
