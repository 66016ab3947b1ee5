package dev.tollgate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.config.GatewayConfig.Admin;
import dev.tollgate.config.GatewayConfig.Auth;
import dev.tollgate.config.GatewayConfig.Billing;
import dev.tollgate.config.GatewayConfig.FailMode;
import dev.tollgate.config.GatewayConfig.KeySeed;
import dev.tollgate.config.GatewayConfig.Model;
import dev.tollgate.config.GatewayConfig.Provider;
import dev.tollgate.config.GatewayConfig.ProviderKey;
import dev.tollgate.config.GatewayConfig.Quota;
import dev.tollgate.config.GatewayConfig.QuotaMode;
import dev.tollgate.config.GatewayConfig.Server;
import dev.tollgate.config.GatewayConfig.Target;
import dev.tollgate.config.GatewayConfig.TeamSeed;
import dev.tollgate.core.Ids;
import dev.tollgate.team.Budget;
import dev.tollgate.team.BudgetPeriod;
import dev.tollgate.team.Limits;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads conf/gateway.yaml into a validated {@link GatewayConfig}; every mistake names its key path. */
public final class ConfigLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Duration MAX_WARM_UP = Duration.ofMinutes(5);

  private final Map<String, String> env;

  public ConfigLoader(Map<String, String> env) {
    this.env = env;
  }

  public static GatewayConfig load(Path file) {
    return new ConfigLoader(System.getenv()).read(file);
  }

  public GatewayConfig read(Path file) {
    String name = file.toString();
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(name + ": file not found");
    } catch (IOException e) {
      throw new ConfigException(name + ": cannot read (" + e.getMessage() + ")");
    }
    return parse(name, text);
  }

  public GatewayConfig parse(String name, String yaml) {
    JsonNode tree;
    try {
      tree = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw new ConfigException(name + ": not valid YAML" + (loc == null ? "" : " at line " + loc.getLineNr()) + ": " + e.getOriginalMessage());
    }
    ConfigNode root = new ConfigNode(name, "", tree, env).allowOnly(Set.of(
        "server", "admin", "auth", "store", "redis", "providers", "models", "prices", "teams", "billing", "quota", "cache"));

    for (String section : List.of("providers", "models", "teams")) {
      root.get(section).entries().forEach((entry, node) -> {
        if (entry.startsWith(Ids.WARM_UP)) throw node.error("names starting with " + Ids.WARM_UP + " are the warm-up's own");
      });
    }
    Map<String, Provider> providers = providers(root.get("providers"));
    Map<String, Model> models = models(root.get("models"), providers);
    GatewayConfig config = new GatewayConfig(
        name,
        server(root.get("server")),
        new Admin(root.get("admin").allowOnly(Set.of("token")).get("token").optionalSecret()),
        auth(root.get("auth")),
        store(root.get("store")),
        redis(root.get("redis")),
        providers,
        models,
        root.get("prices").text(null),
        teams(root.get("teams"), models),
        billing(root.get("billing"), store(root.get("store"))),
        quota(root.get("quota")),
        cache(root.get("cache")));
    if (config.cache().store() == GatewayConfig.CacheStore.REDIS && config.redis() == null) {
      throw root.get("cache").get("store").error("is redis, but no redis: URL is set");
    }
    return config;
  }

  private static Server server(ConfigNode n) {
    n.allowOnly(Set.of("host", "port", "instances", "max-body-bytes", "body-read-timeout", "max-answer-bytes", "max-event-bytes", "max-connections", "upstream-connections", "connect-timeout", "upstream-timeout",
        "sse-keepalive", "shutdown-grace", "access-log", "first-byte-timeout", "idle-timeout", "total-timeout", "retry", "key-pause",
        "breaker", "max-concurrent-per-target", "metrics", "warm-up"));
    Duration upstreamTimeout = positive(n.get("upstream-timeout"), Duration.ofSeconds(120));
    int port = n.get("port").intValue(8080, 0, 65535);
    return new Server(
        n.get("host").text("0.0.0.0"),
        port,
        n.get("instances").intValue(0, 0, 256),
        n.get("max-body-bytes").longValue(10 * 1024 * 1024, 1024, Integer.MAX_VALUE),
        positive(n.get("body-read-timeout"), Duration.ofSeconds(30)),
        n.get("max-connections").intValue(20_000, 1, 10_000_000),
        n.get("upstream-connections").intValue(10_000, 1, 1_000_000),
        positive(n.get("connect-timeout"), Duration.ofSeconds(5)),
        upstreamTimeout,
        positive(n.get("sse-keepalive"), Duration.ofSeconds(15)),
        n.get("shutdown-grace").duration(Duration.ofSeconds(30)),
        n.get("access-log").bool(true),
        upstream(n, upstreamTimeout),
        metrics(n.get("metrics"), port),
        warmUp(n.get("warm-up")));
  }

  /** {@code server.warm-up}: off (the default), or how long and over how many connections. */
  private static GatewayConfig.WarmUp warmUp(ConfigNode n) {
    if (n.isMissing() || n.isFalse()) return GatewayConfig.WarmUp.OFF;
    n.allowOnly(Set.of("duration", "connections"));
    Duration duration = n.get("duration").duration(Duration.ZERO);
    if (duration.compareTo(MAX_WARM_UP) > 0) {
      throw n.get("duration").error("must be at most 5m (the replica is not ready while it runs), got '" + n.get("duration").text() + "'");
    }
    return new GatewayConfig.WarmUp(duration, n.get("connections").intValue(0, 0, 1024));
  }

  private static GatewayConfig.Metrics metrics(ConfigNode n, int apiPort) {
    n.allowOnly(Set.of("token", "port", "host"));
    // a token that is set must resolve: an unset variable must not leave /metrics open unnoticed
    Secret token = n.get("token").isMissing() ? null : n.get("token").secret();
    Integer port = n.get("port").isMissing() ? null : n.get("port").intValue(0, 0, 65535);
    if (port != null && port != 0 && port == apiPort) {
      throw n.get("port").error("must differ from server.port (" + apiPort + "), or be left out to serve /metrics on it");
    }
    if (port == null && !n.get("host").isMissing()) throw n.get("host").error("applies only with server.metrics.port");
    return new GatewayConfig.Metrics(token, port, n.get("host").text("127.0.0.1"));
  }

  private static GatewayConfig.Upstream upstream(ConfigNode server, Duration upstreamTimeout) {
    ConfigNode retry = server.get("retry").allowOnly(Set.of("max-attempts", "max-time", "backoff", "backoff-max"));
    ConfigNode breaker = server.get("breaker").allowOnly(Set.of("failure-rate", "minimum-calls", "window", "open-for",
        "half-open-calls", "slow-call"));
    int window = breaker.get("window").intValue(50, 1, 10_000);
    GatewayConfig.Breaker b = new GatewayConfig.Breaker(
        breaker.get("failure-rate").intValue(50, 1, 100),
        breaker.get("minimum-calls").intValue(Math.min(20, window), 1, window),
        window,
        positive(breaker.get("open-for"), Duration.ofSeconds(30)),
        breaker.get("half-open-calls").intValue(3, 1, 1000),
        breaker.get("slow-call").duration(Duration.ZERO));
    Duration backoff = positive(retry.get("backoff"), Duration.ofMillis(250));
    Duration backoffMax = positive(retry.get("backoff-max"), Duration.ofSeconds(4));
    if (backoffMax.compareTo(backoff) < 0) throw retry.get("backoff-max").error("must not be shorter than backoff");
    return new GatewayConfig.Upstream(
        positive(server.get("first-byte-timeout"), upstreamTimeout),
        positive(server.get("idle-timeout"), upstreamTimeout),
        server.get("total-timeout").duration(Duration.ZERO),
        retry.get("max-attempts").intValue(4, 1, 100),
        positive(retry.get("max-time"), Duration.ofSeconds(30)),
        backoff,
        backoffMax,
        positive(server.get("key-pause"), Duration.ofMinutes(5)),
        b,
        server.get("max-concurrent-per-target").intValue(2000, 1, 1_000_000),
        server.get("max-answer-bytes").longValue(32L * 1024 * 1024, 64 * 1024, Integer.MAX_VALUE),
        server.get("max-event-bytes").longValue(4L * 1024 * 1024, 64 * 1024, Integer.MAX_VALUE));
  }

  private static Auth auth(ConfigNode n) {
    n.allowOnly(Set.of("query-param-key", "key-refresh", "rotation-grace"));
    return new Auth(
        n.get("query-param-key").bool(false),
        positive(n.get("key-refresh"), Duration.ofMillis(500)),
        n.get("rotation-grace").duration(Duration.ofHours(24)));
  }

  /** A URL written out, or a reference to one (a managed database's URL carries its password: a Secret on Kubernetes). */
  private static String store(ConfigNode n) {
    boolean secret = n.isReference();
    String store = secret ? n.secret().reveal() : n.text("sqlite:data/tollgate.db");
    if (!store.startsWith("sqlite:") && !store.startsWith("postgresql://") && !store.startsWith("postgres://")) {
      throw n.error("must be sqlite:PATH or postgresql://user:password@host:port/database, got " + shown(store, secret));
    }
    return store;
  }

  /** A value for an error message: a secret's stays out. */
  private static String shown(String value, boolean secret) {
    return secret ? "a value of another form (not shown: it came from a secret reference)" : "'" + value + "'";
  }

  private static String redis(ConfigNode n) {
    // a reference to an unset variable leaves Redis out, as leaving the key out does
    boolean secret = n.isReference();
    Secret reference = secret ? n.optionalSecret() : null;
    String redis = secret ? (reference == null ? null : reference.reveal()) : n.text(null);
    if (redis != null && !redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
      throw n.error("must be a redis://host:port URL, got " + shown(redis, secret));
    }
    return redis;
  }

  /** Providers in general; what each type needs besides is checked by that type (see the provider registry). */
  private static Map<String, Provider> providers(ConfigNode n) {
    Map<String, Provider> out = new LinkedHashMap<>();
    n.entries().forEach((name, p) -> {
      p.allowOnly(Set.of("type", "base-url", "api-version", "keys", "organization", "project", "max-concurrent"));
      String type = p.get("type").text(null);
      if (type == null || type.isBlank()) throw p.get("type").error("is required (the kind of provider, e.g. openai)");
      type = type.trim().toLowerCase(java.util.Locale.ROOT);
      URI baseUrl = null;
      ConfigNode urlNode = p.get("base-url");
      if (!urlNode.isMissing()) {
        String raw = urlNode.text();
        try {
          baseUrl = URI.create(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
        } catch (IllegalArgumentException e) {
          throw urlNode.error("is not a valid URL: '" + raw + "'");
        }
        if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme()) || baseUrl.getHost() == null) {
          throw urlNode.error("must be an http:// or https:// URL, got '" + raw + "'");
        }
      }
      List<ProviderKey> keys = p.get("keys").list(k -> {
        k.allowOnly(Set.of("secret", "weight"));
        return new ProviderKey(k.get("secret").secret(), k.get("weight").intValue(1, 1, 1_000_000));
      });
      Integer maxConcurrent = p.get("max-concurrent").isMissing() ? null : p.get("max-concurrent").intValue(0, 1, 1_000_000);
      out.put(name, new Provider(name, type, baseUrl, p.get("api-version").text(null), keys, p.get("organization").text(null),
          p.get("project").text(null), maxConcurrent));
    });
    return out;
  }

  private static Map<String, Model> models(ConfigNode n, Map<String, Provider> providers) {
    Map<String, Model> out = new LinkedHashMap<>();
    Map<String, String> nameOwners = new HashMap<>();
    n.entries().forEach((name, m) -> {
      m.allowOnly(Set.of("targets", "fallbacks", "aliases", "max-output-tokens", "cache"));
      List<Target> targets = m.get("targets").list(t -> {
        t.allowOnly(Set.of("provider", "model", "weight"));
        String provider = t.get("provider").text();
        if (!providers.containsKey(provider)) {
          throw t.get("provider").error("names no provider under providers: (known: " + String.join(", ", providers.keySet()) + ")");
        }
        return new Target(provider, t.get("model").text(name), t.get("weight").intValue(1, 1, 1_000_000));
      });
      if (targets.isEmpty()) throw m.get("targets").error("needs at least one target");
      List<String> aliases = m.get("aliases").stringList();
      for (String owned : concat(name, aliases)) {
        String previous = nameOwners.putIfAbsent(owned, name);
        if (previous != null) throw m.get("aliases").error("'" + owned + "' is already a name or alias of model " + previous);
      }
      Integer maxOut = m.get("max-output-tokens").isMissing() ? null : m.get("max-output-tokens").intValue(0, 1, 10_000_000);
      out.put(name, new Model(name, targets, m.get("fallbacks").stringList(), aliases, maxOut, modelCache(m.get("cache"))));
    });
    out.forEach((name, model) -> {
      for (int i = 0; i < model.fallbacks().size(); i++) {
        String fb = model.fallbacks().get(i);
        if (!out.containsKey(fb) || fb.equals(name)) {
          throw n.get(name).get("fallbacks").error("'" + fb + "' is not another model under models:");
        }
      }
    });
    return out;
  }

  private static List<String> concat(String head, List<String> tail) {
    var all = new java.util.ArrayList<String>();
    all.add(head);
    all.addAll(tail);
    return all;
  }

  private static Map<String, TeamSeed> teams(ConfigNode n, Map<String, Model> models) {
    Map<String, TeamSeed> out = new LinkedHashMap<>();
    Set<String> knownModels = new java.util.HashSet<>(models.keySet());
    models.values().forEach(m -> knownModels.addAll(m.aliases()));
    n.entries().forEach((name, t) -> {
      t.allowOnly(Set.of("budget", "limits", "models", "keys"));
      List<String> allowed = t.get("models").stringList();
      for (String model : allowed) {
        if (!knownModels.contains(model)) throw t.get("models").error("'" + model + "' is not a model under models:");
      }
      List<KeySeed> keys = t.get("keys").list(k -> {
        k.allowOnly(Set.of("name", "secret"));
        return new KeySeed(k.get("name").text(), k.get("secret").secret());
      });
      out.put(name, new TeamSeed(name, budget(t.get("budget")), limits(t.get("limits")), allowed, keys));
    });
    return out;
  }

  private static GatewayConfig.ModelCache modelCache(ConfigNode n) {
    if (n.isMissing()) return null;
    n.allowOnly(Set.of("ttl", "scope"));
    if (n.get("ttl").isMissing()) throw n.get("ttl").error("is required (how long an answer is kept, e.g. 1h)");
    String scope = n.get("scope").text("team");
    if (!scope.equals("team") && !scope.equals("shared")) throw n.get("scope").error("must be team or shared, got '" + scope + "'");
    return new GatewayConfig.ModelCache(positive(n.get("ttl"), null), scope.equals("shared"));
  }

  private static GatewayConfig.Cache cache(ConfigNode n) {
    n.allowOnly(Set.of("max-bytes", "store", "max-entry-bytes", "max-waiters"));
    long maxBytes = n.get("max-bytes").bytes(256L << 20, 0, Long.MAX_VALUE / 2);
    return new GatewayConfig.Cache(
        maxBytes,
        n.get("store").oneOf(GatewayConfig.CacheStore.class, GatewayConfig.CacheStore.LOCAL),
        n.get("max-entry-bytes").bytes(Math.min(maxBytes, 4L << 20), 1024, Integer.MAX_VALUE),
        n.get("max-waiters").intValue(1000, 0, 1_000_000));
  }

  static Budget budget(ConfigNode n) {
    if (n.isMissing()) return null;
    n.allowOnly(Set.of("usd", "period"));
    BigDecimal usd = n.get("usd").decimal(null);
    if (usd == null) throw n.get("usd").error("is required");
    return new Budget(usd, n.get("period").oneOf(BudgetPeriod.class, BudgetPeriod.MONTHLY));
  }

  static Limits limits(ConfigNode n) {
    if (n.isMissing()) return Limits.NONE;
    n.allowOnly(Set.of("rpm", "tpm", "concurrent"));
    return new Limits(optionalPositive(n.get("rpm")), optionalPositive(n.get("tpm")), optionalPositive(n.get("concurrent")));
  }

  private static Long optionalPositive(ConfigNode n) {
    return n.isMissing() ? null : n.longValue(0, 1, Long.MAX_VALUE / 4);
  }

  private static Billing billing(ConfigNode n, String store) {
    n.allowOnly(Set.of("batch-size", "flush-interval", "buffer-limit", "retention", "journal"));
    return new Billing(
        n.get("batch-size").intValue(500, 1, 100_000),
        positive(n.get("flush-interval"), Duration.ofMillis(200)),
        n.get("buffer-limit").intValue(200_000, 100, 100_000_000),
        positive(n.get("retention"), Duration.ofDays(90)),
        journal(n.get("journal"), store));
  }

  /**
   * The ledger journal's directory: as given, none for {@code off}; by default next to a SQLite file
   * ({@code data/tollgate.db} journals in {@code data/tollgate.db.ledger-journal}) and none for PostgreSQL, whose
   * replicas may have no lasting local disk.
   */
  private static Path journal(ConfigNode n, String store) {
    if (n.isFalse()) return null;
    if (n.isMissing()) return store.startsWith("sqlite:") ? Path.of(store.substring("sqlite:".length()) + ".ledger-journal") : null;
    return Path.of(n.text());
  }

  private static Quota quota(ConfigNode n) {
    n.allowOnly(Set.of("default-max-output-tokens", "max-reservation-usd", "lease-time", "redis-fail-mode",
        "fail-closed-teams", "redis-timeout", "mode", "exact-teams", "leased-teams", "lease-fraction"));
    BigDecimal cap = n.get("max-reservation-usd").decimal(new BigDecimal("1.00"));
    if (cap.stripTrailingZeros().scale() > 9) throw n.get("max-reservation-usd").error("has more than 9 decimal places");
    List<String> exact = n.get("exact-teams").stringList();
    List<String> leased = n.get("leased-teams").stringList();
    for (String team : leased) {
      if (exact.contains(team)) throw n.get("leased-teams").error("team '" + team + "' is also in quota.exact-teams");
    }
    BigDecimal fraction = n.get("lease-fraction").decimal(new BigDecimal("0.05"));
    if (fraction.signum() <= 0 || fraction.compareTo(BigDecimal.ONE) > 0) {
      throw n.get("lease-fraction").error("must be more than 0 and at most 1");
    }
    return new Quota(
        n.get("default-max-output-tokens").intValue(4096, 1, 10_000_000),
        cap,
        positive(n.get("lease-time"), Duration.ofSeconds(30)),
        n.get("redis-fail-mode").oneOf(FailMode.class, FailMode.OPEN),
        n.get("fail-closed-teams").stringList(),
        positive(n.get("redis-timeout"), Duration.ofMillis(500)),
        n.get("mode").oneOf(QuotaMode.class, QuotaMode.EXACT),
        exact,
        leased,
        fraction.doubleValue());
  }

  private static Duration positive(ConfigNode n, Duration fallback) {
    Duration d = n.duration(fallback);
    if (d.isZero()) throw n.error("must be longer than zero");
    return d;
  }
}
