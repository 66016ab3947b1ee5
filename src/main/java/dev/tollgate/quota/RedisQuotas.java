package dev.tollgate.quota;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Quotas shared by every replica through Redis. Each admission is one EVALSHA of a Lua script that
 * checks and reserves atomically; concurrency slots and budget reservations are leases with an
 * expiry, renewed while a request is in flight, so a crashed replica's slots free themselves. All of
 * a team's keys share one hash tag, so the scripts also work on Redis Cluster.
 */
public final class RedisQuotas implements QuotaBackend {
  private static final long SPEND_TTL_MS = Duration.ofDays(40).toMillis();

  private final Redis client;
  private final RedisAPI redis;
  private final long timeoutMs;
  private final String common;
  private String admitSha;
  private String settleSha;
  private String renewSha;
  private String statusSha;
  private String seedSha;
  private final Map<String, String> scripts = new java.util.HashMap<>();

  public RedisQuotas(Vertx vertx, String url, long timeoutMs) {
    this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolSize(32)
        .setMaxPoolWaiting(10_000).setMaxWaitingHandlers(10_000));
    this.redis = RedisAPI.api(client);
    this.timeoutMs = timeoutMs;
    this.common = resource("common.lua");
  }

  /** Loads the scripts into Redis. */
  public Future<Void> start() {
    return load("admit").compose(sha -> { admitSha = sha; return load("settle"); })
        .compose(sha -> { settleSha = sha; return load("renew"); })
        .compose(sha -> { renewSha = sha; return load("status"); })
        .compose(sha -> { statusSha = sha; return load("seed"); })
        .map(sha -> { seedSha = sha; return null; });
  }

  private Future<String> load(String name) {
    String body = common + "\n" + resource(name + ".lua");
    return redis.script(List.of("LOAD", body)).map(r -> {
      scripts.put(r.toString(), body);
      return r.toString();
    });
  }

  private static String resource(String name) {
    try (InputStream in = RedisQuotas.class.getResourceAsStream("/quota/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("missing quota script " + name, e);
    }
  }

  private static List<String> keys(String team, String key, String periodId) {
    String t = "tg:{" + team + "}:";
    String k = t + "k:" + key + ":";
    return List.of(t + "t:win", t + "t:leases", k + "win", k + "leases", t + "spent:" + periodId, t + "res",
        t + "resexp");
  }

  /** EVALSHA, falling back to EVAL if Redis lost its script cache (a restart). */
  private Future<Response> run(String sha, List<String> keys, List<String> args) {
    List<String> call = new ArrayList<>(2 + keys.size() + args.size());
    call.add(sha);
    call.add(Integer.toString(keys.size()));
    call.addAll(keys);
    call.addAll(args);
    return redis.evalsha(call).recover(e -> {
      if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) return Future.failedFuture(e);
      List<String> eval = new ArrayList<>(call);
      eval.set(0, scripts.get(sha));
      return redis.eval(eval);
    }).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private static String limit(Long v) {
    return v == null ? "-1" : Long.toString(v);
  }

  @Override
  public Future<Decision> admit(AdmissionRequest r) {
    long periodEnd = r.period() == null ? 0 : r.period().end(java.time.Instant.ofEpochMilli(r.nowMillis())).toEpochMilli();
    List<String> args = List.of(Long.toString(r.nowMillis()), r.reservationId(), Long.toString(r.tokens()),
        Long.toString(r.costNanos()), Long.toString(r.nowMillis() + r.leaseMillis()),
        r.budgetNanos() == null ? "-1" : Long.toString(r.budgetNanos()), Long.toString(periodEnd),
        limit(r.team().rpm()), limit(r.team().tpm()), limit(r.team().concurrent()),
        limit(r.key().rpm()), limit(r.key().tpm()), limit(r.key().concurrent()));
    return run(admitSha, keys(r.teamId(), r.keyId(), r.periodId()), args).map(res -> {
      RateView team = new RateView(r.team().rpm(), res.get(4).toLong(), res.get(5).toLong(),
          r.team().tpm(), res.get(6).toLong(), res.get(7).toLong());
      RateView key = new RateView(r.key().rpm(), res.get(8).toLong(), res.get(9).toLong(),
          r.key().tpm(), res.get(10).toLong(), res.get(11).toLong());
      RateView view = RateView.tighter(team, key);
      if (res.get(0).toLong() == 1) {
        return new Decision(new Reservation(r.reservationId(), r.teamId(), r.keyId(), r.nowMillis() / 1000, r.tokens(),
            r.costNanos(), r.periodId(), false), null, null, 0, view);
      }
      Refusal why = Refusal.valueOf(res.get(1).toString().toUpperCase());
      return new Decision(null, why, res.get(2).toString(), res.get(3).toLong(), view);
    });
  }

  @Override
  public Future<Void> settle(Reservation r, long actualTokens, long actualCostNanos, long nowMillis) {
    List<String> args = List.of(Long.toString(nowMillis), r.id(), Long.toString(r.second()),
        Long.toString(actualTokens - r.tokens()), Long.toString(actualCostNanos), Long.toString(SPEND_TTL_MS));
    return run(settleSha, keys(r.teamId(), r.keyId(), r.periodId()), args).mapEmpty();
  }

  @Override
  public Future<Void> renew(Collection<Reservation> live, long nowMillis, long leaseExpiryMillis) {
    List<Future<Response>> calls = new ArrayList<>();
    for (Reservation r : live) {
      calls.add(run(renewSha, keys(r.teamId(), r.keyId(), r.periodId()),
          List.of(Long.toString(nowMillis), r.id(), Long.toString(leaseExpiryMillis))));
    }
    return Future.join(calls).mapEmpty();
  }

  @Override
  public Future<QuotaStatus> status(StatusRequest r) {
    String key = r.keyId() == null ? "-" : r.keyId();
    return run(statusSha, keys(r.teamId(), key, r.periodId()), List.of(Long.toString(r.nowMillis()))).map(res ->
        new QuotaStatus(
            new QuotaStatus.ScopeUse(res.get(0).toLong(), res.get(1).toLong(), res.get(2).toLong(), res.get(3).toLong(),
                res.get(4).toLong()),
            r.keyId() == null ? QuotaStatus.ScopeUse.EMPTY
                : new QuotaStatus.ScopeUse(res.get(5).toLong(), res.get(6).toLong(), res.get(7).toLong(), res.get(8).toLong(),
                    res.get(9).toLong()),
            res.get(10).toLong(), res.get(11).toLong()));
  }

  @Override
  public Future<Void> seedSpend(Map<String, Long> spentNanosByTeam, Map<String, String> periodIdByTeam) {
    List<Future<Response>> calls = new ArrayList<>();
    spentNanosByTeam.forEach((team, nanos) -> {
      String period = periodIdByTeam.get(team);
      if (period != null) {
        calls.add(run(seedSha, keys(team, "-", period), List.of("0", Long.toString(nanos), Long.toString(SPEND_TTL_MS))));
      }
    });
    return Future.all(calls).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
