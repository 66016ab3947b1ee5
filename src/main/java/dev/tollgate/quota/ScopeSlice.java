package dev.tollgate.quota;

import java.util.HashMap;
import java.util.Map;

/**
 * What this replica holds of one scope's (a team's or a key's) rate limits in leased mode: requests and tokens
 * taken in the current second of the shared minute window, usable during that second only, and concurrency slots.
 * Not thread-safe: its {@link TeamLease} locks.
 */
final class ScopeSlice {
  final String keyId;
  ScopeLimits limits = ScopeLimits.NONE;

  /** The second the slices were counted in, in Redis's window; -1 when none. */
  long second = -1;
  long grantedRequests;
  long usedRequests;
  long grantedTokens;
  long usedTokens;
  long slots;
  long busy;
  /** Per second of the window, requests and tokens to add there in Redis: unused slices given back, tokens settled. */
  final Map<Long, long[]> corrections = new HashMap<>();

  /** What the last lease call saw, in its second: room left after it took its slices, and when to retry. */
  long syncedSecond = -1;
  long requestRoom;
  long tokenRoom;
  long slotRoom;
  long windowRequests;
  long windowTokens;
  long untilClearMillis;
  long retryRequestsMillis;
  long retryTokensMillis;

  ScopeSlice(String keyId) {
    this.keyId = keyId;
  }

  /** A new second: the slices of the last one end, and what they did not use is to be given back. */
  void roll(long nowSecond) {
    if (second >= 0 && second != nowSecond) {
      correct(second, -(grantedRequests - usedRequests), -(grantedTokens - usedTokens));
      second = -1;
      grantedRequests = usedRequests = grantedTokens = usedTokens = 0;
    }
  }

  void correct(long sec, long requests, long tokens) {
    if (requests == 0 && tokens == 0) return;
    long[] c = corrections.computeIfAbsent(sec, k -> new long[2]);
    c[0] += requests;
    c[1] += tokens;
  }

  long freeRequests(long nowSecond) {
    return second == nowSecond ? grantedRequests - usedRequests : 0;
  }

  long freeTokens(long nowSecond) {
    return second == nowSecond ? grantedTokens - usedTokens : 0;
  }

  long freeSlots() {
    return slots - busy;
  }

  /** Adds the slices a lease call took in {@code sec}; if this slice has already moved past it, gives them back. */
  void granted(long sec, long requests, long tokens) {
    if (second > sec) {
      correct(sec, -requests, -tokens);
      return;
    }
    if (second < sec) roll(sec);
    second = sec;
    grantedRequests += requests;
    grantedTokens += tokens;
  }

  /** The rate-limit view for response headers: the window as the last lease call saw it, less what is still unused here. */
  RateView view(long nowSecond) {
    long req = Math.max(0, windowRequests - freeRequests(nowSecond));
    long tok = Math.max(0, windowTokens - freeTokens(nowSecond));
    return new RateView(limits.rpm(), req, untilClearMillis, limits.tpm(), tok, untilClearMillis);
  }
}
