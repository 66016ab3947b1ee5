package dev.tollgate.quota;

import dev.tollgate.core.Saturating;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One team's leases on this replica (leased mode): slices of its rate limits (and its keys'), and of its budget,
 * reserved in Redis by lease calls, admitted from and settled against in memory. Every method locks the lease.
 * What it holds locally never exceeds what Redis reserved for it (a failed call is counted as having given back,
 * never as having taken), so every replica's admissions together stay within each limit.
 */
final class TeamLease {
  /** How long the room a lease call saw counts, to refuse without asking Redis again. */
  private static final long ROOM_FRESH_MS = 1_000;
  /** Without an admission for this long, the lease gives back what it holds unused at its next call. */
  static final long IDLE_MS = 1_000;
  private static final int MAX_SLOTS = 64;

  final String teamId;
  private final String leaseId;
  private final double fraction;
  private final long leaseMillis;
  private final long marginMillis;
  private final Map<String, ScopeSlice> scopes = new LinkedHashMap<>();
  /** The team's budget lease: its period, what Redis holds for it, what in-flight requests reserved, spend not yet booked. */
  private String periodId;
  private long held;
  private long reserved;
  private long unbooked;
  private long budgetRoom;
  private long budgetSyncedAt = Long.MIN_VALUE;
  private long budgetTarget;
  private long budgetNanos = -1;
  /** Until when Redis keeps the slots and the budget lease (renewed by every call). */
  private long expiresAt;
  private long lastAdmitMillis = Long.MIN_VALUE;
  /** The last admission asked for: the periods and limits later calls work on. */
  AdmissionRequest last;
  /** The lease call in flight, if any. */
  Future<Void> syncing;

  /** @param leaseId this replica's name for its leases in Redis */
  TeamLease(String teamId, String leaseId, double fraction, long leaseMillis) {
    this.teamId = teamId;
    this.leaseId = leaseId;
    this.fraction = fraction;
    this.leaseMillis = leaseMillis;
    this.marginMillis = Math.min(1_000, leaseMillis / 4);
  }

  private ScopeSlice scope(String keyId, ScopeLimits limits) {
    ScopeSlice s = scopes.computeIfAbsent(keyId == null ? "" : keyId, k -> new ScopeSlice(keyId));
    s.limits = limits;
    return s;
  }

  private boolean held(long now) {
    return now < expiresAt - marginMillis;
  }

  private static long target(Long limit, double fraction) {
    return Math.max(1, (long) Math.ceil(limit * fraction));
  }

