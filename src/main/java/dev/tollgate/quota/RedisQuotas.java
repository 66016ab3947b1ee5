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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quotas shared by every replica through Redis. Each admission is one EVALSHA of a Lua script that
 * checks and reserves atomically; concurrency slots and budget reservations are leases with an
 * expiry, renewed while a request is in flight, so a crashed replica's slots free themselves. All of
 * a team's keys share one hash tag, so the scripts also work on Redis Cluster.
 */
public final class RedisQuotas implements QuotaBackend {
  private static final Logger log = LoggerFactory.getLogger(RedisQuotas.class);
  static final long SPEND_TTL_MS = Duration.ofDays(40).toMillis();
  /** How long a team whose spend could not be read from the ledger is admitted on what Redis has, before trying again. */
  private static final long RESEED_PAUSE_MS = 5_000;
  /** Stands for the script's answer that the team's spend must be rebuilt from the ledger first. */
  private static final Decision UNSEEDED = new Decision(null, null, null, 0, RateView.NONE);

  private final Vertx vertx;
  private final Redis client;
  private final RedisAPI redis;
  private final long timeoutMs;
  private final SpendHistory history;
  private final Map<String, Future<Void>> reseeds = new ConcurrentHashMap<>();
  private final String common;
  private String admitSha;
  private String settleSha;
  private String renewSha;
  private String statusSha;
  private String seedSha;
  private String leaseSha;
  private final Map<String, String> scripts = new java.util.HashMap<>();

  /** Without a ledger to rebuild spend from: what Redis holds is all there is. */
  public RedisQuotas(Vertx vertx, String url, long timeoutMs) {
    this(vertx, url, timeoutMs, null);
  }

