package dev.tollgate.quota;

import dev.tollgate.core.Saturating;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Quotas in this process's memory: exact for one node. Each team's state (and its keys') is guarded
 * by the team's lock, so an admission checks and reserves team and key limits atomically.
 */
public final class LocalQuotas implements QuotaBackend {
  private final ConcurrentHashMap<String, TeamState> teams = new ConcurrentHashMap<>();

  private static final class ScopeState {
    final MinuteWindow requests = new MinuteWindow();
    final MinuteWindow tokens = new MinuteWindow();
    long concurrent;
  }

  private static final class TeamState {
    final ScopeState scope = new ScopeState();
    final Map<String, ScopeState> keys = new HashMap<>();
    final Map<String, Long> spent = new HashMap<>();
    long reserved;

    ScopeState key(String id) {
      return keys.computeIfAbsent(id, k -> new ScopeState());
    }
  }

  private TeamState team(String id) {
    return teams.computeIfAbsent(id, k -> new TeamState());
  }

  @Override
  public Future<Decision> admit(AdmissionRequest r) {
    TeamState t = team(r.teamId());
    synchronized (t) {
      long now = r.nowMillis();
      ScopeState ks = t.key(r.keyId());
      RateView view = RateView.tighter(view(t.scope, r.team(), now), view(ks, r.key(), now));
      if (r.budgetNanos() != null) {
        long spent = t.spent.getOrDefault(r.periodId(), 0L);
        if (spent >= r.budgetNanos() || Saturating.add(Saturating.add(spent, t.reserved), r.costNanos()) > r.budgetNanos()) {
          long untilPeriodEnd = r.period().end(Instant.ofEpochMilli(now)).toEpochMilli() - now;
          return Future.succeededFuture(new Decision(null, Refusal.BUDGET, "team", untilPeriodEnd, view));
        }
      }
      Decision refused = check(t.scope, r.team(), "team", r, view);
      if (refused == null) refused = check(ks, r.key(), "key", r, view);
      if (refused != null) return Future.succeededFuture(refused);

      long second = now / 1000;
      for (ScopeState s : new ScopeState[] {t.scope, ks}) {
        s.requests.add(second, 1);
        s.tokens.add(second, r.tokens());
        s.concurrent++;
      }
      t.reserved = Saturating.add(t.reserved, r.costNanos());
      Reservation res = new Reservation(r.reservationId(), r.teamId(), r.keyId(), second, r.tokens(), r.costNanos(),
          r.periodId(), true);
      view = RateView.tighter(view(t.scope, r.team(), now), view(ks, r.key(), now));
      return Future.succeededFuture(new Decision(res, null, null, 0, view));
    }
  }

  private static Decision check(ScopeState s, ScopeLimits limits, String scope, AdmissionRequest r, RateView view) {
    long now = r.nowMillis();
    if (limits.concurrent() != null && s.concurrent + 1 > limits.concurrent()) {
      return new Decision(null, Refusal.CONCURRENT, scope, 1000, view);
    }
    if (limits.rpm() != null && s.requests.sum(now) + 1 > limits.rpm()) {
      return new Decision(null, Refusal.RPM, scope, s.requests.untilFreed(now, s.requests.sum(now) + 1 - limits.rpm()), view);
    }
    if (limits.tpm() != null && Saturating.add(s.tokens.sum(now), r.tokens()) > limits.tpm()) {
      long excess = Saturating.add(s.tokens.sum(now), r.tokens()) - limits.tpm();
      return new Decision(null, Refusal.TPM, scope, s.tokens.untilFreed(now, excess), view);
    }
    return null;
  }

  private static RateView view(ScopeState s, ScopeLimits l, long now) {
    return new RateView(l.rpm(), s.requests.sum(now), s.requests.untilClear(now),
        l.tpm(), s.tokens.sum(now), s.tokens.untilClear(now));
  }

  @Override
  public Future<Void> settle(Reservation r, long actualTokens, long actualCostNanos, long nowMillis) {
    TeamState t = team(r.teamId());
    synchronized (t) {
      ScopeState ks = t.key(r.keyId());
      for (ScopeState s : new ScopeState[] {t.scope, ks}) {
        s.concurrent = Math.max(0, s.concurrent - 1);
        s.tokens.adjust(r.second(), Saturating.add(actualTokens, -r.tokens()), nowMillis);
      }
      t.reserved = Math.max(0, t.reserved - r.costNanos());
      if (actualCostNanos > 0) {
        t.spent.keySet().removeIf(period -> !period.equals(r.periodId()));
        t.spent.merge(r.periodId(), actualCostNanos, Saturating::add);
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> renew(Collection<Reservation> live, long nowMillis, long leaseExpiryMillis) {
    return Future.succeededFuture();
  }

  @Override
  public Future<QuotaStatus> status(StatusRequest r) {
    TeamState t = team(r.teamId());
    synchronized (t) {
      long now = r.nowMillis();
      QuotaStatus.ScopeUse key = r.keyId() == null ? QuotaStatus.ScopeUse.EMPTY : use(t.key(r.keyId()), now);
      return Future.succeededFuture(new QuotaStatus(use(t.scope, now), key, t.spent.getOrDefault(r.periodId(), 0L), t.reserved));
    }
  }

  private static QuotaStatus.ScopeUse use(ScopeState s, long now) {
    return new QuotaStatus.ScopeUse(s.requests.sum(now), s.requests.untilClear(now), s.tokens.sum(now), s.tokens.untilClear(now),
        s.concurrent);
  }

  @Override
  public Future<Void> seedSpend(Map<String, Long> spentNanosByTeam, Map<String, String> periodIdByTeam) {
    spentNanosByTeam.forEach((teamId, nanos) -> {
      String period = periodIdByTeam.get(teamId);
      if (period == null) return;
      TeamState t = team(teamId);
      synchronized (t) {
        t.spent.merge(period, nanos, Math::max);
      }
    });
    return Future.succeededFuture();
  }
}