  /**
   * Admits from the slices held, or refuses when the last lease call found too little room in Redis as well;
   * null when a lease call must come first.
   */
  synchronized Decision admit(AdmissionRequest r, long now) {
    long sec = now / 1000;
    last = r;
    ScopeSlice team = scope(null, r.team());
    ScopeSlice key = r.key().equals(ScopeLimits.NONE) ? null : scope(r.keyId(), r.key());
    ScopeSlice[] all = key == null ? new ScopeSlice[] {team} : new ScopeSlice[] {team, key};
    for (ScopeSlice s : all) s.roll(sec);
    RateView view = view(team, key, sec);
    boolean fresh = held(now);

    if (r.budgetNanos() == null) budgetNanos = -1;
    if (r.budgetNanos() != null) {
      budgetNanos = r.budgetNanos();
      budgetTarget = Math.max(target(r.budgetNanos(), fraction), Saturating.add(r.costNanos(), r.costNanos()));
      boolean usable = fresh && r.periodId().equals(periodId);
      long free = held - reserved - unbooked;
      if (!usable || free < r.costNanos()) {
        if (!usable || now - budgetSyncedAt > ROOM_FRESH_MS || Saturating.add(free, budgetRoom) >= r.costNanos()) return null;
        long untilPeriodEnd = r.period().end(Instant.ofEpochMilli(now)).toEpochMilli() - now;
        return new Decision(null, Refusal.BUDGET, "team", untilPeriodEnd, view);
      }
    }
    for (ScopeSlice s : all) {
      String name = s.keyId == null ? "team" : "key";
      boolean seen = s.syncedSecond == sec;
      if (s.limits.concurrent() != null && (!fresh || s.freeSlots() < 1)) {
        if (!fresh || !seen || s.freeSlots() + s.slotRoom >= 1) return null;
        return new Decision(null, Refusal.CONCURRENT, name, 1000, view);
      }
      if (s.limits.rpm() != null && s.freeRequests(sec) < 1) {
        if (!seen || s.freeRequests(sec) + s.requestRoom >= 1) return null;
        return new Decision(null, Refusal.RPM, name, Math.max(1, s.retryRequestsMillis), view);
      }
      if (s.limits.tpm() != null && s.freeTokens(sec) < r.tokens()) {
        if (!seen || Saturating.add(s.freeTokens(sec), s.tokenRoom) >= r.tokens()) return null;
        return new Decision(null, Refusal.TPM, name, Math.max(1, s.retryTokensMillis), view);
      }
    }

    for (ScopeSlice s : all) {
      if (s.limits.rpm() != null) s.usedRequests++;
      if (s.limits.tpm() != null) s.usedTokens = Saturating.add(s.usedTokens, r.tokens());
      if (s.limits.concurrent() != null) s.busy++;
    }
    if (r.budgetNanos() != null) reserved = Saturating.add(reserved, r.costNanos());
    lastAdmitMillis = now;
    Reservation res = new Reservation(r.reservationId(), r.teamId(), r.keyId(), sec, r.tokens(), r.costNanos(), r.periodId(),
        false, true);
    return new Decision(res, null, null, 0, view(team, key, sec));
  }

  private static RateView view(ScopeSlice team, ScopeSlice key, long sec) {
    return key == null ? team.view(sec) : RateView.tighter(team.view(sec), key.view(sec));
  }

  /** Whether some slice has run low (below half its size), so a lease call should top it up before it is empty. */
  synchronized boolean low(long now) {
    long sec = now / 1000;
    if (periodId != null && held - reserved - unbooked < budgetTarget / 2) return true;
    for (ScopeSlice s : scopes.values()) {
      ScopeLimits l = s.limits;
      if (l.rpm() != null && s.freeRequests(sec) < target(l.rpm(), fraction) / 2) return true;
      if (l.tpm() != null && s.freeTokens(sec) < target(l.tpm(), fraction) / 2) return true;
      if (l.concurrent() != null && s.freeSlots() < Math.max(1, slotTarget(l.concurrent()) / 2)) return true;
    }
    return false;
  }

  private long slotTarget(long concurrent) {
    return Math.min(MAX_SLOTS, target(concurrent, fraction));
  }

  /**
   * Settles a leased reservation in memory: its slot is free again, its tokens corrected to what it used (in this
   * second's slice, or given to Redis at the next call), its cost becomes spend to book. False when its budget
   * period is no longer the lease's: the caller books that spend in Redis itself.
   */
  synchronized boolean settle(Reservation r, long actualTokens, long actualCostNanos) {
    ScopeSlice team = scopes.get("");
    ScopeSlice key = r.keyId() == null ? null : scopes.get(r.keyId());
    long delta = actualTokens - r.tokens();
    for (ScopeSlice s : new ScopeSlice[] {team, key}) {
      if (s == null) continue;
      if (s.limits.concurrent() != null && s.busy > 0) s.busy--;
      if (s.limits.tpm() != null && delta != 0) {
        if (s.second == r.second()) s.usedTokens = Saturating.add(s.usedTokens, delta);
        else s.correct(r.second(), 0, delta);
      }
    }
    reserved = Math.max(0, reserved - r.costNanos());
    // spend of a team without a budget is the ledger's alone
    if (actualCostNanos == 0 || r.periodId().equals("none")) return true;
    if (!r.periodId().equals(periodId)) return false;
    unbooked = Saturating.add(unbooked, actualCostNanos);
    return true;
  }