  /**
   * @param history where a team's spend in a budget period is rebuilt from when Redis does not have it (after a
   *     restart without persistence, or at a period's first admission), or null
   */
  public RedisQuotas(Vertx vertx, String url, long timeoutMs, SpendHistory history) {
    this.vertx = vertx;
    this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolSize(32)
        .setMaxPoolWaiting(10_000).setMaxWaitingHandlers(10_000));
    this.redis = RedisAPI.api(client);
    this.timeoutMs = timeoutMs;
    this.history = history;
    this.common = resource("common.lua");
  }

  /** Loads the scripts into Redis. */
  public Future<Void> start() {
    return load("admit").compose(sha -> { admitSha = sha; return load("settle"); })
        .compose(sha -> { settleSha = sha; return load("renew"); })
        .compose(sha -> { renewSha = sha; return load("status"); })
        .compose(sha -> { statusSha = sha; return load("seed"); })
        .compose(sha -> { seedSha = sha; return load("lease"); })
        .map(sha -> { leaseSha = sha; return null; });
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
        t + "resexp", t + "seeded:" + periodId);
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

  /**
   * Admits or refuses; a team whose spend in the period Redis does not have is first rebuilt from the ledger
   * (admissions meanwhile wait for it; after a failed try, they are admitted on what Redis holds).
   */
  @Override
  public Future<Decision> admit(AdmissionRequest r) {
    if (history == null) return admit(r, false);
    Future<Void> reseeding = reseeds.get(reseedKey(r));
    if (reseeding != null) return reseeding.transform(x -> admit(r, false));
    return admit(r, true).compose(d -> d != UNSEEDED ? Future.succeededFuture(d) : reseed(r).transform(x -> admit(r, false)));
  }

  private static String reseedKey(AdmissionRequest r) {
    return r.teamId() + '\u0000' + r.periodId();
  }

  /**
   * Rebuilds the team's spend in the request's period from the ledger, once however many admissions ask at
   * the same time; a failure (the store down, or slower than Redis may take) is logged, and the team is
   * admitted on what Redis has for a few seconds before the next try.
   */
  Future<Void> reseed(AdmissionRequest r) {
    String key = reseedKey(r);
    Future<Void> existing = reseeds.get(key);
    if (existing != null) return existing;
    java.time.Instant now = java.time.Instant.ofEpochMilli(r.nowMillis());
    Future<Void> seeding = history.spentSince(r.teamId(), r.period().start(now)).timeout(Math.max(timeoutMs, 2_000), TimeUnit.MILLISECONDS)
        .compose(spent -> seed(r.teamId(), r.periodId(), spent, r.nowMillis()))
        .onSuccess(v -> {
          reseeds.remove(key);
          log.info("team {}'s spend in {} rebuilt from the ledger in Redis", r.teamId(), r.periodId());
        })
        .onFailure(e -> {
          log.warn("cannot rebuild team {}'s spend in {} from the ledger ({}); admitting on what Redis holds for {} ms",
              r.teamId(), r.periodId(), e.toString(), RESEED_PAUSE_MS);
          vertx.setTimer(RESEED_PAUSE_MS, id -> reseeds.remove(key));
        });
    Future<Void> raced = reseeds.putIfAbsent(key, seeding);
    return raced != null ? raced : seeding;
  }

  /**
   * Null when the lease script must check that the team's spend in the request's period was rebuilt from the ledger;
   * otherwise what to wait for before calling it without that check (no ledger: done at once; a rebuild under way, or
   * one that failed a moment ago).
   */
  Future<Void> reseeding(AdmissionRequest r) {
    return history == null ? Future.succeededFuture() : reseeds.get(reseedKey(r));
  }

  /**
   * Runs the lease script (lease.lua) for one team and the given keys (scope 1 is the team's window, the keys'
   * follow at {@link #leaseWindowIndex}).
   */
  Future<Response> lease(String teamId, String periodId, List<String> keyIds, List<String> args) {
    String t = "tg:{" + teamId + "}:";
    List<String> keys = new ArrayList<>(8 + 2 * keyIds.size());
    keys.addAll(keys(teamId, keyIds.isEmpty() ? "-" : keyIds.get(0), periodId));
    for (int i = 1; i < keyIds.size(); i++) {
      keys.add(t + "k:" + keyIds.get(i) + ":win");
      keys.add(t + "k:" + keyIds.get(i) + ":leases");
    }
    return run(leaseSha, keys, args);
  }

  /** The index (1-based, as Lua counts) of a scope's window key in {@link #lease}: -1 is the team, 0.. its keys. */
  static int leaseWindowIndex(int keyPosition) {
    if (keyPosition < 0) return 1;
    return keyPosition == 0 ? 3 : 9 + 2 * (keyPosition - 1);
  }

  /** Sets a team's spend in a period to at least {@code ledgerNanos} (after Redis lost its data, or at a period's start). */
  Future<Void> seed(String teamId, String periodId, long ledgerNanos, long nowMillis) {
    return run(seedSha, keys(teamId, "-", periodId), List.of(Long.toString(nowMillis), Long.toString(ledgerNanos),
        Long.toString(SPEND_TTL_MS), "0", "0")).mapEmpty();
  }

  /**
   * Pushes back {@code failedOpenNanos}, spent by this replica while it failed open from {@code failedOpenSinceMillis}:
   * added to Redis's figure once per {@code pushId} (a push sent again after its reply was lost is not added twice) when
   * Redis kept its data through that time. The spend becomes at least {@code ledgerNanos} either way (-1: unknown).
   */
  Future<Void> pushBack(String teamId, String periodId, String pushId, long failedOpenNanos, long failedOpenSinceMillis,
      long ledgerNanos, long nowMillis) {
    List<String> keys = new ArrayList<>(keys(teamId, "-", periodId));
    keys.add("tg:{" + teamId + "}:push:" + pushId);
    return run(seedSha, keys, List.of(Long.toString(nowMillis), Long.toString(ledgerNanos), Long.toString(SPEND_TTL_MS),
        Long.toString(failedOpenNanos), Long.toString(failedOpenSinceMillis))).mapEmpty();
  }

  /** Whether Redis answers, within the timeout. */
  Future<Void> ping() {
    return redis.ping(List.of()).timeout(timeoutMs, TimeUnit.MILLISECONDS).mapEmpty();
  }

  private Future<Decision> admit(AdmissionRequest r, boolean checkSeeded) {
    long periodEnd = r.period() == null ? 0 : r.period().end(java.time.Instant.ofEpochMilli(r.nowMillis())).toEpochMilli();
    List<String> args = List.of(Long.toString(r.nowMillis()), r.reservationId(), Long.toString(r.tokens()),
        Long.toString(r.costNanos()), Long.toString(r.nowMillis() + r.leaseMillis()),
        r.budgetNanos() == null ? "-1" : Long.toString(r.budgetNanos()), Long.toString(periodEnd),
        limit(r.team().rpm()), limit(r.team().tpm()), limit(r.team().concurrent()),
        limit(r.key().rpm()), limit(r.key().tpm()), limit(r.key().concurrent()), checkSeeded ? "1" : "0");
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
      if (res.get(1).toString().equals("unseeded")) return UNSEEDED;
      Refusal why = Refusal.valueOf(res.get(1).toString().toUpperCase());
      return new Decision(null, why, res.get(2).toString(), res.get(3).toLong(), view);
    });
  }

  @Override
  public Future<Void> settle(Reservation r, long actualTokens, long actualCostNanos, long nowMillis) {
    return settle(r, actualTokens, actualCostNanos, nowMillis, false).mapEmpty();
  }

  /**
   * A settlement sent again after its first sending got no reply: it settles the reservation only if Redis still holds
   * it, so it is booked once however often it is sent. Completes with whether it settled it.
   */
  public Future<Boolean> settleAgain(Reservation r, long actualTokens, long actualCostNanos, long nowMillis) {
    return settle(r, actualTokens, actualCostNanos, nowMillis, true).map(res -> res.toInteger() == 1);
  }

  private Future<Response> settle(Reservation r, long actualTokens, long actualCostNanos, long nowMillis, boolean again) {
    List<String> args = List.of(Long.toString(nowMillis), r.id(), Long.toString(r.second()),
        Long.toString(actualTokens - r.tokens()), Long.toString(actualCostNanos), Long.toString(SPEND_TTL_MS), again ? "1" : "0");
    List<String> keys = new ArrayList<>(keys(r.teamId(), r.keyId(), r.periodId()));
    keys.add("tg:{" + r.teamId() + "}:resettled:" + r.id()); // set only by a settlement sent again
    return run(settleSha, keys, args);
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
    List<Future<Void>> calls = new ArrayList<>();
    long now = System.currentTimeMillis();
    spentNanosByTeam.forEach((team, nanos) -> {
      String period = periodIdByTeam.get(team);
      if (period != null) calls.add(seed(team, period, nanos, now));
    });
    return Future.all(calls).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