  /** Whether a lease call is due without an admission asking: something to give back or book, or the lease to renew. */
  synchronized boolean due(long now) {
    long sec = now / 1000;
    boolean holds = held > 0;
    for (ScopeSlice s : scopes.values()) {
      s.roll(sec);
      if (!s.corrections.isEmpty()) return true;
      if (s.slots > 0) holds = true;
    }
    if (unbooked > 0) return true;
    boolean idle = now - lastAdmitMillis > IDLE_MS;
    if (holds && idle && (held - reserved > 0 || scopes.values().stream().anyMatch(s -> s.freeSlots() > 0))) return true;
    return holds && expiresAt - now < leaseMillis / 2;
  }

  /** A lease call to make: what it books and gives back is taken off this lease now, what it takes is added when it answers. */
  final class Call {
    final long now;
    final long second;
    final String period;
    final boolean drop;
    final long book;
    final long giveBack;
    final long take;
    final long budget;
    final List<ScopeSlice> slices = new ArrayList<>();
    final List<Long> slotsGiven = new ArrayList<>();
    final List<Map<Long, long[]>> corrections = new ArrayList<>();
    final List<String> args = new ArrayList<>();
    final List<String> keyIds = new ArrayList<>();

    private Call(long now, AdmissionRequest need, boolean end, boolean checkSeeded) {
      this.now = now;
      this.second = now / 1000;
      boolean active = need != null || now - lastAdmitMillis <= IDLE_MS;
      boolean expired = !held(now);
      String wanted = need != null ? need.periodId() : last == null ? "none" : last.periodId();
      // a new budget period: book the old one's spend and drop its lease first
      boolean newPeriod = periodId != null && !periodId.equals(wanted);
      period = periodId != null ? periodId : wanted;
      drop = end || newPeriod;
      book = unbooked;
      unbooked = 0;
      held -= book;
      long free = held - reserved;
      long give = drop ? Math.max(0, held) : !active ? Math.max(0, free) : free > 2 * budgetTarget ? free - budgetTarget : 0;
      giveBack = give;
      held -= give;
      long need0 = need == null || need.budgetNanos() == null ? 0 : need.costNanos();
      take = drop || budgetNanos < 0 || !active ? 0 : Math.max(0, budgetTarget + need0 - (held - reserved));
      budget = budgetNanos;
      args.addAll(List.of(Long.toString(now), leaseId, Long.toString(now + leaseMillis), Long.toString(drop ? -1 : budget),
          Long.toString(book), Long.toString(giveBack), Long.toString(take), drop ? "1" : "0",
          Long.toString(RedisQuotas.SPEND_TTL_MS), checkSeeded && !drop && budget >= 0 ? "1" : "0"));
      int count = 0;
      List<String> scopeArgs = new ArrayList<>();
      for (ScopeSlice s : scopes.values()) {
        s.roll(second);
        ScopeLimits l = s.limits;
        if (expired) s.slots = 0;
        boolean needs = need != null && (s.keyId == null || s.keyId.equals(need.keyId()));
        long tokensNeeded = needs && l.tpm() != null ? need.tokens() : 0;
        long slotGive = end ? s.slots : !active ? Math.max(0, s.freeSlots())
            : l.concurrent() == null ? s.slots : Math.max(0, s.freeSlots() - 2 * slotTarget(l.concurrent()));
        long slotsHeld = s.slots;
        s.slots -= slotGive;
        boolean taking = !end && (active || needs);
        long wantReq = taking && l.rpm() != null ? Math.max(needs ? 1 : 0, target(l.rpm(), fraction) - s.freeRequests(second)) : 0;
        long wantTok = taking && l.tpm() != null
            ? Math.max(tokensNeeded, target(l.tpm(), fraction) + tokensNeeded - s.freeTokens(second)) : 0;
        long wantSlots = taking && l.concurrent() != null ? Math.max(needs ? 1 : 0, slotTarget(l.concurrent()) - s.freeSlots()) : 0;
        int index;
        if (s.keyId == null) {
          index = RedisQuotas.leaseWindowIndex(-1);
        } else {
          index = RedisQuotas.leaseWindowIndex(keyIds.size());
          keyIds.add(s.keyId);
        }
        scopeArgs.addAll(List.of(Integer.toString(index), limit(l.rpm()), limit(l.tpm()), limit(l.concurrent()),
            Long.toString(Math.max(0, wantReq)), Long.toString(Math.max(0, wantTok)), Long.toString(tokensNeeded),
            Long.toString(slotsHeld), Long.toString(slotGive), Long.toString(Math.max(0, wantSlots))));
        List<String> corrections = new ArrayList<>();
        s.corrections.forEach((sec, c) -> {
          if (sec > second - 60) corrections.addAll(List.of(Long.toString(sec), Long.toString(c[0]), Long.toString(c[1])));
        });
        this.corrections.add(new java.util.HashMap<>(s.corrections));
        s.corrections.clear();
        scopeArgs.add(Integer.toString(corrections.size() / 3));
        scopeArgs.addAll(corrections);
        slices.add(s);
        slotsGiven.add(slotGive);
        count++;
      }
      args.add(Integer.toString(count));
      args.addAll(scopeArgs);
    }

    private static String limit(Long v) {
      return v == null ? "-1" : Long.toString(v);
    }

    private void restoreCorrections() {
      for (int i = 0; i < slices.size(); i++) {
        ScopeSlice s = slices.get(i);
        corrections.get(i).forEach((sec, c) -> s.correct(sec, c[0], c[1]));
      }
    }
  }

  /** Prepares a lease call; {@code need} is the admission waiting for it (null: a call of the lease's own). */
  synchronized Call prepare(long now, AdmissionRequest need, boolean end, boolean checkSeeded) {
    return new Call(now, need, end, checkSeeded);
  }

  /** Takes the lease call's answer: what it took is this replica's to admit from. False when Redis must be re-seeded first. */
  synchronized boolean answered(Call c, Response res) {
    if (res.get(0).toString().equals("unseeded")) {
      notExecuted(c);
      return false;
    }
    expiresAt = c.now + leaseMillis;
    if (c.drop) {
      periodId = null;
      held = 0;
    } else if (c.budget >= 0) {
      periodId = c.period;
      // never more than Redis holds for this lease: after Redis lost its data (a restart), it holds nothing
      held = Math.min(Saturating.add(held, res.get(1).toLong()), res.get(4).toLong());
      budgetRoom = res.get(3).toLong();
      budgetSyncedAt = c.now;
    }
    for (int i = 0; i < c.slices.size(); i++) {
      ScopeSlice s = c.slices.get(i);
      int o = 5 + 9 * i;
      s.granted(c.second, res.get(o).toLong(), res.get(o + 1).toLong());
      s.slots += res.get(o + 2).toLong();
      s.windowRequests = res.get(o + 3).toLong();
      s.windowTokens = res.get(o + 4).toLong();
      s.untilClearMillis = res.get(o + 5).toLong();
      s.retryRequestsMillis = res.get(o + 6).toLong();
      s.retryTokensMillis = res.get(o + 7).toLong();
      s.slotRoom = res.get(o + 8).toLong();
      s.requestRoom = s.limits.rpm() == null ? 0 : Math.max(0, s.limits.rpm() - s.windowRequests);
      s.tokenRoom = s.limits.tpm() == null ? 0 : Math.max(0, s.limits.tpm() - s.windowTokens);
      s.syncedSecond = c.second;
    }
    return true;
  }

  /** The script refused to run (Redis lost the team's spend): everything the call took off this lease comes back. */
  private void notExecuted(Call c) {
    unbooked = Saturating.add(unbooked, c.book);
    held = held + c.book + c.giveBack;
    for (int i = 0; i < c.slices.size(); i++) c.slices.get(i).slots += c.slotsGiven.get(i);
    c.restoreCorrections();
  }

  /**
   * The call failed, perhaps after Redis ran it: what it gave back stays given back, and its corrections are
   * dropped (giving back twice could let admissions past a limit); only the spend is booked again at the next
   * call, so a budget is counted at worst twice, never not at all.
   */
  synchronized void failed(Call c) {
    unbooked = Saturating.add(unbooked, c.book);
  }
}
